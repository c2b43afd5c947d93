package dev.mono4j.reproduce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.align.AlignData;
import dev.mono4j.align.PolicyLogProbs;
import dev.mono4j.align.PreferenceBatch;
import dev.mono4j.data.PreferencePairs.Pair;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.metrics.FeatureDecorrelation;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * Per block, at the MLP activation DecPO regularizes ({@code family.mlpActivationHook}: Llama's up-projection
 * output, the paper's z of Eq. 2), on the first {@value #PAIRS} held-out pairs' prompt + chosen completion,
 * pooled at each text's last real token, as {@code align}'s logged {@code fd_layers}:
 * <ul>
 * <li>{@code fd}: feature decorrelation, 1 − mean cosine between texts (§3.3; Figures 3 and 4);</li>
 * <li>{@code variance}: the variance across the vector's dimensions, averaged over texts — the paper's
 *     activation-sparsity proxy (§4.2, Figure 5). The paper gives no code for it; population variance
 *     (divide by d) and the mean over texts are our choice.</li>
 * </ul>
 *
 * @param fd       per block
 * @param variance per block
 */
public record LayerProbe(double[] fd, double[] variance) {
    /** The number of held-out pairs align's {@code fd_layers} uses (AlignTrainer.FD_PAIRS). */
    public static final int PAIRS = 64;
    /** Pairs per forward pass (align's default batch size). */
    private static final int BATCH = 8;

    public static LayerProbe of(Path modelDir, AlignData data, int maxPromptTokens, int maxLength) {
        List<Pair> pairs = data.eval().subList(0, Math.min(PAIRS, data.eval().size()));
        try (Tokenizer tok = Tokenizer.load(modelDir); TransformerLM model = Checkpoint.loadCausal(modelDir, "reproduce decpo")) {
            int layers = model.config().numLayers();
            String hook = model.config().family().mlpActivationHook(0);
            FeatureDecorrelation[] fd = new FeatureDecorrelation[layers];
            double[] variance = new double[layers];
            for (int from = 0; from < pairs.size(); from += BATCH) {
                PreferenceBatch b = PreferenceBatch.encode(tok, pairs.subList(from, Math.min(pairs.size(), from + BATCH)),
                        maxPromptTokens, maxLength);
                try (NDManager m = model.manager().newSubManager()) {
                    Hooks hooks = Hooks.capture(HookPoint.layerGlob(hook));
                    PolicyLogProbs.sums(model, m, b, hooks);
                    for (int l = 0; l < layers; l++) {
                        NDArray acts = hooks.get(HookPoint.inLayer(hook, l)); // [2B, T, d], chosen rows first
                        int t = (int) acts.getShape().get(1);
                        int d = (int) acts.getShape().get(2);
                        float[] x = acts.toFloatArray();
                        fd[l] = fd[l] == null ? new FeatureDecorrelation(d) : fd[l];
                        for (int r = 0; r < b.size(); r++) {
                            int offset = (r * t + b.lastToken(r)) * d;
                            fd[l].add(x, offset);
                            variance[l] += varianceAcross(x, offset, d) / pairs.size();
                        }
                    }
                }
            }
            double[] fdValues = new double[layers];
            for (int l = 0; l < layers; l++) {
                fdValues[l] = fd[l].value();
            }
            return new LayerProbe(fdValues, variance);
        }
    }

    /** Population variance of x[offset .. offset + d). */
    static double varianceAcross(float[] x, int offset, int d) {
        double mean = 0;
        for (int i = 0; i < d; i++) {
            mean += x[offset + i];
        }
        mean /= d;
        double ss = 0;
        for (int i = 0; i < d; i++) {
            double e = x[offset + i] - mean;
            ss += e * e;
        }
        return ss / d;
    }
}
