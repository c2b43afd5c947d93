package dev.mono4j.lcm;

import java.util.Arrays;

/**
 * Fits a {@link Normalizer} per channel on training embeddings, as the LCM's SONAR normaliser does
 * (facebookresearch/large_concept_model@fd7db80 {@code lcm/models/sonar_normalizer/builder.py} L140–185, which calls
 * sklearn's {@code RobustScaler} / {@code StandardScaler}; /work/shared/papers/lcm.md §3). Quantiles interpolate
 * linearly between order statistics, as {@code np.percentile}'s default (which sklearn uses).
 */
public final class NormalizerFit {
    /** The quartiles the authors' config names ({@code quantile_min}, {@code quantile_max}, builder.py L34–37). */
    static final double Q_MIN = 0.25;
    static final double Q_MAX = 0.75;

    /**
     * sklearn's {@code _handle_zeros_in_scale}: a spread below 10 machine epsilons (float64) becomes 1, so a constant
     * channel is only centred. Applied before the Gaussian adjustment, where sklearn applies it.
     */
    static final double ZERO_SCALE = 10 * Math.ulp(1.0);

    /** How center and scale are estimated ({@code --normalizer}). */
    public enum Method {
        /**
         * The authors' default ({@code gaussian_robust}): center = median, scale = IQR / (Φ⁻¹(0.75) − Φ⁻¹(0.25)) ≈
         * 0.7413 · IQR, the standard deviation of a Gaussian with that IQR (builder.py L44–49). Fitted on the
         * quartiles, as the docstring says; our default.
         */
        GAUSSIAN_ROBUST,
        /** The authors' {@code robust}: center = median, scale = IQR (builder.py L46). */
        ROBUST,
        /** The authors' {@code standard}: center = mean, scale = population standard deviation (StandardScaler). */
        STANDARD,
        /**
         * The authors' {@code gaussian_robust} as their code runs: {@code RobustScaler(quantile_range=(0.25, 0.75),
         * unit_variance=True)} reads the range as percentages, so the spread is the 0.25th–0.75th percentile span
         * (quantiles 0.0025 and 0.0075), divided by Φ⁻¹(0.0075) − Φ⁻¹(0.0025) (sklearn divides the range by 100
         * there too). For Gaussian channels this still estimates σ, but from the far lower tail only.
         */
        AUTHORS,
        /** No normalisation (the identity). */
        NONE
    }

    private NormalizerFit() {
    }

    /**
     * The normaliser of {@code rows} ({@code count × dim} row-major, one row per training sentence occurrence).
     */
    public static Normalizer fit(Method method, float[] rows, int count, int dim) {
        if (count < 1 || rows.length != (long) count * dim) {
            throw new IllegalArgumentException("need at least one row of width " + dim + " to fit a normaliser");
        }
        if (method == Method.NONE) {
            return Normalizer.identity(dim);
        }
        float[] center = new float[dim];
        float[] scale = new float[dim];
        double[] column = new double[count];
        for (int c = 0; c < dim; c++) {
            for (int r = 0; r < count; r++) {
                column[r] = rows[r * dim + c];
            }
            Arrays.sort(column);
            double mid;
            double spread;
            double adjust = 1;
            switch (method) {
                case STANDARD -> {
                    mid = mean(column);
                    spread = Math.sqrt(variance(column, mid));
                }
                case ROBUST -> {
                    mid = quantile(column, 0.5);
                    spread = quantile(column, Q_MAX) - quantile(column, Q_MIN);
                }
                case GAUSSIAN_ROBUST -> {
                    mid = quantile(column, 0.5);
                    spread = quantile(column, Q_MAX) - quantile(column, Q_MIN);
                    adjust = normalQuantile(Q_MAX) - normalQuantile(Q_MIN);
                }
                case AUTHORS -> {
                    // sklearn: np.nanpercentile(X, quantile_range) takes percentages, and unit_variance divides by
                    // norm.ppf(q_max / 100) − norm.ppf(q_min / 100): both read 0.25 and 0.75 as percent.
                    mid = quantile(column, 0.5);
                    spread = quantile(column, Q_MAX / 100) - quantile(column, Q_MIN / 100);
                    adjust = normalQuantile(Q_MAX / 100) - normalQuantile(Q_MIN / 100);
                }
                default -> throw new IllegalStateException(method.name());
            }
            center[c] = (float) mid;
            scale[c] = (float) ((spread < ZERO_SCALE ? 1 : spread) / adjust);
        }
        return new Normalizer(name(method), center, scale);
    }

    /** The method as {@code --normalizer} spells it. */
    public static String name(Method method) {
        return method.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The {@code q}-quantile of sorted values, linear between order statistics ({@code np.percentile}'s default). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Population variance (ddof 0), as StandardScaler's {@code var_}. */
    private static double variance(double[] x, double mean) {
        double s = 0;
        for (double v : x) {
            s += (v - mean) * (v - mean);
        }
        return s / x.length;
    }

    // Acklam's rational approximation of Φ⁻¹ (relative error below 1.2e-9, far under F32's precision; our choice,
    // as Java has no erfinv): coefficients of the central region (a, b) and of the tails (c, d).
    private static final double[] A = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    private static final double[] B = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01};
    private static final double[] C = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    private static final double[] D = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
        3.754408661907416e+00};
    private static final double TAIL = 0.02425;

    /** Φ⁻¹(p), the standard normal quantile ({@code scipy.stats.norm.ppf}), for 0 < p < 1. */
    static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("normal quantile of " + p);
        }
        if (p < TAIL) {
            return tail(p);
        }
        if (p > 1 - TAIL) {
            return -tail(1 - p);
        }
        double q = p - 0.5;
        double r = q * q;
        return poly(A, r) * q / (poly(B, r) * r + 1);
    }

    /** Φ⁻¹(p) for a small p (the lower tail). */
    private static double tail(double p) {
        double q = Math.sqrt(-2 * Math.log(p));
        return poly(C, q) / (poly(D, q) * q + 1);
    }

    /** Horner's rule: k[0] xⁿ⁻¹ + … + k[n−1]. */
    private static double poly(double[] k, double x) {
        double s = 0;
        for (double v : k) {
            s = s * x + v;
        }
        return s;
    }
}
