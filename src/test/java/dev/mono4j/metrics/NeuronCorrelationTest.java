package dev.mono4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NeuronCorrelationTest {
    /** Pearson correlation of columns i and j of {@code x [rows, m]}, two-pass in double. */
    static double pearson(float[] x, int rows, int m, int i, int j) {
        double mi = 0;
        double mj = 0;
        for (int r = 0; r < rows; r++) {
            mi += x[r * m + i];
            mj += x[r * m + j];
        }
        mi /= rows;
        mj /= rows;
        double cov = 0;
        double vi = 0;
        double vj = 0;
        for (int r = 0; r < rows; r++) {
            double a = x[r * m + i] - mi;
            double b = x[r * m + j] - mj;
            cov += a * b;
            vi += a * a;
            vj += b * b;
        }
        return cov / Math.sqrt(vi * vj);
    }

    /** Feeds {@code x} in batches of the given row counts, each batch under its own sub-manager. */
    static NeuronCorrelation feed(NDManager m, float[] x, int width, int layerWidth, int... batches) {
        NeuronCorrelation nc = new NeuronCorrelation(width, layerWidth);
        int start = 0;
        for (int rows : batches) {
            try (NDManager step = m.newSubManager()) {
                nc.add(step, Arrays.copyOfRange(x, start * width, (start + rows) * width), rows);
            }
            start += rows;
        }
        assertEquals(x.length / width, start, "batches cover the data");
        return nc;
    }

    /** m correlated neurons: neuron k = z_k + 0.7 z_{k-1} + offset + scale·(k+1) noise structure. */
    static float[] correlatedData(long seed, int rows, int m, double offset, double spread) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[rows * m];
        for (int r = 0; r < rows; r++) {
            double prev = rng.nextGaussian();
            for (int k = 0; k < m; k++) {
                double z = rng.nextGaussian();
                x[r * m + k] = (float) (offset + spread * (z + 0.7 * prev) * (1 + 0.3 * k));
                prev = z;
            }
        }
        return x;
    }

    @Test
    void duplicatedNeuronHasCorrelationOne() {
        SplittableRandom rng = new SplittableRandom(1);
        int m = 4;
        int rows = 64;
        float[] x = new float[rows * m];
        for (int r = 0; r < rows; r++) {
            x[r * m] = (float) rng.nextGaussian();
            x[r * m + 1] = (float) rng.nextGaussian();
            x[r * m + 2] = x[r * m]; // duplicate of neuron 0
            x[r * m + 3] = -2 * x[r * m + 1]; // negated, scaled copy of neuron 1
        }
        try (NDManager mgr = NDManager.newBaseManager()) {
            double[][] c = feed(mgr, x, m, m, 20, 44).correlation();
            assertEquals(1.0, c[0][2], 1e-6);
            assertEquals(1.0, c[2][0], 1e-6);
            assertEquals(-1.0, c[1][3], 1e-6);
            assertEquals(pearson(x, rows, m, 0, 1), c[0][1], 1e-6);
            assertTrue(Math.abs(c[0][1]) < 0.5, "independent neurons are not strongly correlated");
        }
    }

    @Test
    void correlationMatrixMatchesBruteForcePearsonAcrossBatches() {
        int m = 6;
        int rows = 300;
        float[] x = correlatedData(7, rows, m, 0.5, 1.0);
        try (NDManager mgr = NDManager.newBaseManager()) {
            NeuronCorrelation nc = feed(mgr, x, m, m, 37, 100, 13, 150);
            double[][] c = nc.correlation();
            double abs = 0;
            double sq = 0;
            for (int i = 0; i < m; i++) {
                assertEquals(1.0, c[i][i], 0.0);
                for (int j = 0; j < m; j++) {
                    if (i != j) {
                        double p = pearson(x, rows, m, i, j);
                        assertEquals(p, c[i][j], 1e-5, "C[" + i + "][" + j + "]");
                        abs += Math.abs(p);
                        sq += p * p;
                    }
                }
            }
            NeuronCorrelation.Result r = nc.result();
            assertEquals(abs / (m * (m - 1)), r.meanAbsCorrelation(), 1e-5);
            assertEquals(sq / ((double) m * m), r.offDiagonalFrobenius(), 1e-5);
            assertEquals(m, r.neurons());
            assertEquals(0, r.constantNeurons());
            assertEquals(rows, r.tokens());
            assertTrue(r.meanAbsCorrelation() > 0.1, "the data has correlated neighbours");
        }
    }

    /**
     * Mean 1e4 next to a spread of 1: float32 values keep ~1e-3 resolution, but naive E[x²] − E[x]² loses
     * everything (x² ≈ 1e8, ulp 8). The reference is two-pass double Pearson on the same float values. The
     * later batches' mean drifts away from the first batch's (the shift) to make sure the shift is not
     * mistaken for the mean.
     */
    @Test
    void largeOffsetIsNumericallyStable() {
        int m = 5;
        int rows = 400;
        float[] x = correlatedData(13, rows, m, 1e4, 1.0);
        for (int i = 200 * m; i < x.length; i++) {
            x[i] += 0.75f; // the second half sits higher
        }
        try (NDManager mgr = NDManager.newBaseManager()) {
            NeuronCorrelation nc = feed(mgr, x, m, m, 50, 150, 200);
            double[][] c = nc.correlation();
            for (int i = 0; i < m; i++) {
                assertEquals(1.0, c[i][i], 0.0);
                for (int j = 0; j < m; j++) {
                    if (i != j) {
                        assertEquals(pearson(x, rows, m, i, j), c[i][j], 1e-4, "C[" + i + "][" + j + "]");
                    }
                }
            }
            assertEquals(0, nc.result().constantNeurons());
        }
    }

    @Test
    void constantNeuronIsCountedAndExcluded() {
        int m = 4;
        int rows = 90;
        float[] x = correlatedData(21, rows, m, 0, 1.0);
        for (int r = 0; r < rows; r++) {
            x[r * m + 2] = 3.1f; // never varies (and 3.1/37 does not sum back to 3.1 exactly in float)
        }
        try (NDManager mgr = NDManager.newBaseManager()) {
            NeuronCorrelation nc = feed(mgr, x, m, m, 37, 53);
            double[][] c = nc.correlation();
            for (int j = 0; j < m; j++) {
                assertTrue(Double.isNaN(c[2][j]) && Double.isNaN(c[j][2]), "row and column of the constant neuron");
            }
            NeuronCorrelation.Result r = nc.result();
            assertEquals(1, r.constantNeurons());
            assertEquals(m, r.neurons());
            int[] live = {0, 1, 3};
            double abs = 0;
            double sq = 0;
            for (int i : live) {
                for (int j : live) {
                    if (i != j) {
                        double p = pearson(x, rows, m, i, j);
                        abs += Math.abs(p);
                        sq += p * p;
                    }
                }
            }
            assertEquals(abs / 6, r.meanAbsCorrelation(), 1e-5, "mean over the 6 ordered pairs of live neurons");
            assertEquals(sq / 6 * m * (m - 1) / ((double) m * m), r.offDiagonalFrobenius(), 1e-5);
        }
    }

    @Test
    void constantNeuronWithALargeValueIsStillConstant() {
        int m = 3;
        int rows = 64;
        float[] x = correlatedData(22, rows, m, 0, 1.0);
        for (int r = 0; r < rows; r++) {
            x[r * m + 1] = 12345.678f;
        }
        try (NDManager mgr = NDManager.newBaseManager()) {
            assertEquals(1, feed(mgr, x, m, m, 31, 33).result().constantNeurons());
        }
    }

    /** On all d neurons, ‖C − I‖²_F / d² computed directly; on a sample, mean_{i≠j} C² · d(d−1)/d². */
    @Test
    void frobeniusFormulaOnTheFullSetAndOnASample() {
        int m = 5;
        int rows = 200;
        float[] x = correlatedData(31, rows, m, -2, 3.0);
        try (NDManager mgr = NDManager.newBaseManager()) {
            double direct = 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    double cij = i == j ? 1 : pearson(x, rows, m, i, j);
                    double e = cij - (i == j ? 1 : 0);
                    direct += e * e;
                }
            }
            direct /= (double) m * m;
            assertEquals(direct, feed(mgr, x, m, m, rows).result().offDiagonalFrobenius(), 1e-5);

            int d = 40; // these 5 neurons are a sample of a 40-wide layer
            double meanSq = direct * m * m / (m * (m - 1));
            NeuronCorrelation.Result sample = feed(mgr, x, m, d, 64, 136).result();
            assertEquals(meanSq * d * (d - 1) / ((double) d * d), sample.offDiagonalFrobenius(), 1e-5);
            assertEquals(feed(mgr, x, m, m, rows).result().meanAbsCorrelation(), sample.meanAbsCorrelation(), 1e-6,
                    "the mean |C| does not depend on the layer width (batches differ: float rounding only)");
        }
    }

    @Test
    void emptyBatchesAreIgnored() {
        int m = 3;
        float[] x = correlatedData(41, 20, m, 0, 1);
        try (NDManager mgr = NDManager.newBaseManager()) {
            NeuronCorrelation nc = new NeuronCorrelation(m, m);
            try (NDManager step = mgr.newSubManager()) {
                nc.add(step, new float[0], 0);
                nc.add(step, x, 20);
            }
            assertEquals(20, nc.result().tokens());
            assertEquals(pearson(x, 20, m, 0, 1), nc.correlation()[0][1], 1e-5);
        }
    }
}
