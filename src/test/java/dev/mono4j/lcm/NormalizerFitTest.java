package dev.mono4j.lcm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The normaliser's fit against hand-computed quantiles, scipy's normal quantiles, and the authors' percentile slip. */
class NormalizerFitTest {
    /** Two channels of five rows: {1, 2, 3, 4, 10} and {5, 5, 5, 5, 5} (constant). */
    private static final float[] ROWS = {1, 5, 2, 5, 3, 5, 4, 5, 10, 5};

    @Test
    void normalQuantileMatchesScipy() {
        // scipy.stats.norm.ppf(0.75), ppf(0.0025), ppf(0.0075), printed by scipy 1.x
        assertEquals(0.6744897501960817, NormalizerFit.normalQuantile(0.75), 1e-8);
        assertEquals(-0.6744897501960817, NormalizerFit.normalQuantile(0.25), 1e-8);
        assertEquals(-2.8070337683438042, NormalizerFit.normalQuantile(0.0025), 1e-8);
        assertEquals(-2.4323790585844467, NormalizerFit.normalQuantile(0.0075), 1e-8);
    }

    @Test
    void robustMethodsUseTheQuartilesByHand() {
        // sorted {1,2,3,4,10}: median 3; q25 at position 1 → 2, q75 at position 3 → 4; IQR 2
        Normalizer robust = NormalizerFit.fit(NormalizerFit.Method.ROBUST, ROWS, 5, 2);
        assertEquals(3f, robust.center()[0]);
        assertEquals(2f, robust.scale()[0]);
        Normalizer gauss = NormalizerFit.fit(NormalizerFit.Method.GAUSSIAN_ROBUST, ROWS, 5, 2);
        assertEquals(3f, gauss.center()[0]);
        assertEquals(2 / (2 * 0.6744897501960817), gauss.scale()[0], 1e-6);
        // the constant channel: sklearn's zero-scale guard makes the spread 1 before the Gaussian adjustment
        assertEquals(5f, gauss.center()[1]);
        assertEquals(1 / (2 * 0.6744897501960817), gauss.scale()[1], 1e-6);
        assertEquals(1f, robust.scale()[1]);
        assertEquals("gaussian-robust", gauss.method());
    }

    @Test
    void standardIsMeanAndPopulationStd() {
        Normalizer s = NormalizerFit.fit(NormalizerFit.Method.STANDARD, ROWS, 5, 2);
        assertEquals(4f, s.center()[0]);
        // deviations −3 −2 −1 0 6: squares 9+4+1+0+36 = 50, /5 = 10
        assertEquals(Math.sqrt(10), s.scale()[0], 1e-6);
        assertEquals(1f, s.scale()[1]);
    }

    @Test
    void authorsReadTheQuartilesAsPercentiles() {
        // The grid 0, 1/1000, …, 1: the q-quantile is exactly q. Right: IQR 0.5 / 1.34898; the authors' code:
        // (0.0075 − 0.0025) / (Φ⁻¹(0.0075) − Φ⁻¹(0.0025)), 37× smaller.
        int n = 1001;
        float[] grid = new float[n];
        for (int i = 0; i < n; i++) {
            grid[i] = (float) (i / 1000.0);
        }
        double right = NormalizerFit.fit(NormalizerFit.Method.GAUSSIAN_ROBUST, grid, n, 1).scale()[0];
        double authors = NormalizerFit.fit(NormalizerFit.Method.AUTHORS, grid, n, 1).scale()[0];
        assertEquals(0.5 / (2 * 0.6744897501960817), right, 1e-6);
        assertEquals(0.005 / (-2.4323790585844467 + 2.8070337683438042), authors, 1e-5);
        assertEquals(0.5f, NormalizerFit.fit(NormalizerFit.Method.AUTHORS, grid, n, 1).center()[0], 1e-6);
    }

    @Test
    void onGaussianChannelsBothEstimateSigmaButTheAuthorsFromTheTail() {
        // sklearn divides the percentile span by the normal span of the same percentiles, so a Gaussian channel
        // still gets ≈ σ; the estimate rests on 0.5% of the rows. Their `robust` (no adjustment) would give
        // σ · (Φ⁻¹(0.0075) − Φ⁻¹(0.0025)) ≈ 0.375 σ instead of 1.349 σ.
        SplittableRandom rng = new SplittableRandom(7);
        int n = 200_000;
        float sigma = 3f;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (1 + sigma * gaussian(rng));
        }
        assertEquals(sigma, NormalizerFit.fit(NormalizerFit.Method.GAUSSIAN_ROBUST, x, n, 1).scale()[0], 0.03);
        assertEquals(sigma, NormalizerFit.fit(NormalizerFit.Method.AUTHORS, x, n, 1).scale()[0], 0.15);
        assertEquals(1, NormalizerFit.fit(NormalizerFit.Method.AUTHORS, x, n, 1).center()[0], 0.03);
    }

    @Test
    void noneIsTheIdentity() {
        Normalizer none = NormalizerFit.fit(NormalizerFit.Method.NONE, ROWS, 5, 2);
        assertArrayEquals(new float[] {1, 5}, none.normalize(new float[] {1, 5}));
    }

    private static double gaussian(SplittableRandom rng) {
        // Box–Muller
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
