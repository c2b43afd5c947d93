package dev.mono4j.sae.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Java kernels alone: the sparse step against its formulas, and the row-wise largest values against sorting.
 * Their use in training (both TopK paths against plain autograd) is tested in {@code dev.mono4j.sae.TopKSaeTest}.
 */
class SparseTopKStepTest {
    /** The kernel against the formulas of its class comment, in double precision, one entry at a time. */
    @Test
    void kernelMatchesDirectComputation() {
        // More rows and latents than one parallel block, a width that is no multiple of the unrolling, and rows
        // with 0 to 9 candidates, a third of them below the threshold.
        int n = 130;
        int dIn = 7;
        int dSae = 70;
        float threshold = 0.5f;
        Random r = new Random(2);
        float[] xc = random(r, n * dIn);
        float[] dec = random(r, dSae * dIn);
        float[][] values = new float[n][];
        int[][] latents = new int[n][];
        for (int row = 0; row < n; row++) {
            values[row] = new float[row % 10];
            latents[row] = new int[row % 10];
            for (int j = 0; j < row % 10; j++) {
                latents[row][j] = (row * 7 + j * 11) % dSae; // distinct within the row
                values[row][j] = (row + j) % 3 == 0 ? r.nextFloat() * threshold : threshold + r.nextFloat();
            }
        }
        SparseTopKStep s = new SparseTopKStep(n, dIn, dSae);
        fill(s.xc, random(r, n * dIn));
        fill(s.dec, dec);
        s.run(values, latents, threshold); // a first run on other rows: the second must not depend on it
        fill(s.xc, xc);
        SparseTopKStep.Result result = s.run(values, latents, threshold);

        double[] residual = new double[n * dIn];
        double mse = 0;
        double[] gradDec = new double[dSae * dIn];
        double[] gradEnc = new double[dSae * dIn];
        double[] gradBEnc = new double[dSae];
        double[] gradRecon = new double[dIn];
        float[] firing = new float[dSae];
        for (int row = 0; row < n; row++) {
            for (int t = 0; t < dIn; t++) {
                residual[row * dIn + t] = xc[row * dIn + t];
            }
            for (int j = 0; j < values[row].length; j++) {
                for (int t = 0; values[row][j] >= threshold && t < dIn; t++) {
                    residual[row * dIn + t] -= values[row][j] * dec[latents[row][j] * dIn + t];
                }
            }
            double[] g = new double[dIn];
            for (int t = 0; t < dIn; t++) {
                double v = residual[row * dIn + t];
                mse += v * v / n;
                g[t] = -2 * v / n;
                gradRecon[t] += g[t];
            }
            for (int j = 0; j < values[row].length; j++) {
                if (values[row][j] < threshold) {
                    continue;
                }
                int i = latents[row][j];
                firing[i]++;
                double gradPre = 0;
                for (int t = 0; t < dIn; t++) {
                    gradPre += g[t] * dec[i * dIn + t];
                }
                gradBEnc[i] += gradPre;
                for (int t = 0; t < dIn; t++) {
                    gradDec[i * dIn + t] += values[row][j] * g[t];
                    gradEnc[i * dIn + t] += gradPre * xc[row * dIn + t];
                }
            }
        }
        assertArrayEquals(toFloats(residual), flat(s.residual), 1e-5f);
        assertEquals(mse, result.mse(), 1e-5 * mse);
        assertArrayEquals(toFloats(gradDec), flat(s.gradDec), 1e-5f);
        assertArrayEquals(toFloats(gradEnc), flat(s.gradEnc), 1e-5f);
        assertArrayEquals(toFloats(gradBEnc), result.gradBEnc(), 1e-5f);
        assertArrayEquals(toFloats(gradRecon), result.gradRecon(), 1e-5f);
        assertArrayEquals(firing, result.firing());
    }

    /** Each row's c largest values and their columns, as a sort finds them, stored under the row's number. */
    @Test
    void largestMatchesSorting() {
        int m = 300;
        Random r = new Random(6);
        float[] a = random(r, 5 * m);
        for (int c : new int[] {1, 7, 64, m}) {
            float[][] values = new float[5][];
            int[][] columns = new int[5][];
            float[] listed = new float[3 * m]; // rows 0, 3 and 4
            System.arraycopy(a, 0, listed, 0, m);
            System.arraycopy(a, 3 * m, listed, m, 2 * m);
            SparseTopKStep.largest(FloatBuffer.wrap(listed), m, c, new int[] {0, 3, 4}, values, columns);
            assertEquals(null, values[1]);
            for (int row : new int[] {0, 3, 4}) {
                float[] sorted = Arrays.copyOfRange(a, row * m, (row + 1) * m);
                Arrays.sort(sorted);
                float[] got = values[row].clone();
                Arrays.sort(got);
                assertArrayEquals(Arrays.copyOfRange(sorted, m - c, m), got, "row " + row + ", c " + c);
                for (int j = 0; j < c; j++) {
                    assertEquals(a[row * m + columns[row][j]], values[row][j]);
                }
            }
        }
    }

    /** Standard normal values, as SaeTrainingTest draws them. */
    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static void fill(float[][] rows, float[] flat) {
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(flat, r * rows[r].length, rows[r], 0, rows[r].length);
        }
    }

    private static float[] flat(float[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * rows[r].length, rows[r].length);
        }
        return flat;
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
