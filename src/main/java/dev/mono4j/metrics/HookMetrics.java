package dev.mono4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Every metric of one hook point, fed batch by batch. Token-level metrics see each real token's
 * activation vector, per-sample metrics one pooled vector per text. Population metrics (FD, sparsity,
 * effective rank) use every neuron; per-neuron and pairwise ones (MEmeL, correlation, concepts) follow a
 * fixed sample of at most {@code maxNeurons} neurons, so their cost does not grow with the layer's width.
 */
final class HookMetrics {
    final String hook;
    final int width;
    final int[] tracked;
    /** The tracked neurons as the index torch takes, made once. */
    private final long[] trackedIndex;
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
        this.trackedIndex = java.util.Arrays.stream(tracked).asLongStream().toArray();
        this.fd = new FeatureDecorrelation(width);
        this.sparsity = new ActivationSparsity(width, cfg.zeroEpsilon());
        this.rank = new EffectiveRank(width, cfg.rankSamples());
        this.correlation = new NeuronCorrelation(tracked.length, width);
        this.memel = new MonosemanticScale(tracked.length, cfg.memelWindow(), cfg.memelEpsilon());
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
     * One batch, reduced in torch where the work is per element: {@code tokens} holds the real-token
     * vectors {@code [n, width]} (owned by the step's manager) with their concepts (null entries: none);
     * {@code pooling} {@code [samples, n]} turns them into one vector per text, which carries its label.
     */
    void add(NDArray tokens, String[] concepts, NDArray pooling, String[] labels, boolean anyConcept,
            boolean anyLabel) {
        int n = Math.toIntExact(tokens.getShape().get(0));
        sparsity.add(tokens);
        NDArray sub = columns(tokens);
        memel.add(sub);
        NDArray pooledNd = pooling.matMul(tokens);
        float[] pooled = pooledNd.toFloatArray();
        int samples = labels.length;
        for (int s = 0; s < samples; s++) {
            fd.add(pooled, s * width);
            rank.add(pooled, s * width);
        }
        correlation.add(sub);
        if (anyConcept) {
            tokenConcepts.add(sub.toFloatArray(), n, concepts);
        }
        if (anyLabel) {
            textLabels.add(columns(pooledNd).toFloatArray(), samples, labels);
        }
    }

    /** The tracked neurons' columns of {@code [rows, width]}. */
    private NDArray columns(NDArray x) {
        if (tracked.length == width) {
            return x;
        }
        return x.get(new NDIndex(":, {}", x.getManager().create(trackedIndex)));
    }

    HookResult result(int layer, double depth, boolean anyConcept, boolean anyLabel) {
        return new HookResult(hook, layer, depth, width, tracked.length, fd.samples(), fd.value(), fd.meanCosine(),
                sparsity.tokens(), sparsity.nearZeroFraction(), sparsity.hoyer(), sparsity.l1OverL2(),
                sparsity.varianceAcrossDims(), correlation.result(), rank.value(), rank.samples(),
                memel.summary(cfg.topNeurons(), tracked), anyConcept ? tokenConcepts.result() : null,
                anyLabel ? textLabels.result() : null, tracked.length == width ? null : tracked);
    }
}
