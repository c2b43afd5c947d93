package dev.mono4j.data.factorgraph;

import java.util.SplittableRandom;

/**
 * Seeded Gamma and symmetric Dirichlet draws: a Dirichlet(α, …, α) vector is K independent Gamma(α, 1) draws
 * divided by their sum (the standard construction, e.g. Devroye, "Non-Uniform Random Variate Generation", 1986,
 * §XI.4). Gamma draws follow Marsaglia and Tsang, "A Simple Method for Generating Gamma Variables", ACM TOMS 26(3),
 * 2000: for shape a ≥ 1 their squeeze-and-reject on d·(1 + c·x)³ with d = a − 1/3, c = 1/√(9d), x standard normal;
 * for a < 1 the boost the paper gives, Gamma(a) = Gamma(a + 1) · U^(1/a). The normal draws are
 * {@link SplittableRandom#nextGaussian()} (RandomGenerator's default, McFarland's ziggurat), so the same seed gives
 * the same tables.
 */
final class Dirichlet {
    private Dirichlet() {
    }

    /** One symmetric Dirichlet(α) vector of length {@code k}: non-negative, summing to 1. */
    static double[] symmetric(int k, double alpha, SplittableRandom rng) {
        double[] p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = gamma(alpha, rng);
            sum += p[i];
        }
        for (int i = 0; i < k; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** One Gamma(shape, 1) draw (Marsaglia–Tsang; see the class comment). */
    static double gamma(double shape, SplittableRandom rng) {
        if (shape < 1) {
            // 1 − nextDouble() lies in (0, 1], so the boost never multiplies by zero.
            return gamma(shape + 1, rng) * Math.pow(1 - rng.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = rng.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = 1 - rng.nextDouble();
            double x2 = x * x;
            // The squeeze (Marsaglia–Tsang step 3) accepts most draws without a logarithm; then the exact test.
            if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }
}
