package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * How well one set of directions matches another, by cosine. Against ground truth (true features F, an SAE's
 * decoder rows D) it gives the Feature Recovery Rate of Chen et al. 2025: FRR(τ) = the share of true features
 * whose best-matching decoder row has cosine ≥ τ. Between two SAEs (decoders of two seeds) the same numbers
 * measure consistency; the mean best cosine is not symmetric, so compare both ways if that matters.
 *
 * <p>Directions only: rows are normalized first, so a decoder row's scale does not count, but its sign does
 * (an SAE's activations are non-negative, so −v is a different feature from v). A zero row has cosine 0
 * with everything.
 */
public final class FeatureRecovery {
    /** Rows of A per matrix product: the block's [BLOCK, rowsB] cosines stay small (64 MB at 16k rows of B). */
    private static final int BLOCK = 1024;

    private FeatureRecovery() {
    }

    /**
     * For each row of {@code a} [rowsA, d], the largest cosine with any row of {@code b} [rowsB, d]
     * (both row-major). Blocked matrix products of unit rows, so 16k × 16k rows of width 512 take seconds.
     */
    public static float[] bestCosines(float[] a, float[] b, int d) {
        int rowsA = rows(a, d, "a");
        int rowsB = rows(b, d, "b");
        if (rowsB == 0) {
            throw new IllegalArgumentException("no rows to match against");
        }
        float[] best = new float[rowsA];
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray bT = manager.create(unitRows(b, 0, rowsB, d), new Shape(rowsB, d)).transpose();
            for (int start = 0; start < rowsA; start += BLOCK) {
                int rows = Math.min(BLOCK, rowsA - start);
                try (NDManager step = manager.newSubManager()) {
                    NDArray block = step.create(unitRows(a, start, rows, d), new Shape(rows, d));
                    float[] max = block.matMul(bT).max(new int[] {1}).toFloatArray();
                    System.arraycopy(max, 0, best, start, rows);
                }
            }
        }
        return best;
    }

    /** The mean over rows of {@code a} of the best cosine with any row of {@code b}. */
    public static double meanMaxCosine(float[] a, float[] b, int d) {
        return mean(bestCosines(a, b, d));
    }

    /** How well an SAE's decoder rows recover the true features: FRR(0.8), FRR(0.9) and the mean best cosine. */
    public record Scores(double frr08, double frr09, double meanBestCosine) {
    }

    /** {@link Scores} of {@code decoder} [d_sae, d] against the true features {@code truth} [n, d]. */
    public static Scores score(float[] truth, float[] decoder, int d) {
        float[] best = bestCosines(truth, decoder, d);
        return new Scores(recoveryRate(best, 0.8), recoveryRate(best, 0.9), mean(best));
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** FRR(τ): the share of {@link #bestCosines best cosines} that reach {@code tau}. */
    public static double recoveryRate(float[] bestCosines, double tau) {
        int hits = 0;
        for (float c : bestCosines) {
            if (c >= tau) {
                hits++;
            }
        }
        return (double) hits / bestCosines.length;
    }

    private static int rows(float[] x, int d, String name) {
        if (d < 1 || x.length % d != 0) {
            throw new IllegalArgumentException(name + ": " + x.length + " values are not rows of width " + d);
        }
        return x.length / d;
    }

    /** Rows {@code first .. first + rows} of {@code x}, each divided by its norm (zero rows stay zero). */
    private static float[] unitRows(float[] x, int first, int rows, int d) {
        float[] u = new float[rows * d];
        for (int i = 0; i < rows; i++) {
            int from = (first + i) * d;
            double sq = 0;
            for (int j = 0; j < d; j++) {
                sq += (double) x[from + j] * x[from + j];
            }
            double scale = sq > 0 ? 1 / Math.sqrt(sq) : 0;
            for (int j = 0; j < d; j++) {
                u[i * d + j] = (float) (x[from + j] * scale);
            }
        }
        return u;
    }
}
