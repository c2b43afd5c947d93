package dev.mono4j.metrics;

/**
 * Feature decorrelation (FD), the monosemanticity proxy of Yan et al. (EMNLP 2024):
 * FD = 1 − mean_{i≠j} cos(a_i, a_j) over N samples, a_i the pooled activation vector of sample i.
 *
 * <p>Streams in O(d) memory: with u_i = a_i / ‖a_i‖, Σ_{i≠j} cos(a_i, a_j) = ‖Σ_i u_i‖² − N, so only the sum
 * of unit vectors is kept. FD is 0 when all samples point the same way, 1 when they are orthogonal on
 * average, and up to 1 + 1/(N−1) for vectors that cancel. Zero vectors have no direction; they are
 * counted and left out.
 */
public final class FeatureDecorrelation {
    private final double[] unitSum;
    private long samples;
    private long zeroVectors;

    public FeatureDecorrelation(int width) {
        unitSum = new double[width];
    }

    /** Adds one sample: {@code x[offset .. offset + width)}. */
    public void add(float[] x, int offset) {
        double sq = 0;
        for (int k = 0; k < unitSum.length; k++) {
            sq += (double) x[offset + k] * x[offset + k];
        }
        if (sq == 0) {
            zeroVectors++;
            return;
        }
        double inv = 1 / Math.sqrt(sq);
        for (int k = 0; k < unitSum.length; k++) {
            unitSum[k] += x[offset + k] * inv;
        }
        samples++;
    }

    public long samples() {
        return samples;
    }

    public long zeroVectors() {
        return zeroVectors;
    }

    /** Mean cosine similarity over ordered pairs of distinct samples; NaN below two samples. */
    public double meanCosine() {
        if (samples < 2) {
            return Double.NaN;
        }
        double sq = 0;
        for (double v : unitSum) {
            sq += v * v;
        }
        return (sq - samples) / ((double) samples * (samples - 1));
    }

    public double value() {
        return 1 - meanCosine();
    }
}
