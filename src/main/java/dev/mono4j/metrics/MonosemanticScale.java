package dev.mono4j.metrics;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * MEmeL's monosemantic scale (Wang et al., KDD 2024): a neuron's activation z is scored by
 * φ(z) = (z − z̄)² / S², its squared deviation from the neuron's running mean over its running variance.
 * A neuron that fires for one rare feature (firing on a share p of tokens) reaches φ ≈ (1 − p)/p when it
 * fires; a neuron that responds to everything stays near the tail of its own distribution (φ ≈ 10 for
 * the largest of ~1,000 Gaussian draws).
 *
 * <p>Statistics are updated online per batch, in O(1) memory per neuron (the paper's Lemma 3.2 is this
 * merge of two (count, mean, variance) summaries: mean = (n z̄ + m z̄_B)/(n + m), variance =
 * (n S² + m S²_B)/(n + m) + n m (z̄ − z̄_B)²/(n + m)²). Forgetting: the history counts as at most
 * {@code window} tokens, so old batches fade. Variance compensation: S² is replaced by S² + ε·mean_k(S²_k)
 * so a neuron that has barely varied does not score infinitely.
 *
 * <p>Each batch is scored against the statistics of the batches before it (the first batch only
 * initialises them). A neuron's score is the mean over scored batches of its largest φ in the batch:
 * the quantity MEmeL compares across neurons to find the monosemantic ones. It depends on the batch
 * size (a max over more tokens is larger), so compare scores measured with the same batches.
 */
public final class MonosemanticScale {
    private final int width;
    private final int window;
    private final double epsilon;
    private final double[] mean;
    private final double[] var;
    private final double[] maxSum;
    private double count;
    private long scoredBatches;

    public MonosemanticScale(int width, int window, double epsilon) {
        this.width = width;
        this.window = window;
        this.epsilon = epsilon;
        this.mean = new double[width];
        this.var = new double[width];
        this.maxSum = new double[width];
    }

    /** What a batch reduces to per neuron: its token count, mean, variance (1/m), minimum and maximum. */
    record BatchStats(int rows, double[] mean, double[] variance, double[] min, double[] max) {
    }

    /**
     * Scores a batch of {@code rows} tokens ({@code x} row-major {@code [rows, width]}), then learns from it.
     * Returns each neuron's largest φ in this batch (null for the first batch, or an empty one).
     */
    public double[] add(float[] x, int rows) {
        if (rows == 0) {
            return null;
        }
        // Row-major passes (the inner loop walks one token's neurons) read memory in order.
        double[] mean = new double[width];
        double[] min = new double[width];
        double[] max = new double[width];
        java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < width; k++) {
                float v = x[r * width + k];
                mean[k] += v;
                min[k] = Math.min(min[k], v);
                max[k] = Math.max(max[k], v);
            }
        }
        for (int k = 0; k < width; k++) {
            mean[k] /= rows;
        }
        double[] var = new double[width];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < width; k++) {
                double dev = x[r * width + k] - mean[k];
                var[k] += dev * dev / rows;
            }
        }
        return add(new BatchStats(rows, mean, var, min, max));
    }

    /** Scores and learns from the rows of {@code x} {@code [rows, width]}, reduced by torch; returns as above. */
    public double[] add(NDArray x) {
        int rows = Math.toIntExact(x.getShape().get(0));
        if (rows == 0) {
            return null;
        }
        double[] mean = ActivationSparsity.doubles(x.mean(new int[] {0}));
        double[] var = ActivationSparsity.doubles(x.norm(2, new int[] {0}, false));
        for (int k = 0; k < width; k++) {
            var[k] = Math.max(0, var[k] * var[k] / rows - mean[k] * mean[k]);
        }
        return add(new BatchStats(rows, mean, var, ActivationSparsity.doubles(x.min(new int[] {0})),
                ActivationSparsity.doubles(x.max(new int[] {0}))));
    }

    private double[] add(BatchStats b) {
        double[] batchMax = null;
        if (count > 0) {
            batchMax = new double[width];
            double meanVar = 0;
            for (double v : var) {
                meanVar += v / width;
            }
            double floor = epsilon * meanVar;
            for (int k = 0; k < width; k++) {
                // The largest deviation from the running mean is at the batch's minimum or maximum.
                double dev = Math.max(Math.abs(b.max[k] - mean[k]), Math.abs(b.min[k] - mean[k]));
                double s2 = var[k] + floor;
                batchMax[k] = s2 > 0 ? dev * dev / s2 : 0;
                maxSum[k] += batchMax[k];
            }
            scoredBatches++;
        }
        double n = Math.min(count, window);
        double m = b.rows;
        for (int k = 0; k < width; k++) {
            double delta = b.mean[k] - mean[k];
            mean[k] += delta * m / (n + m);
            var[k] = (n * var[k] + m * b.variance[k]) / (n + m) + n * m * delta * delta / ((n + m) * (n + m));
        }
        count = n + m;
        return batchMax;
    }

    /** Tokens the statistics stand for: all seen so far, at most the forgetting window's. */
    public double history() {
        return count;
    }

    /** Everything the scale has learnt, to save with a training checkpoint and restore on resume. */
    public record State(double count, long scoredBatches, double[] mean, double[] variance, double[] maxSum) {
    }

    public State state() {
        return new State(count, scoredBatches, mean.clone(), var.clone(), maxSum.clone());
    }

    public void restore(State s) {
        if (s.mean().length != width || s.variance().length != width || s.maxSum().length != width) {
            throw new IllegalArgumentException("state is for " + s.mean().length + " neurons, this scale has " + width);
        }
        count = s.count();
        scoredBatches = s.scoredBatches();
        System.arraycopy(s.mean(), 0, mean, 0, width);
        System.arraycopy(s.variance(), 0, var, 0, width);
        System.arraycopy(s.maxSum(), 0, maxSum, 0, width);
    }

    /** Per neuron, the mean over scored batches of its largest φ; NaN before a second batch. */
    public double[] scores() {
        double[] s = new double[width];
        for (int k = 0; k < width; k++) {
            s[k] = scoredBatches == 0 ? Double.NaN : maxSum[k] / scoredBatches;
        }
        return s;
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] variance() {
        return var.clone();
    }

    public record Neuron(int index, double score) {
    }

    public record Summary(double median, double p90, double p99, double max, List<Neuron> top, long scoredBatches) {
    }

    /** The distribution of scores over neurons and the {@code topK} highest. */
    public Summary summary(int topK) {
        return summary(topK, IntStream.range(0, width).toArray());
    }

    /** As {@link #summary(int)}, naming neuron i of this scale {@code neuronIds[i]} (e.g. in its layer). */
    public Summary summary(int topK, int[] neuronIds) {
        double[] s = scores();
        double[] sorted = s.clone();
        java.util.Arrays.sort(sorted);
        List<Neuron> top = new ArrayList<>();
        IntStream.range(0, width).boxed().sorted(Comparator.comparingDouble((Integer k) -> -s[k])).limit(topK)
                .forEach(k -> top.add(new Neuron(neuronIds[k], s[k])));
        return new Summary(Quantiles.of(sorted, 0.5), Quantiles.of(sorted, 0.9), Quantiles.of(sorted, 0.99),
                sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1], top, scoredBatches);
    }
}
