package dev.mono4j.stats;

import java.util.List;

/**
 * Student's paired t-test: do two methods run with the same seeds differ by more than their seeds' spread?
 * With the per-seed differences d_i = a_i − b_i, t = mean(d) / (sd(d)/√n) on n − 1 degrees of freedom, and
 * the two-sided p = P(|T| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, 1/2) (the regularized incomplete beta function; Abramowitz
 * and Stegun 26.7.1 with 26.5). With one seed there is no spread to judge by: t and p are NaN. Differences
 * equal on every seed are the limit of no spread: p is 0 when they are not zero, 1 when they are.
 *
 * @param n          seeds (pairs)
 * @param meanDiff   mean of a − b
 * @param sdDiff     sample standard deviation of a − b (n − 1 in the denominator)
 * @param t          the t statistic (NaN when it is undefined)
 * @param p          two-sided p-value (NaN when it is undefined)
 */
public record PairedTTest(int n, double meanDiff, double sdDiff, double t, double p) {
    /** The level a difference must reach to count as a finding in our reports (our choice, the usual one). */
    public static final double ALPHA = 0.05;

    public static PairedTTest of(List<Double> a, List<Double> b) {
        return of(a.stream().mapToDouble(Double::doubleValue).toArray(), b.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public static PairedTTest of(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("a paired test needs the same seeds on both sides: " + a.length + " vs " + b.length);
        }
        int n = a.length;
        double[] d = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            d[i] = a[i] - b[i];
            mean += d[i] / n;
        }
        if (n < 2) {
            return new PairedTTest(n, mean, Double.NaN, Double.NaN, Double.NaN);
        }
        double ss = 0;
        for (double x : d) {
            ss += (x - mean) * (x - mean);
        }
        double sd = Math.sqrt(ss / (n - 1));
        if (sd == 0) {
            return new PairedTTest(n, mean, 0, mean == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, mean), mean == 0 ? 1 : 0);
        }
        double t = mean / (sd / Math.sqrt(n));
        return new PairedTTest(n, mean, sd, t, twoSidedP(t, n - 1));
    }

    /** True when the difference is beyond the seeds' spread at {@link #ALPHA}. */
    public boolean significant() {
        return p < ALPHA;
    }

    /** "+3.1 ± 2.0 (t = 2.68, p = 0.12, 3 seeds)", values scaled by {@code scale}; one seed says so. */
    public String describe(double scale, String format) {
        if (n < 2) {
            return String.format(java.util.Locale.ROOT, "%+" + format.substring(1) + " (one seed: no spread to judge it by)",
                    scale * meanDiff);
        }
        if (sdDiff == 0) {
            return String.format(java.util.Locale.ROOT, "%+" + format.substring(1) + " on each of %d seeds", scale * meanDiff, n);
        }
        return String.format(java.util.Locale.ROOT, "%+" + format.substring(1) + " ± " + format + " (t = %.2f, p = %.3f, %d seeds)",
                scale * meanDiff, scale * sdDiff, t, p, n);
    }

    /** P(|T| ≥ |t|) for Student's t with {@code nu} degrees of freedom. */
    public static double twoSidedP(double t, double nu) {
        return regularizedBeta(nu / (nu + t * t), nu / 2, 0.5);
    }

    /** I_x(a, b), by its continued fraction (A&S 26.5.8), on the side of x where it converges fast. */
    static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(logFront) * continuedFraction(x, a, b) / a;
        }
        return 1 - Math.exp(logFront) * continuedFraction(1 - x, b, a) / b;
    }

    /**
     * 1/(1+ d₁/(1+ d₂/(1+ …))) with d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and
     * d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)) (A&S 26.5.8), evaluated by the modified Lentz method.
     */
    private static double continuedFraction(double x, double a, double b) {
        final double tiny = 1e-300;
        double c = 1;
        double d = 1 - (a + b) * x / (a + 1);
        d = Math.abs(d) < tiny ? tiny : d;
        d = 1 / d;
        double f = d;
        for (int m = 1; m <= 500; m++) {
            double even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + even * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + even / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            f *= d * c;
            double odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + odd * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + odd / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double step = d * c;
            f *= step;
            if (Math.abs(step - 1) < 1e-15) {
                break;
            }
        }
        return f;
    }

    /** ln Γ(z) for z > 0, by Stirling's series after shifting z above 10 (error below 1e-13 there). */
    static double logGamma(double z) {
        double shift = 0;
        while (z < 10) {
            shift -= Math.log(z);
            z += 1;
        }
        double inv = 1 / z;
        double inv2 = inv * inv;
        double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680))));
        return shift + (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + series;
    }
}
