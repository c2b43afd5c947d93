package dev.mono4j.metrics;

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

    /** Scores a batch of {@code rows} tokens ({@code x} row-major {@code [rows, width]}), then learns from it. */
    public void add(float[] x, int rows) {
        if (rows == 0) {
            return;
        }
        // One row-major pass (the inner loop walks one token's neurons, so memory is read in order):
        // per neuron the batch's sum, sum of squares, minimum and maximum. The largest deviation from the
        // running mean is at the minimum or the maximum.
        double[] sum = new double[width];
        double[] sumSq = new double[width];
        float[] min = new float[width];
        float[] max = new float[width];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < rows; r++) {
            int off = r * width;
            for (int k = 0; k < width; k++) {
                float v = x[off + k];
                sum[k] += v;
                sumSq[k] += (double) v * v;
                min[k] = Math.min(min[k], v);
                max[k] = Math.max(max[k], v);
            }
        }
        if (count > 0) {
            double meanVar = 0;
            for (double v : var) {
                meanVar += v / width;
            }
            double floor = epsilon * meanVar;
            for (int k = 0; k < width; k++) {
                double dev = Math.max(Math.abs(max[k] - mean[k]), Math.abs(min[k] - mean[k]));
                double s2 = var[k] + floor;
                maxSum[k] += s2 > 0 ? dev * dev / s2 : 0;
            }
            scoredBatches++;
        }
        double n = Math.min(count, window);
        double m = rows;
        for (int k = 0; k < width; k++) {
            double bm = sum[k] / m;
            double bv = Math.max(0, sumSq[k] / m - bm * bm);
            double delta = bm - mean[k];
            mean[k] += delta * m / (n + m);
            var[k] = (n * var[k] + m * bv) / (n + m) + n * m * delta * delta / ((n + m) * (n + m));
        }
        count = n + m;
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
        double[] s = scores();
        double[] sorted = s.clone();
        java.util.Arrays.sort(sorted);
        List<Neuron> top = new ArrayList<>();
        IntStream.range(0, width).boxed().sorted(Comparator.comparingDouble((Integer k) -> -s[k])).limit(topK)
                .forEach(k -> top.add(new Neuron(k, s[k])));
        return new Summary(Quantiles.of(sorted, 0.5), Quantiles.of(sorted, 0.9), Quantiles.of(sorted, 0.99),
                sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1], top, scoredBatches);
    }
}
