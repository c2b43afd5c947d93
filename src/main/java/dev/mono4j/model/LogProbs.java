package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.data.TokenBatch;

/** Log-probabilities of given tokens under a model's logits: what DPO and evaluation need. */
public final class LogProbs {
    private LogProbs() {
    }

    /**
     * log p(ids[t+1] | ids[..t]) for every position: logits {@code [B, T, V]} to {@code [B, T-1]}.
     * Values at padding are computed but meaningless; weight them with {@link #defaultTargetMask}.
     */
    public static NDArray nextToken(NDArray logits, TokenBatch batch) {
        int b = batch.batchSize();
        int t = batch.seqLen();
        long[] padded = new long[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(batch.ids(), i * t + 1, padded, i * t, t - 1);
        }
        // Gather from all T positions (the last gets a dummy target) and drop the last column afterwards:
        // slicing the [B, T, V] logits first would copy them, and its backward would zero-fill and copy again.
        NDManager m = logits.getManager();
        NDArray idx = m.create(padded, new Shape(b, t, 1));
        return logits.logSoftmax(-1).gather(idx, -1).squeeze(-1).get(":, :-1");
    }

    /** 1 where both the predicted token and its context position are real tokens, else 0: {@code [B*(T-1)]}. */
    public static float[] defaultTargetMask(TokenBatch batch) {
        int t = batch.seqLen();
        float[] m = new float[batch.batchSize() * (t - 1)];
        for (int i = 0; i < batch.batchSize(); i++) {
            for (int j = 0; j < t - 1; j++) {
                m[i * (t - 1) + j] = batch.mask()[i * t + j] * batch.mask()[i * t + j + 1];
            }
        }
        return m;
    }

    /**
     * The language-modelling loss: mean over real targets ({@link #defaultTargetMask}) of −log p(next token), a 0-d
     * tensor (what {@code forward --gradients} differentiates).
     */
    public static NDArray meanNll(NDArray logits, TokenBatch batch) {
        float[] mask = defaultTargetMask(batch);
        double real = 0;
        for (float v : mask) {
            real += v;
        }
        if (real == 0) {
            throw new IllegalArgumentException("no real next-token targets (every row needs two real tokens)");
        }
        NDArray lp = nextToken(logits, batch);
        NDArray w = lp.getManager().create(mask, lp.getShape());
        return lp.mul(w).sum().div(lp.getManager().full(new Shape(), (float) -real));
    }

    /** Sum over positions of token log-probs weighted by a target mask {@code [B*(T-1)]}: one value per row. */
    public static NDArray sequence(NDArray tokenLogProbs, float[] targetMask) {
        NDArray w = tokenLogProbs.getManager().create(targetMask, tokenLogProbs.getShape());
        return tokenLogProbs.mul(w).sum(new int[] {1});
    }
}
