package dev.mono4j.metrics;

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

    /** Adds {@code rows} vectors stored row-major in {@code x}. */
    public void add(float[] x, int rows) {
        double sqrtD = Math.sqrt(width);
        for (int r = 0; r < rows; r++) {
            double l1 = 0;
            double sq = 0;
            double sum = 0;
            int off = r * width;
            for (int k = 0; k < width; k++) {
                float v = x[off + k];
                double a = Math.abs(v);
                nearZero += a < epsilon ? 1 : 0;
                l1 += a;
                sq += (double) v * v;
                sum += v;
            }
            double mean = sum / width;
            varianceSum += sq / width - mean * mean;
            tokens++;
            if (sq > 0) {
                double ratio = l1 / Math.sqrt(sq);
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
