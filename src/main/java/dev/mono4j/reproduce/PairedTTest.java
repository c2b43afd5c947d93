package dev.mono4j.reproduce;

/**
 * Student's paired t-test (Student 1908; any statistics text, e.g. Wasserman, All of Statistics §10.4): for
 * differences d_i = a_i − b_i, i = 1..n, t = mean(d) / (s_d / √n) with s_d the sample standard deviation,
 * df = n − 1, and the two-sided p-value P(|T| ≥ |t|) of Student's t distribution with df degrees of freedom.
 *
 * <p>The t distribution's tail is the regularized incomplete beta function: P(|T| ≥ |t|) = I_x(df/2, 1/2) with
 * x = df / (df + t²) (Abramowitz and Stegun 26.7.1 with 26.5.27). I_x is evaluated by its continued fraction
 * (Abramowitz and Stegun 26.5.8) with the modified Lentz method.
 *
 * @param n        pairs
 * @param meanDiff mean of a − b
 * @param sdDiff   sample standard deviation of a − b (n − 1 in the denominator); NaN for one pair
 * @param t        the statistic; ±∞ when every difference is the same non-zero value, NaN when all are zero
 * @param p        two-sided p-value; NaN when t is NaN or n &lt; 2
 */
public record PairedTTest(int n, double meanDiff, double sdDiff, double t, double p) {

    public static PairedTTest of(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired samples differ in length: " + a.length + " and " + b.length);
        }
        int n = a.length;
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += (a[i] - b[i]) / n;
        }
        if (n < 2) {
            return new PairedTTest(n, n == 0 ? Double.NaN : mean, Double.NaN, Double.NaN, Double.NaN);
        }
        double ss = 0;
        for (int i = 0; i < n; i++) {
            double e = a[i] - b[i] - mean;
            ss += e * e;
        }
        double sd = Math.sqrt(ss / (n - 1));
        double t = mean / (sd / Math.sqrt(n)); // 0/0 = NaN when every difference is zero
        double p = Double.isNaN(t) ? Double.NaN : twoSidedP(t, n - 1);
        return new PairedTTest(n, mean, sd, t, p);
    }

    /** P(|T| ≥ |t|) for Student's t with {@code df} degrees of freedom. */
    public static double twoSidedP(double t, double df) {
        if (Double.isInfinite(t)) {
            return 0;
        }
        return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
    }

    /** I_x(a, b) for 0 ≤ x ≤ 1 and a, b &gt; 0. */
    static double regularizedIncompleteBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        // x^a (1 − x)^b / (a B(a, b)), the factor in front of the continued fraction (A&S 26.5.8).
        double logFront = a * Math.log(x) + b * Math.log1p(-x) + logGamma(a + b) - logGamma(a) - logGamma(b);
        // The fraction converges fast for x < (a + 1)/(a + b + 2); otherwise use I_x(a, b) = 1 − I_{1−x}(b, a).
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(logFront) * continuedFraction(x, a, b) / a;
        }
        return 1 - Math.exp(logFront) * continuedFraction(1 - x, b, a) / b;
    }

    /**
     * 1/(1+ d1/(1+ d2/(1+ …))) with d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and
     * d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)) (A&S 26.5.8), by the modified Lentz method.
     */
    private static double continuedFraction(double x, double a, double b) {
        final double tiny = 1e-300;
        final double eps = 1e-15;
        double c = 1;
        double d = 1 - (a + b) * x / (a + 1); // the first term, d1, folded in
        d = 1 / (Math.abs(d) < tiny ? tiny : d);
        double f = d;
        for (int m = 1; m <= 10_000; m++) {
            double even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            double odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            for (double coef : new double[] {even, odd}) {
                d = 1 + coef * d;
                d = 1 / (Math.abs(d) < tiny ? tiny : d);
                c = 1 + coef / c;
                c = Math.abs(c) < tiny ? tiny : c;
                f *= c * d;
            }
            if (Math.abs(c * d - 1) < eps) {
                return f;
            }
        }
        throw new IllegalStateException("incomplete beta did not converge at x=" + x + ", a=" + a + ", b=" + b);
    }

    /**
     * ln Γ(z) for z &gt; 0 by Lanczos' approximation (g = 7, nine coefficients, as published by Godfrey;
     * relative error about 1e-15), with Γ(z)Γ(1 − z) = π / sin(πz) below 1/2.
     */
    static double logGamma(double z) {
        if (z < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
        }
        double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        double zz = z - 1;
        double sum = g[0];
        for (int i = 1; i < g.length; i++) {
            sum += g[i] / (zz + i);
        }
        double t = zz + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(sum);
    }
}
