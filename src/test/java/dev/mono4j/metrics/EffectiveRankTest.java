package dev.mono4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EffectiveRankTest {
    /** exp of the Shannon entropy of σ/Σσ, written out independently of {@link EffectiveRank#of}. */
    static double expectedRank(double... sigma) {
        double total = 0;
        for (double s : sigma) {
            total += s;
        }
        double h = 0;
        for (double s : sigma) {
            if (s != 0) {
                h += -(s / total) * Math.log(s / total);
            }
        }
        return Math.exp(h);
    }

    /** {@code count} orthonormal vectors of length {@code n} (Gram–Schmidt on Gaussian draws, in double). */
    static double[][] orthonormal(SplittableRandom rng, int count, int n) {
        double[][] q = new double[count][n];
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < n; k++) {
                q[i][k] = rng.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < i; j++) {
                    double dot = 0;
                    for (int k = 0; k < n; k++) {
                        dot += q[i][k] * q[j][k];
                    }
                    for (int k = 0; k < n; k++) {
                        q[i][k] -= dot * q[j][k];
                    }
                }
            }
            double norm = 0;
            for (int k = 0; k < n; k++) {
                norm += q[i][k] * q[i][k];
            }
            for (int k = 0; k < n; k++) {
                q[i][k] /= Math.sqrt(norm);
            }
        }
        return q;
    }

    /** A = U diag(σ) Vᵀ as a float {@code [rows, cols]} matrix: its singular values are σ (up to float rounding). */
    static float[][] withSingularValues(long seed, int rows, int cols, double... sigma) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] u = orthonormal(rng, sigma.length, rows);
        double[][] v = orthonormal(rng, sigma.length, cols);
        float[][] a = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double s = 0;
                for (int i = 0; i < sigma.length; i++) {
                    s += u[i][r] * sigma[i] * v[i][c];
                }
                a[r][c] = (float) s;
            }
        }
        return a;
    }

    static double rank(float[][] rows, int capacity) {
        EffectiveRank er = new EffectiveRank(rows[0].length, capacity);
        for (float[] r : rows) {
            er.add(r, 0);
        }
        return er.value();
    }

    static float[][] transpose(float[][] a) {
        float[][] t = new float[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    @Test
    void orthogonalEqualNormVectorsHaveRankK() {
        SplittableRandom rng = new SplittableRandom(2);
        int d = 10;
        for (int k : new int[] {1, 3, 7}) {
            double[][] q = orthonormal(rng, k, d);
            float[][] rows = new float[k][d];
            for (int i = 0; i < k; i++) {
                for (int c = 0; c < d; c++) {
                    rows[i][c] = (float) (2.5 * q[i][c]);
                }
            }
            assertEquals(k, rank(rows, 100), 1e-5, "k = " + k);
        }
        // one-hot rows, exact
        float[][] hot = new float[4][6];
        for (int i = 0; i < 4; i++) {
            hot[i][i + 1] = -3f;
        }
        assertEquals(4, rank(hot, 10), 1e-9);
    }

    /** Rank-1 data on both paths: N ≤ d (Gram of samples) and N > d (Gram of dimensions). */
    @Test
    void multiplesOfOneVectorHaveRankOne() {
        SplittableRandom rng = new SplittableRandom(4);
        int d = 16;
        float[] v = new float[d];
        for (int k = 0; k < d; k++) {
            v[k] = (float) rng.nextGaussian();
        }
        for (int n : new int[] {5, 40}) {
            float[][] rows = new float[n][d];
            for (int i = 0; i < n; i++) {
                float scale = (float) (i % 2 == 0 ? (i + 1) : -0.5 * (i + 1));
                for (int k = 0; k < d; k++) {
                    rows[i][k] = v[k] * scale;
                }
            }
            assertEquals(1.0, rank(rows, 100), 1e-5, n + " samples");
        }
    }

    /**
     * A (N > d, Gram of dimensions) and Aᵀ (N ≤ d, Gram of samples) have the same singular values, built in
     * as σ = (5, 3, 2, 1, 0.5): both paths must give exp(H(σ/Σσ)).
     */
    @Test
    void bothGramPathsAgreeWithKnownSingularValues() {
        double[] sigma = {5, 3, 2, 1, 0.5};
        double expected = expectedRank(sigma);
        float[][] tall = withSingularValues(9, 12, 7, sigma); // 12 samples of width 7: by dimension
        float[][] wide = transpose(tall); // 7 samples of width 12: by sample
        double byDimension = rank(tall, 100);
        double bySample = rank(wide, 100);
        assertEquals(expected, byDimension, 1e-5);
        assertEquals(expected, bySample, 1e-5);
        assertEquals(byDimension, bySample, 1e-5);
        assertTrue(expected > 3 && expected < 4.5, "a spectrum between rank 3 and 5: " + expected);

        // N == d takes the by-sample path; a square matrix with full spectrum
        double[] full = {4, 4, 2, 1, 1, 0.25};
        assertEquals(expectedRank(full), rank(withSingularValues(10, 6, 6, full), 100), 1e-5);
    }

    @Test
    void capacityKeepsOnlyTheFirstVectors() {
        EffectiveRank er = new EffectiveRank(5, 3);
        float[] packed = new float[5 * 6 + 2];
        // first three: orthogonal one-hots; the rest would add two more directions
        for (int i = 0; i < 5; i++) {
            packed[2 + i * 5 + i] = 1f;
        }
        packed[2 + 5 * 5] = 1f;
        for (int i = 0; i < 6; i++) {
            er.add(packed, 2 + i * 5);
        }
        assertEquals(3, er.samples());
        assertEquals(3.0, er.value(), 1e-9);
    }

    @Test
    void ofGivenSingularValues() {
        assertEquals(4.0, EffectiveRank.of(new double[] {2, 2, 2, 2}), 1e-12);
        assertEquals(1.0, EffectiveRank.of(new double[] {7, 0, 0}), 0.0);
        assertEquals(Math.exp(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))), EffectiveRank.of(new double[] {3, 1, 0}),
                1e-12);
        assertEquals(expectedRank(5, 3, 2, 1, 0.5), EffectiveRank.of(new double[] {0.5, 1, 2, 3, 5}), 1e-12);
        assertTrue(Double.isNaN(EffectiveRank.of(new double[] {0, 0})));
        assertTrue(Double.isNaN(EffectiveRank.of(new double[0])));
    }

    @Test
    void noSamplesOrZeroSamplesHaveNoRank() {
        EffectiveRank er = new EffectiveRank(4, 8);
        assertTrue(Double.isNaN(er.value()));
        er.add(new float[4], 0);
        er.add(new float[4], 0);
        assertTrue(Double.isNaN(er.value()), "all singular values zero");
    }

    @Test
    void scalingTheDataLeavesTheRankUnchanged() {
        float[][] a = withSingularValues(12, 20, 6, 3, 2, 1);
        float[][] b = new float[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                b[i][j] = a[i][j] * 1000f;
            }
        }
        assertEquals(rank(a, 100), rank(b, 100), 1e-5);
        assertEquals(expectedRank(3, 2, 1), rank(a, 100), 1e-5);
    }
}
