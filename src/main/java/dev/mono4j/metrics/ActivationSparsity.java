package dev.mono4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * How sparse and how spread activation vectors are, averaged over tokens (each a vector a of width d):
 * <ul>
 * <li>near-zero fraction: the share of entries with |a_k| &lt; ε;</li>
 * <li>Hoyer sparsity (Hoyer 2004): (√d − ‖a‖₁/‖a‖₂) / (√d − 1), 0 for a constant vector, 1 for one-hot;</li>
 * <li>L1/L2: ‖a‖₁/‖a‖₂, between 1 (one-hot) and √d (constant magnitude), a scale-free density;</li>
 * <li>variance across dimensions: Var_k(a_k) = mean_k a_k² − (mean_k a_k)², the spread DecPO's §4.2
 *     discusses (we average it over tokens; the paper's exact pooling is not stated in what we read).</li>
 * </ul>
 * Zero vectors count towards the near-zero fraction and the variance but have no Hoyer or L1/L2 value.
 */
public final class ActivationSparsity {
    private final int width;
    private final double epsilon;
    private long tokens;
    private long nonZeroTokens;
    private long nearZero;
    private double hoyerSum;
    private double l1l2Sum;
    private double varianceSum;

    public ActivationSparsity(int width, double epsilon) {
        this.width = width;
        this.epsilon = epsilon;
    }

    /** What a batch of rows reduces to: per row ‖a‖₁, Σa², the variance across dims; near-zero entries. */
    record RowSums(double[] l1, double[] sumSq, double[] variance, long nearZero) {
    }

    /** Adds {@code rows} vectors stored row-major in {@code x}. */
    public void add(float[] x, int rows) {
        double[] l1 = new double[rows];
        double[] sq = new double[rows];
        double[] variance = new double[rows];
        long zeros = 0;
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            int off = r * width;
            for (int k = 0; k < width; k++) {
                float v = x[off + k];
                double a = Math.abs(v);
                zeros += a < epsilon ? 1 : 0;
                l1[r] += a;
                sq[r] += (double) v * v;
                sum += v;
            }
            double mean = sum / width;
            variance[r] = sq[r] / width - mean * mean;
        }
        add(new RowSums(l1, sq, variance, zeros));
    }

    /** Adds the rows of {@code x} {@code [rows, width]}, reduced by torch (fast for wide layers). */
    public void add(NDArray x) {
        long zeros = x.abs().lt(epsilon).sum().toType(DataType.INT64, false).getLong();
        double[] l1 = doubles(x.norm(1, new int[] {1}, false));
        double[] sq = doubles(x.norm(2, new int[] {1}, false));
        double[] mean = doubles(x.mean(new int[] {1}));
        double[] var = new double[sq.length];
        for (int r = 0; r < sq.length; r++) {
            sq[r] *= sq[r];
            var[r] = sq[r] / width - mean[r] * mean[r];
        }
        add(new RowSums(l1, sq, var, zeros));
    }

    static double[] doubles(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private void add(RowSums s) {
        double sqrtD = Math.sqrt(width);
        nearZero += s.nearZero;
        for (int r = 0; r < s.l1.length; r++) {
            varianceSum += s.variance[r];
            tokens++;
            if (s.sumSq[r] > 0) {
                double ratio = s.l1[r] / Math.sqrt(s.sumSq[r]);
                l1l2Sum += ratio;
                hoyerSum += width == 1 ? 1 : (sqrtD - ratio) / (sqrtD - 1);
                nonZeroTokens++;
            }
        }
    }

    public long tokens() {
        return tokens;
    }

    public double nearZeroFraction() {
        return (double) nearZero / ((double) tokens * width);
    }

    public double hoyer() {
        return hoyerSum / nonZeroTokens;
    }

    public double l1OverL2() {
        return l1l2Sum / nonZeroTokens;
    }

    public double varianceAcrossDims() {
        return varianceSum / tokens;
    }
}
