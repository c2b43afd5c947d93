package dev.mono4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ActivationSparsityTest {
    @Test
    void oneHotIsMaximallySparse() {
        int d = 8;
        float[] x = new float[d];
        x[2] = -3.5f;
        ActivationSparsity s = new ActivationSparsity(d, 1e-3);
        s.add(x, 1);
        assertEquals(1.0, s.hoyer(), 1e-15);
        assertEquals(1.0, s.l1OverL2(), 1e-15);
        assertEquals(7.0 / 8, s.nearZeroFraction(), 0.0);
        double mean = -3.5 / d;
        assertEquals(3.5 * 3.5 / d - mean * mean, s.varianceAcrossDims(), 1e-12);
        assertEquals(1, s.tokens());
    }

    @Test
    void constantMagnitudeIsMaximallyDense() {
        int d = 16;
        float[] x = new float[d];
        for (int k = 0; k < d; k++) {
            x[k] = k % 2 == 0 ? 2f : -2f;
        }
        ActivationSparsity s = new ActivationSparsity(d, 1e-3);
        s.add(x, 1);
        assertEquals(0.0, s.hoyer(), 1e-12);
        assertEquals(Math.sqrt(d), s.l1OverL2(), 1e-12);
        assertEquals(0.0, s.nearZeroFraction(), 0.0);
        assertEquals(4.0, s.varianceAcrossDims(), 1e-12, "mean 0, mean square 4");
    }

    @Test
    void nearZeroFractionAndVarianceOnAHandCase() {
        // |a| < 0.25: 0.125, -0.125 and 0 (0.25 itself is not below); all values exact in binary
        float[] row1 = {0.125f, -0.125f, 0.25f, -0.5f, 0f};
        float[] row2 = {1f, 1f, 1f, 1f, 1f};
        float[] x = new float[10];
        System.arraycopy(row1, 0, x, 0, 5);
        System.arraycopy(row2, 0, x, 5, 5);
        ActivationSparsity s = new ActivationSparsity(5, 0.25);
        s.add(x, 2);
        assertEquals(3.0 / 10, s.nearZeroFraction(), 0.0);
        // row1: mean = -0.25/5 = -0.05, mean square = (1/64 + 1/64 + 1/16 + 1/4)/5 = 0.06875 → var 0.06625
        // row2: var 0
        assertEquals((0.06625 + 0) / 2, s.varianceAcrossDims(), 1e-12);
        // row1: L1 = 1, L2 = sqrt(0.34375); row2: L1/L2 = sqrt(5), Hoyer 0
        double r1 = 1 / Math.sqrt(0.34375);
        assertEquals((r1 + Math.sqrt(5)) / 2, s.l1OverL2(), 1e-12);
        double h1 = (Math.sqrt(5) - r1) / (Math.sqrt(5) - 1);
        assertEquals(h1 / 2, s.hoyer(), 1e-12);
    }

    @Test
    void zeroVectorsCountForNearZeroAndVarianceButNotForHoyer() {
        float[] x = {0f, 0f, 0f, 0f, 0f, 4f, 0f, 0f};
        ActivationSparsity s = new ActivationSparsity(4, 1e-3);
        s.add(x, 2);
        assertEquals(2, s.tokens());
        assertEquals(7.0 / 8, s.nearZeroFraction(), 0.0);
        assertEquals(1.0, s.hoyer(), 1e-15, "averaged over the one non-zero token");
        assertEquals(1.0, s.l1OverL2(), 1e-15);
        assertEquals((0 + (16.0 / 4 - 1.0)) / 2, s.varianceAcrossDims(), 1e-12);
    }

    @Test
    void widthOneCountsAsOneHot() {
        ActivationSparsity s = new ActivationSparsity(1, 1e-3);
        s.add(new float[] {-2f, 3f}, 2);
        assertEquals(1.0, s.hoyer(), 0.0);
        assertEquals(1.0, s.l1OverL2(), 0.0);
        assertEquals(0.0, s.varianceAcrossDims(), 0.0);
    }

    @Test
    void randomRowsMatchBruteForceAveragesAcrossBatches() {
        SplittableRandom rng = new SplittableRandom(3);
        int d = 12;
        int rows = 50;
        double eps = 0.3;
        float[] x = new float[rows * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble() < 0.4 ? 0f : (float) rng.nextGaussian();
        }
        double hoyer = 0;
        double ratio = 0;
        double var = 0;
        long near = 0;
        for (int r = 0; r < rows; r++) {
            double l1 = 0;
            double l2 = 0;
            double mean = 0;
            for (int k = 0; k < d; k++) {
                double v = x[r * d + k];
                l1 += Math.abs(v);
                l2 += v * v;
                mean += v / d;
                near += Math.abs(v) < eps ? 1 : 0;
            }
            double v2 = 0;
            for (int k = 0; k < d; k++) {
                v2 += (x[r * d + k] - mean) * (x[r * d + k] - mean) / d;
            }
            var += v2 / rows;
            double q = l1 / Math.sqrt(l2);
            ratio += q / rows;
            hoyer += (Math.sqrt(d) - q) / (Math.sqrt(d) - 1) / rows;
        }
        ActivationSparsity s = new ActivationSparsity(d, eps);
        // three uneven batches
        s.add(java.util.Arrays.copyOfRange(x, 0, 7 * d), 7);
        s.add(java.util.Arrays.copyOfRange(x, 7 * d, 30 * d), 23);
        s.add(java.util.Arrays.copyOfRange(x, 30 * d, rows * d), 20);
        assertEquals(rows, s.tokens());
        assertEquals(hoyer, s.hoyer(), 1e-12);
        assertEquals(ratio, s.l1OverL2(), 1e-12);
        assertEquals(var, s.varianceAcrossDims(), 1e-12);
        assertEquals((double) near / (rows * d), s.nearZeroFraction(), 1e-15);
    }
}
