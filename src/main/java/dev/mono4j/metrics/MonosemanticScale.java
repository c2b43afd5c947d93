package dev.mono4j.metrics;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * MEmeL's monosemantic scale (Wang et al., KDD 2024, arXiv 2312.11560, Def. 3.1 Eq.7): a neuron's activation z
 * is scored by φ(z) = (z − z̄)² / S², its squared deviation from the neuron's running mean over its running
 * (unbiased, ÷(m−1)) variance. A neuron that fires for one rare feature (firing on a share p of tokens) reaches
 * φ ≈ (1 − p)/p when it fires; a neuron that responds to everything stays near the tail of its own
 * distribution (φ ≈ 10 for the largest of ~1,000 Gaussian draws).
 *
 * <p>Statistics are updated online per batch, in O(1) memory per neuron: Lemma 3.2 (Eq.8–9) merges the m
 * rows seen so far (mean μ, unbiased variance υ) with a batch of b rows (mean μ′, biased variance υ′):
 * μ ← (mμ + bμ′)/(m + b), υ ← mb(μ − μ′)²/((m + b − 1)(m + b)) + (bυ′ + (m − 1)υ)/(m + b − 1), as the
 * authors' code does (dominatorX/MEmeL-code {@code EmeL.py}@b8ce373 L45–55); the first batch starts with its
 * unbiased variance (L43; 0 for a batch of one row, our choice, where it is undefined). Forgetting (App. C.1,
 * Alg. 1): m counts at most the history {@link Forgetting} allows, so old batches fade. Variance compensation
 * (Alg. 2): S² is replaced by υ + ε·mean_k(υ_k) so a neuron that has barely varied does not score infinitely.
 * Statistics are per neuron across inputs, here across every row (token) given (App. G.3).
 *
 * <p>{@link #add} scores each batch against the statistics of the batches before it (the first batch only
 * initialises them), then learns from it. A neuron's score is the mean over scored batches of its largest φ
 * in the batch: the quantity {@code measure} compares across neurons to find the monosemantic ones. It depends
 * on the batch size (a max over more tokens is larger), so compare scores measured with the same batches.
 * {@link #learn} only learns; MEmeL's inhibition scores after learning, as its code does.
 */
public final class MonosemanticScale {
    /**
     * How many rows the history m may count when a batch of b rows arrives (App. C.1, Alg. 1: once the
     * forgetting step n_f is reached, m is replaced by b·n_f).
     */
    public sealed interface Forgetting {
        double cap(int batchRows);

        /** Whether the history has filled: MEmeL's late start (Alg. 2's l_s, equal to n_f in the code). */
        boolean reached(double history, long batches);

        /** At most {@code n} rows (tokens): {@code measure}'s window and MEmeL's per-batch option; our choice. */
        static Forgetting tokens(long n) {
            return new Tokens(n);
        }

        /** At most {@code n} batches of the arriving batch's size, Alg. 1's b·n_f (the code's {@code h_upper}). */
        static Forgetting batches(int n) {
            return new Batches(n);
        }
    }

    record Tokens(long n) implements Forgetting {
        @Override
        public double cap(int batchRows) {
            return n;
        }

        @Override
        public boolean reached(double history, long batches) {
            return history >= n;
        }
    }

    record Batches(int n) implements Forgetting {
        @Override
        public double cap(int batchRows) {
            return (double) n * batchRows;
        }

        @Override
        public boolean reached(double history, long batches) {
            return batches >= n;
        }
    }

    private final int width;
    private final Forgetting forgetting;
    private final double epsilon;
    private final double[] mean;
    private final double[] var;
    private final double[] maxSum;
    private double count;
    private long batches;
    private long scoredBatches;

    /** A scale forgetting beyond {@code windowTokens} rows. */
    public MonosemanticScale(int width, int windowTokens, double epsilon) {
        this(width, Forgetting.tokens(windowTokens), epsilon);
    }

    public MonosemanticScale(int width, Forgetting forgetting, double epsilon) {
        this.width = width;
        this.forgetting = forgetting;
        this.epsilon = epsilon;
        this.mean = new double[width];
        this.var = new double[width];
        this.maxSum = new double[width];
    }

    /** What a batch reduces to per neuron: its row count, mean, variance (÷rows), minimum and maximum. */
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
        return x.getShape().get(0) == 0 ? null : add(stats(x, true));
    }

    /** Learns from the rows of {@code x} {@code [rows, width]} without scoring them (nothing for no rows). */
    public void learn(NDArray x) {
        if (x.getShape().get(0) > 0) {
            learn(stats(x, false));
        }
    }

    private BatchStats stats(NDArray x, boolean withRange) {
        int rows = Math.toIntExact(x.getShape().get(0));
        double[] mean = ActivationSparsity.doubles(x.mean(new int[] {0}));
        double[] var = ActivationSparsity.doubles(x.norm(2, new int[] {0}, false));
        for (int k = 0; k < width; k++) {
            var[k] = Math.max(0, var[k] * var[k] / rows - mean[k] * mean[k]);
        }
        return new BatchStats(rows, mean, var, withRange ? ActivationSparsity.doubles(x.min(new int[] {0})) : null,
                withRange ? ActivationSparsity.doubles(x.max(new int[] {0})) : null);
    }

    private double[] add(BatchStats b) {
        double[] batchMax = null;
        if (count > 0) {
            batchMax = new double[width];
            double[] s2 = compensatedVariance();
            for (int k = 0; k < width; k++) {
                // The largest deviation from the running mean is at the batch's minimum or maximum.
                double dev = Math.max(Math.abs(b.max[k] - mean[k]), Math.abs(b.min[k] - mean[k]));
                batchMax[k] = s2[k] > 0 ? dev * dev / s2[k] : 0;
                maxSum[k] += batchMax[k];
            }
            scoredBatches++;
        }
        learn(b);
        return batchMax;
    }

    /** Lemma 3.2 (Eq.8–9) with the history m capped by {@link Forgetting} (Alg. 1); see the class comment. */
    private void learn(BatchStats batch) {
        double b = batch.rows;
        if (count == 0) {
            for (int k = 0; k < width; k++) {
                mean[k] = batch.mean[k];
                var[k] = b > 1 ? batch.variance[k] * b / (b - 1) : 0; // EmeL.py@b8ce373 L43: the batch's unbiased variance
            }
        } else {
            double m = Math.min(count, forgetting.cap(batch.rows));
            for (int k = 0; k < width; k++) {
                double delta = mean[k] - batch.mean[k];
                var[k] = m * b * delta * delta / ((m + b - 1) * (m + b)) + (b * batch.variance[k] + (m - 1) * var[k]) / (m + b - 1);
                mean[k] = (m * mean[k] + b * batch.mean[k]) / (m + b);
            }
            count = m;
        }
        count += b;
        batches++;
    }

    /** υ_k + ε·mean_j(υ_j), the denominator of φ with Alg. 2's variance compensation. */
    public double[] compensatedVariance() {
        double meanVar = 0;
        for (double v : var) {
            meanVar += v / width;
        }
        double[] s2 = new double[width];
        for (int k = 0; k < width; k++) {
            s2[k] = var[k] + epsilon * meanVar;
        }
        return s2;
    }

    /** Rows the statistics stand for: all seen so far, at most what {@link Forgetting} allows. */
    public double history() {
        return count;
    }

    /** Whether the history has filled, see {@link Forgetting#reached}. */
    public boolean lateStartReached() {
        return forgetting.reached(count, batches);
    }

    /** Batches learnt from (those with rows), forgetting aside. */
    public long batches() {
        return batches;
    }

    /**
     * Everything the scale has learnt, to save with a training checkpoint and restore on resume. A state saved
     * before {@code batches} was kept reads it as 0.
     */
    public record State(double count, long scoredBatches, double[] mean, double[] variance, double[] maxSum, long batches) {
    }

    public State state() {
        return new State(count, scoredBatches, mean.clone(), var.clone(), maxSum.clone(), batches);
    }

    public void restore(State s) {
        if (s.mean().length != width || s.variance().length != width || s.maxSum().length != width) {
            throw new IllegalArgumentException("state is for " + s.mean().length + " neurons, this scale has " + width);
        }
        count = s.count();
        batches = s.batches();
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
