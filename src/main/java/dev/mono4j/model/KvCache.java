package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of the tokens seen so far, per layer, so each generation step runs the model on the
 * new token only. Keys are kept transposed, {@code [B, kvHeads, 1, headDim, S]}, and values as
 * {@code [B, kvHeads, 1, S, headDim]}: exactly the operands attention multiplies by, so no per-step
 * views of cached arrays are made (each would be a new array owned by the cache's manager).
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Number of cached positions. */
    public int length() {
        return length;
    }

    NDArray appendKeys(int layer, NDArray keysT) {
        return keys[layer] = append(keys[layer], keysT, 4);
    }

    NDArray appendValues(int layer, NDArray vals) {
        return values[layer] = append(values[layer], vals, 3);
    }

    /** Called once per forward pass, after every layer appended its {@code newTokens} positions. */
    void advance(int newTokens) {
        length += newTokens;
    }

    private NDArray append(NDArray past, NDArray fresh, int axis) {
        if (past == null) {
            fresh.attach(manager); // keep it beyond the step manager that made it
            return fresh;
        }
        NDArray all = NDArrays.concat(new NDList(past, fresh), axis); // owned by past's manager: the cache's
        past.close();
        return all;
    }

    @Override
    public void close() {
        manager.close();
    }
}
