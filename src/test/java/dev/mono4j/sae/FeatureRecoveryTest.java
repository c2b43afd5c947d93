package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FeatureRecoveryTest {
    private static final double R = Math.sqrt(0.5);

    static float[] gaussian(int rows, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[rows * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    /** For each row of a, the best cosine with a row of b, in double with plain loops; zero rows score 0. */
    static double[] bruteForce(float[] a, float[] b, int d) {
        double[] best = new double[a.length / d];
        for (int i = 0; i < best.length; i++) {
            best[i] = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < b.length / d; k++) {
                double dot = 0;
                double na = 0;
                double nb = 0;
                for (int j = 0; j < d; j++) {
                    dot += (double) a[i * d + j] * b[k * d + j];
                    na += (double) a[i * d + j] * a[i * d + j];
                    nb += (double) b[k * d + j] * b[k * d + j];
                }
                best[i] = Math.max(best[i], na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb));
            }
        }
        return best;
    }

    @Test
    void permutedAndScaledFeaturesAreAllRecovered() {
        int n = 40;
        int d = 12;
        float[] f = gaussian(n, d, 1);
        float[] decoder = new float[(n + 5) * d]; // permuted, scaled, plus some junk rows
        System.arraycopy(gaussian(5, d, 2), 0, decoder, n * d, 5 * d);
        for (int i = 0; i < n; i++) {
            int to = (i * 7 + 3) % n;
            for (int j = 0; j < d; j++) {
                decoder[to * d + j] = f[i * d + j] * (0.1f + i);
            }
        }
        float[] best = FeatureRecovery.bestCosines(f, decoder, d);
        for (float c : best) {
            assertEquals(1, c, 1e-5);
        }
        assertEquals(1, FeatureRecovery.recoveryRate(best, 0.9));
        assertEquals(1, FeatureRecovery.meanMaxCosine(f, decoder, d), 1e-5);
    }

    @Test
    void orthogonalJunkRecoversNothing() {
        // True features live in coordinates 0..3, decoder rows in 4..7.
        float[] f = new float[6 * 8];
        float[] decoder = new float[9 * 8];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 4; j++) {
                f[i * 8 + j] = (float) rng.nextGaussian();
            }
        }
        for (int i = 0; i < 9; i++) {
            for (int j = 4; j < 8; j++) {
                decoder[i * 8 + j] = (float) rng.nextGaussian();
            }
        }
        float[] best = FeatureRecovery.bestCosines(f, decoder, 8);
        for (float c : best) {
            assertEquals(0, c, 1e-6);
        }
        assertEquals(0, FeatureRecovery.recoveryRate(best, 0.8));
    }

    @Test
    void partialRecoveryHasTheKnownCosines() {
        float[] f = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}; // e0..e3
        // e0 exactly, e1 and e2 by their mean direction (cos 1/√2), e3 only by −e3 (the wrong sign), a dead row.
        float[] decoder = {2, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, -1, 0, 0, 0, 0};
        float[] best = FeatureRecovery.bestCosines(f, decoder, 4);
        double[] expected = {1, R, R, 0};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], best[i], 1e-6, "feature " + i);
        }
        assertEquals(0.25, FeatureRecovery.recoveryRate(best, 0.8));
        assertEquals(0.25, FeatureRecovery.recoveryRate(best, 0.9));
        assertEquals(0.75, FeatureRecovery.recoveryRate(best, 0.7));
        assertEquals((1 + 2 * R) / 4, FeatureRecovery.meanMaxCosine(f, decoder, 4), 1e-6);
        assertEquals((1 + R + 0 + 0) / 4, FeatureRecovery.meanMaxCosine(decoder, f, 4), 1e-6, "not symmetric");
        FeatureRecovery.Scores s = FeatureRecovery.score(f, decoder, 4);
        assertEquals(0.25, s.frr08());
        assertEquals(0.25, s.frr09());
        assertEquals((1 + 2 * R) / 4, s.meanBestCosine(), 1e-6);
    }

    @Test
    void meanMaxCosineMatchesBruteForceAcrossBlocks() {
        int d = 9;
        float[] a = gaussian(2500, d, 4); // more rows than one block
        float[] b = gaussian(70, d, 5);
        java.util.Arrays.fill(a, 17 * d, 18 * d, 0f); // a zero row
        float[] best = FeatureRecovery.bestCosines(a, b, d);
        double[] expected = bruteForce(a, b, d);
        double mean = 0;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], best[i], 1e-5, "row " + i);
            mean += expected[i] / expected.length;
        }
        assertEquals(0, best[17]);
        assertEquals(mean, FeatureRecovery.meanMaxCosine(a, b, d), 1e-6);
    }

    @Test
    void badShapesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FeatureRecovery.bestCosines(new float[7], new float[8], 4));
        assertThrows(IllegalArgumentException.class, () -> FeatureRecovery.bestCosines(new float[8], new float[0], 4));
    }
}
