package dev.mono4j.sae.kernel;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The k-sparse part of a TopK/BatchTopK training step, with its gradients written out by hand: each row is
 * decoded from its active latents only, and the reconstruction loss L = (1/N) Σ_rows ‖x − x̂‖² is
 * back-propagated into those latents' decoder rows, encoder rows and encoder biases. Autograd would gather the
 * k·N active rows into [N, k, d_in] copies and scatter their gradients back with index_add, which on a CPU
 * costs more than the dense GEMMs it replaces; here rows are read where they lie, and every gradient row is
 * summed by the one thread that owns its latent (entries are bucketed per latent first): no write conflicts.
 *
 * <p>With xc = x − b_dec, a row's active latents i_j with activations a_j = pre_j > 0 and r = x − x̂ =
 * xc − Σ_j a_j·W_dec[i_j], the gradient towards x̂ is g = −2r/N, and for each active entry (row n, latent i):
 * ∂L/∂pre = g_n·W_dec[i] (the activation's derivative is 1 where it is positive), ∂L/∂W_dec[i] += a·g_n,
 * ∂L/∂W_enc[i] += ∂L/∂pre·xc_n and ∂L/∂b_enc[i] += ∂L/∂pre.
 *
 * <p>Its static methods are the other Java kernels of the TopK paths: choosing each row's largest values, and the
 * dense path's mask.
 */
public final class SparseTopKStep {
    /** Rows or latents per parallel task: enough tasks to balance two to a few dozen cores. */
    private static final int BLOCK = 64;

    // Matrices are arrays of rows: the JIT vectorises a loop over whole arrays, but not one at offsets into a
    // flat array (five times slower here). They are kept from step to step: some 70 MB of new arrays a step keep
    // the garbage collector busy copying them.

    /** Inputs the caller fills before each {@link #run}: rows minus the decoder bias, [N][d_in]. */
    public final float[][] xc;
    /** Inputs the caller fills before each {@link #run}: decoder rows, [d_sae][d_in]. */
    public final float[][] dec;
    /** Outputs of the last run: x − x̂ per row, [N][d_in]. */
    public final float[][] residual;
    /** Outputs of the last run: ∂L/∂W_dec and ∂L/∂W_enc, [d_sae][d_in] (encoder rows, as TrainableSae keeps them). */
    public final float[][] gradDec;
    public final float[][] gradEnc;

    /**
     * The rest of a run's outputs.
     *
     * @param mse       (1/N) Σ_rows ‖x − x̂‖²
     * @param gradBEnc  ∂L/∂b_enc, [d_sae]; also Σ_rows ∂L/∂pre, which b_dec's gradient through xc needs
     * @param gradRecon Σ_rows ∂L/∂x̂, [d_in]: b_dec's gradient through the reconstruction
     * @param firing    rows each latent is active on, [d_sae]
     */
    public record Result(double mse, float[] gradBEnc, float[] gradRecon, float[] firing) {
    }

    public SparseTopKStep(int n, int dIn, int dSae) {
        xc = new float[n][dIn];
        dec = new float[dSae][dIn];
        residual = new float[n][dIn];
        gradDec = new float[dSae][dIn];
        gradEnc = new float[dSae][dIn];
    }

    /**
     * One step on the rows in {@link #xc} and the decoder in {@link #dec}.
     *
     * @param values    each row's candidate pre-activations
     * @param latents   their latents
     * @param threshold the candidates at or above it (a positive number) are active
     */
    public Result run(float[][] values, int[][] latents, float threshold) {
        int n = xc.length;
        int dIn = xc[0].length;
        int dSae = dec.length;
        // The active entries, row after row: row r's are rowStart[r] .. rowStart[r + 1] − 1 of latent and act.
        int[] rowStart = new int[n + 1];
        for (int r = 0; r < n; r++) {
            rowStart[r + 1] = rowStart[r];
            for (float v : values[r]) {
                rowStart[r + 1] += v >= threshold ? 1 : 0;
            }
        }
        int[] latent = new int[rowStart[n]];
        float[] act = new float[latent.length];
        for (int r = 0, e = 0; r < n; r++) {
            for (int j = 0; j < values[r].length; j++) {
                if (values[r][j] >= threshold) {
                    latent[e] = latents[r][j];
                    act[e++] = values[r][j];
                }
            }
        }
        float gScale = -2f / n; // ∂L/∂x̂ = gScale · r
        float[] gradPre = new float[act.length];
        double[] rowSquares = new double[n];
        parallelBlocks(n, (from, to) -> {
            for (int row = from; row < to; row++) {
                int first = rowStart[row];
                int count = rowStart[row + 1] - first;
                float[][] rows = new float[count][];
                float[] coefs = new float[count];
                for (int q = 0; q < count; q++) {
                    rows[q] = dec[latent[first + q]];
                    coefs[q] = -act[first + q];
                }
                float[] r = residual[row];
                System.arraycopy(xc[row], 0, r, 0, dIn);
                addRows(rows, coefs, r);
                rowSquares[row] = dot(r, r);
                // The row's decoder rows were just read for x̂, so they are still in cache for its ∂L/∂pre.
                dotRows(r, rows, gradPre, first);
                for (int e = first; e < first + count; e++) {
                    gradPre[e] *= gScale;
                }
            }
        });
        double sum = 0;
        for (double sq : rowSquares) {
            sum += sq;
        }
        float[] gradRecon = new float[dIn];
        for (float[] r : residual) {
            for (int t = 0; t < dIn; t++) {
                gradRecon[t] += gScale * r[t];
            }
        }

        // Counting sort of the active entries by latent: bucket i holds entries start[i] .. start[i + 1] - 1.
        int[] start = new int[dSae + 1];
        for (int i : latent) {
            start[i + 1]++;
        }
        float[] firing = new float[dSae];
        for (int i = 0; i < dSae; i++) {
            firing[i] = start[i + 1];
            start[i + 1] += start[i];
        }
        int[] entries = new int[act.length];
        int[] entryRow = new int[act.length];
        int[] fill = start.clone();
        for (int row = 0; row < n; row++) {
            for (int e = rowStart[row]; e < rowStart[row + 1]; e++) {
                entryRow[fill[latent[e]]] = row;
                entries[fill[latent[e]]++] = e;
            }
        }
        float[] gradBEnc = new float[dSae];
        parallelBlocks(dSae, (from, to) -> {
            for (int i = from; i < to; i++) {
                int count = start[i + 1] - start[i];
                float[][] residuals = new float[count][];
                float[][] inputs = new float[count][];
                float[] decCoefs = new float[count];
                float[] encCoefs = new float[count];
                float bias = 0;
                for (int q = 0; q < count; q++) {
                    int e = entries[start[i] + q];
                    residuals[q] = residual[entryRow[start[i] + q]];
                    inputs[q] = xc[entryRow[start[i] + q]];
                    decCoefs[q] = gScale * act[e];
                    encCoefs[q] = gradPre[e];
                    bias += gradPre[e];
                }
                Arrays.fill(gradDec[i], 0);
                Arrays.fill(gradEnc[i], 0);
                addRows(residuals, decCoefs, gradDec[i]);
                addRows(inputs, encCoefs, gradEnc[i]);
                gradBEnc[i] = bias;
            }
        });
        return new Result(sum / n, gradBEnc, gradRecon, firing);
    }

    /**
     * The {@code c} largest values of each row of a row-major [rows.length, m] array, read in place, and their
     * columns, unordered, into values[rows[q]] and columns[rows[q]] for its row q: a min-heap holds the c largest
     * so far, and most values are only compared with its root. On [4096, 8192] with c = 32 this takes about half as
     * long as PyTorch's topk. Of equal values, the first ones are kept.
     */
    static void largest(FloatBuffer a, int m, int c, int[] rows, float[][] values, int[][] columns) {
        parallelBlocks(rows.length, (from, to) -> {
            float[] row = new float[m];
            for (int q = from; q < to; q++) {
                a.get(q * m, row);
                float[] v = Arrays.copyOf(row, c);
                int[] col = new int[c];
                for (int j = 0; j < c; j++) {
                    col[j] = j;
                }
                for (int j = c / 2 - 1; j >= 0; j--) {
                    siftDown(v, col, j);
                }
                float min = v[0];
                for (int t = c; t < m; t++) {
                    if (row[t] > min) {
                        v[0] = row[t];
                        col[0] = t;
                        siftDown(v, col, 0);
                        min = v[0];
                    }
                }
                values[rows[q]] = v;
                columns[rows[q]] = col;
            }
        });
    }

    /**
     * Writes into {@code mask} (row-major like {@code a}, [n, m]) 1 where a value of {@code a} is at or above its
     * row's threshold, else 0, and returns how many rows each column is 1 on.
     */
    static float[] mask(FloatBuffer a, int m, float[] rowThreshold, FloatBuffer mask) {
        float[] total = new float[m];
        parallelBlocks(rowThreshold.length, (from, to) -> {
            float[] row = new float[m];
            float[] ones = new float[m];
            float[] counts = new float[m];
            for (int r = from; r < to; r++) {
                a.get(r * m, row);
                for (int t = 0; t < m; t++) {
                    ones[t] = row[t] >= rowThreshold[r] ? 1 : 0;
                    counts[t] += ones[t];
                }
                mask.put(r * m, ones);
            }
            synchronized (total) {
                for (int t = 0; t < m; t++) {
                    total[t] += counts[t];
                }
            }
        });
        return total;
    }

    /** Restores the min-heap order of {@code v} (and {@code col} alongside) below position j. */
    private static void siftDown(float[] v, int[] col, int j) {
        float x = v[j];
        int xc = col[j];
        for (int child = 2 * j + 1; child < v.length; child = 2 * j + 1) {
            if (child + 1 < v.length && v[child + 1] < v[child]) {
                child++;
            }
            if (v[child] >= x) {
                break;
            }
            v[j] = v[child];
            col[j] = col[child];
            j = child;
        }
        v[j] = x;
        col[j] = xc;
    }

    private interface Block {
        void run(int from, int to);
    }

    /** Runs {@code block} over [0, n) in chunks of {@link #BLOCK}, in parallel on the common pool. */
    private static void parallelBlocks(int n, Block block) {
        IntStream.range(0, (n + BLOCK - 1) / BLOCK).parallel()
                .forEach(t -> block.run(t * BLOCK, Math.min(n, (t + 1) * BLOCK)));
    }

    /**
     * y += Σ_q a[q] · x[q], four rows per pass over y so that their loads from memory overlap (a group past the
     * end repeats its first row with coefficient 0). Math.fma: one rounding per product, and one instruction.
     */
    private static void addRows(float[][] x, float[] a, float[] y) {
        for (int q = 0; q < x.length; q += 4) {
            float[] x0 = x[q];
            float[] x1 = q + 1 < x.length ? x[q + 1] : x0;
            float[] x2 = q + 2 < x.length ? x[q + 2] : x0;
            float[] x3 = q + 3 < x.length ? x[q + 3] : x0;
            float a0 = a[q];
            float a1 = q + 1 < x.length ? a[q + 1] : 0;
            float a2 = q + 2 < x.length ? a[q + 2] : 0;
            float a3 = q + 3 < x.length ? a[q + 3] : 0;
            for (int t = 0; t < y.length; t++) {
                y[t] = Math.fma(a3, x3[t], Math.fma(a2, x2[t], Math.fma(a1, x1[t], Math.fma(a0, x0[t], y[t]))));
            }
        }
    }

    /**
     * out[oo + q] = r · x[q] for each row of x: four rows at a time, each in two sums, so that eight independent
     * additions are in flight (the JIT does not vectorise a float sum).
     */
    private static void dotRows(float[] r, float[][] x, float[] out, int oo) {
        for (int q = 0; q < x.length; q += 4) {
            float[] x0 = x[q];
            float[] x1 = q + 1 < x.length ? x[q + 1] : x0;
            float[] x2 = q + 2 < x.length ? x[q + 2] : x0;
            float[] x3 = q + 3 < x.length ? x[q + 3] : x0;
            float a0 = 0;
            float a1 = 0;
            float a2 = 0;
            float a3 = 0;
            float b0 = 0;
            float b1 = 0;
            float b2 = 0;
            float b3 = 0;
            int t = 0;
            for (; t + 1 < r.length; t += 2) {
                float u = r[t];
                float v = r[t + 1];
                a0 = Math.fma(u, x0[t], a0);
                a1 = Math.fma(u, x1[t], a1);
                a2 = Math.fma(u, x2[t], a2);
                a3 = Math.fma(u, x3[t], a3);
                b0 = Math.fma(v, x0[t + 1], b0);
                b1 = Math.fma(v, x1[t + 1], b1);
                b2 = Math.fma(v, x2[t + 1], b2);
                b3 = Math.fma(v, x3[t + 1], b3);
            }
            if (t < r.length) {
                a0 = Math.fma(r[t], x0[t], a0);
                a1 = Math.fma(r[t], x1[t], a1);
                a2 = Math.fma(r[t], x2[t], a2);
                a3 = Math.fma(r[t], x3[t], a3);
            }
            float[] sums = {a0 + b0, a1 + b1, a2 + b2, a3 + b3};
            System.arraycopy(sums, 0, out, oo + q, Math.min(4, x.length - q));
        }
    }

    /** Σ x[t]·y[t]. */
    private static double dot(float[] x, float[] y) {
        double s = 0;
        for (int t = 0; t < x.length; t++) {
            s += x[t] * y[t];
        }
        return s;
    }
}
