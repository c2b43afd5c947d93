package dev.mono4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FeatureDecorrelationTest {
    /** 1 − mean over ordered pairs i≠j of cos(a_i, a_j), in double with plain loops; zero vectors skipped. */
    static double bruteForce(float[][] samples) {
        double sum = 0;
        long pairs = 0;
        for (int i = 0; i < samples.length; i++) {
            for (int j = 0; j < samples.length; j++) {
                if (i == j) {
                    continue;
                }
                double dot = 0;
                double ni = 0;
                double nj = 0;
                for (int k = 0; k < samples[i].length; k++) {
                    dot += (double) samples[i][k] * samples[j][k];
                    ni += (double) samples[i][k] * samples[i][k];
                    nj += (double) samples[j][k] * samples[j][k];
                }
                if (ni == 0 || nj == 0) {
                    continue;
                }
                sum += dot / Math.sqrt(ni * nj);
                pairs++;
            }
        }
        return 1 - sum / pairs;
    }

    private static FeatureDecorrelation feed(float[][] samples) {
        FeatureDecorrelation fd = new FeatureDecorrelation(samples[0].length);
        for (float[] s : samples) {
            fd.add(s, 0);
        }
        return fd;
    }

    @Test
    void orthogonalOneHotSamplesGiveExactlyOne() {
        int d = 7;
        float[][] samples = new float[d][d];
        for (int i = 0; i < d; i++) {
            samples[i][i] = 0.5f + i; // different norms, still orthogonal
        }
        FeatureDecorrelation fd = feed(samples);
        assertEquals(d, fd.samples());
        assertEquals(0.0, fd.meanCosine(), 0.0);
        assertEquals(1.0, fd.value(), 0.0);
    }

    @Test
    void identicalOrPositivelyScaledSamplesGiveZero() {
        float[] v = {0.3f, -1.2f, 2.5f, 0f, 7.1f};
        float[] scales = {1f, 1f, 2f, 0.001f, 1000f, 3.7f};
        float[][] samples = new float[scales.length][v.length];
        for (int i = 0; i < scales.length; i++) {
            for (int k = 0; k < v.length; k++) {
                samples[i][k] = v[k] * scales[i];
            }
        }
        FeatureDecorrelation fd = feed(samples);
        assertEquals(1.0, fd.meanCosine(), 1e-12);
        assertEquals(0.0, fd.value(), 1e-12);
    }

    @Test
    void oppositeSamplesReachOnePlusOneOverNMinusOne() {
        float[][] samples = {{1f, 2f, -3f}, {-2f, -4f, 6f}};
        FeatureDecorrelation fd = feed(samples);
        assertEquals(2.0, fd.value(), 1e-12, "cos = -1, FD = 1 + 1/(N-1) = 2");
    }

    @Test
    void randomVectorsMatchBruteForcePairwiseCosines() {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 40;
        int d = 9;
        float[][] samples = new float[n][d];
        float[] packed = new float[3 + n * d]; // with a leading gap, to exercise the offset
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                // a common positive component makes the mean cosine clearly nonzero
                samples[i][k] = (float) (rng.nextGaussian() + (k % 3 == 0 ? 0.8 : 0));
                packed[3 + i * d + k] = samples[i][k];
            }
        }
        double expected = bruteForce(samples);
        assertTrue(expected < 0.9 && expected > 0.3, "test data has a visible common direction: " + expected);
        FeatureDecorrelation fd = new FeatureDecorrelation(d);
        for (int i = 0; i < n; i++) {
            fd.add(packed, 3 + i * d);
        }
        assertEquals(n, fd.samples());
        assertEquals(expected, fd.value(), 1e-9);
    }

    @Test
    void zeroVectorsAreCountedAndSkipped() {
        SplittableRandom rng = new SplittableRandom(5);
        int d = 4;
        float[][] withZeros = new float[10][d];
        float[][] nonZero = new float[7][d];
        int z = 0;
        for (int i = 0; i < withZeros.length; i++) {
            if (i % 3 == 1) {
                continue; // rows 1, 4, 7 stay zero
            }
            for (int k = 0; k < d; k++) {
                withZeros[i][k] = (float) rng.nextGaussian();
            }
            nonZero[z++] = withZeros[i];
        }
        FeatureDecorrelation fd = feed(withZeros);
        assertEquals(3, fd.zeroVectors());
        assertEquals(7, fd.samples());
        assertEquals(bruteForce(nonZero), fd.value(), 1e-9);
        assertEquals(feed(nonZero).value(), fd.value(), 1e-12);
    }

    @Test
    void fewerThanTwoSamplesHaveNoValue() {
        FeatureDecorrelation fd = new FeatureDecorrelation(3);
        assertTrue(Double.isNaN(fd.value()));
        fd.add(new float[] {1f, 0f, 0f}, 0);
        fd.add(new float[] {0f, 0f, 0f}, 0);
        assertTrue(Double.isNaN(fd.value()), "one non-zero sample");
        fd.add(new float[] {0f, 1f, 0f}, 0);
        assertEquals(1.0, fd.value(), 0.0);
    }
}
