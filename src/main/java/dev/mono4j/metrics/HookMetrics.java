package dev.mono4j.metrics;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Every metric of one hook point, fed batch by batch. Token-level metrics see each real token's
 * activation vector, per-sample metrics one pooled vector per text. The pairwise and per-concept metrics
 * see a fixed sample of at most {@code maxNeurons} neurons.
 */
final class HookMetrics {
    final String hook;
    final int width;
    final int[] tracked;
    final FeatureDecorrelation fd;
    final ActivationSparsity sparsity;
    final EffectiveRank rank;
    final NeuronCorrelation correlation;
    final MonosemanticScale memel;
    final ConceptSelectivity tokenConcepts;
    final ConceptSelectivity textLabels;
    private final MeasureConfig cfg;

    HookMetrics(String hook, int width, MeasureConfig cfg, Map<String, List<String>> senses) {
        this.hook = hook;
        this.width = width;
        this.cfg = cfg;
        this.tracked = sampleNeurons(width, cfg.maxNeurons(), cfg.seed() ^ hook.hashCode());
        this.fd = new FeatureDecorrelation(width);
        this.sparsity = new ActivationSparsity(width, cfg.zeroEpsilon());
        this.rank = new EffectiveRank(width, cfg.rankSamples());
        this.correlation = new NeuronCorrelation(tracked.length, width);
        this.memel = new MonosemanticScale(width, cfg.memelWindow(), cfg.memelEpsilon());
        this.tokenConcepts = new ConceptSelectivity(tracked.length, cfg.selectivityThreshold(), senses);
        this.textLabels = new ConceptSelectivity(tracked.length, cfg.selectivityThreshold(), Map.of());
    }

    /** All neurons when they fit, else a sorted seeded sample of {@code m}. */
    static int[] sampleNeurons(int width, int m, long seed) {
        if (width <= m) {
            return IntStream.range(0, width).toArray();
        }
        int[] all = IntStream.range(0, width).toArray();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < m; i++) { // partial Fisher-Yates
            int j = i + rng.nextInt(width - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] out = java.util.Arrays.copyOf(all, m);
        java.util.Arrays.sort(out);
        return out;
    }

    /**
     * One batch: {@code tokens} real-token vectors {@code [n, width]} with their concepts (null entries:
     * none), and {@code pooled} vectors {@code [samples, width]} with the texts' labels.
     */
    void add(NDManager step, float[] tokens, int n, String[] concepts, float[] pooled, int samples, String[] labels,
            boolean anyConcept, boolean anyLabel) {
        sparsity.add(tokens, n);
        memel.add(tokens, n);
        for (int s = 0; s < samples; s++) {
            fd.add(pooled, s * width);
            rank.add(pooled, s * width);
        }
        float[] sub = columns(tokens, n);
        correlation.add(step, sub, n);
        if (anyConcept) {
            tokenConcepts.add(sub, n, concepts);
        }
        if (anyLabel) {
            textLabels.add(columns(pooled, samples), samples, labels);
        }
    }

    /** The tracked neurons' columns of {@code [rows, width]}. */
    private float[] columns(float[] x, int rows) {
        if (tracked.length == width) {
            return x;
        }
        int m = tracked.length;
        float[] out = new float[rows * m];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < m; k++) {
                out[r * m + k] = x[r * width + tracked[k]];
            }
        }
        return out;
    }

    HookResult result(int layer, double depth, boolean anyConcept, boolean anyLabel) {
        return new HookResult(hook, layer, depth, width, tracked.length, fd.samples(), fd.value(), fd.meanCosine(),
                sparsity.tokens(), sparsity.nearZeroFraction(), sparsity.hoyer(), sparsity.l1OverL2(),
                sparsity.varianceAcrossDims(), correlation.result(), rank.value(), rank.samples(),
                memel.summary(cfg.topNeurons()), anyConcept ? tokenConcepts.result() : null,
                anyLabel ? textLabels.result() : null, tracked.length == width ? null : tracked);
    }
}
