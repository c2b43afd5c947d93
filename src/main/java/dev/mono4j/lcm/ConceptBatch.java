package dev.mono4j.lcm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Sequences of normalised concepts, right-padded: {@code values [batch × length × dim]}, {@code mask [batch × length]}
 * 1 for a real position and 0 for padding.
 */
record ConceptBatch(float[] values, long[] mask, int batch, int length, int dim) {

    /** The sequences (each {@code [n][dim]}, n ≥ 1) padded to the longest. */
    static ConceptBatch of(List<float[][]> sequences, int dim) {
        int length = sequences.stream().mapToInt(s -> s.length).max().orElseThrow();
        float[] values = new float[sequences.size() * length * dim];
        long[] mask = new long[sequences.size() * length];
        for (int b = 0; b < sequences.size(); b++) {
            float[][] s = sequences.get(b);
            for (int t = 0; t < s.length; t++) {
                if (s[t].length != dim) {
                    throw new IllegalArgumentException("a concept of width " + s[t].length + ", expected " + dim);
                }
                System.arraycopy(s[t], 0, values, (b * length + t) * dim, dim);
                mask[b * length + t] = 1;
            }
        }
        return new ConceptBatch(values, mask, sequences.size(), length, dim);
    }

    NDArray inputs(NDManager step) {
        return step.create(values, new Shape(batch, length, dim));
    }

    /** The mask as floats {@code [batch, length]}. */
    NDArray weights(NDManager step) {
        float[] w = new float[mask.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = mask[i];
        }
        return step.create(w, new Shape(batch, length));
    }

    /** Real positions of row {@code b}. */
    int realLength(int b) {
        int n = 0;
        for (int t = 0; t < length; t++) {
            n += (int) mask[b * length + t];
        }
        return n;
    }
}
