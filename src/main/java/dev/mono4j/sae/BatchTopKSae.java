package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.sae.kernel.TopKSelection;
import java.util.Arrays;

/**
 * BatchTopK SAE (Bussmann et al. 2024; see {@link BatchTopKConfig}): TopK's training with the batch's k·N largest
 * pre-activations active. Each step moves the running threshold used at inference: an average of the smallest
 * kept activation over batches (the paper's estimate), here exponential with weight 0.01. Saved as a JumpReLU SAE
 * whose thresholds all equal it.
 */
final class BatchTopKSae extends TopKSae {
    /** The running threshold used at inference (NaN until the first step). */
    double threshold = Double.NaN;
    /** The last forward pass's batch threshold, folded into {@link #threshold} after the step. */
    private float stepThreshold = Float.NaN;

    BatchTopKSae(SaeConfig cfg, int k, int auxK, double auxCoefficient, boolean sparseDecode, int dIn,
            float[] decoderBias, NDManager parent) {
        super(cfg, k, auxK, auxCoefficient, sparseDecode, dIn, decoderBias, parent);
    }

    @Override
    TopKSelection.Chosen choose(NDManager m, TopKSelection.PreActivations pre, int n) {
        TopKSelection.Chosen chosen = TopKSelection.batchTopK(m, pre, n, dSae, k);
        stepThreshold = chosen.threshold();
        return chosen;
    }

    @Override
    float[] keepMask(NDManager m, NDArray pre, NDArray mask) {
        int n = (int) pre.getShape().get(0);
        float thr = choose(m, (sub, rows) -> TopKSelection.rowsOf(sub, pre, rows), n).threshold();
        return TopKSelection.thresholdMask(m, pre, thr, mask);
    }

    @Override
    void afterStep(int step, float[] firing, int rows) {
        threshold = Double.isNaN(threshold) ? stepThreshold : 0.99 * threshold + 0.01 * stepThreshold;
    }

    @Override
    void saveState(SafetensorsWriter w, ObjectNode fields) {
        if (!Double.isNaN(threshold)) {
            fields.put("batchThreshold", threshold);
        }
    }

    @Override
    void restoreState(SafetensorsReader r, JsonNode fields) {
        JsonNode t = fields.get("batchThreshold");
        threshold = t == null || t.isNull() ? Double.NaN : t.asDouble();
    }

    @Override
    SparseAutoencoder export(RawWeights w, ObjectNode saeLensConfig, NDManager parent) {
        float[] thr = new float[dSae];
        Arrays.fill(thr, (float) threshold);
        return saved(SparseAutoencoder.Kind.JUMPRELU, 0, w, w.bEnc(), thr, saeLensConfig, parent);
    }
}
