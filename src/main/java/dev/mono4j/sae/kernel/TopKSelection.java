package dev.mono4j.sae.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Kernels that choose active latents: a row's k largest pre-activations, the batch's k·N largest, and masks of
 * them, chunk by chunk of rows (see {@link #CHUNK_FLOATS}); and copies between NDArrays and the Java arrays
 * {@link SparseTopKStep} works on. No SAE math here: {@code dev.mono4j.sae.TopKSae} and {@code BatchTopKSae}
 * use these.
 */
public final class TopKSelection {
    private TopKSelection() {
    }

    /**
     * Each row's candidate latents (values and columns, unordered) and the threshold at or above which one is
     * active; every value of a row at or above it is among its candidates.
     */
    public record Chosen(float[][] values, int[][] columns, float threshold) {
    }

    /** Pre-activations of the listed rows, [rows.length, c'] (row q is row rows[q]'s), made in {@code m}. */
    public interface PreActivations {
        NDArray of(NDManager m, int[] rows);
    }

    /** The listed rows of {@code a}, made in {@code m}: a view when they are consecutive, else a copy. */
    public static NDArray rowsOf(NDManager m, NDArray a, int[] rows) {
        if (rows[rows.length - 1] - rows[0] == rows.length - 1) {
            return a.get(m, new NDIndex(rows[0] + ":" + (rows[rows.length - 1] + 1)));
        }
        return a.get(m, new NDIndex("{}", m.create(rows)));
    }

    /**
     * Floats per chunk of rows when choosing latents: a chunk of 16 MB is under glibc's largest mmap threshold,
     * so the next chunk reuses its memory, still cached, where one [N, d_sae] array is mapped and page-faulted
     * anew each step. It also keeps every Java view of PyTorch memory far below the 2 GiB a buffer can hold.
     */
    private static final int CHUNK_FLOATS = 1 << 22;

    private static int chunkRows(int cols) {
        return Math.max(1, CHUNK_FLOATS / cols);
    }

    /**
     * The {@code c} largest of the {@code cols} pre-activations of each listed row (all when c ≥ cols), chunk by
     * chunk, into values and columns.
     */
    private static void choose(NDManager m, PreActivations pre, int cols, int[] rows, int c, float[][] values,
            int[][] columns) {
        int chunk = chunkRows(cols);
        for (int from = 0; from < rows.length; from += chunk) {
            try (NDManager sub = m.newSubManager()) {
                int[] part = Arrays.copyOfRange(rows, from, Math.min(rows.length, from + chunk));
                SparseTopKStep.largest(floatsOf(pre.of(sub, part)), cols, Math.min(c, cols), part, values, columns);
            }
        }
    }

    private static float rowMin(float[] values) {
        float min = Float.POSITIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
        }
        return min;
    }

    /**
     * TopK: each of the n rows' k largest of its {@code cols} pre-activations (all when it has fewer), active when
     * positive (the smallest positive float is the threshold).
     */
    public static Chosen rowTopK(NDManager m, PreActivations pre, int n, int cols, int k) {
        Chosen chosen = new Chosen(new float[n][], new int[n][], Float.MIN_VALUE);
        choose(m, pre, cols, IntStream.range(0, n).toArray(), k, chosen.values(), chosen.columns());
        return chosen;
    }

    /**
     * BatchTopK (Bussmann et al. 2024): active are the batch's k·N largest pre-activations, at least a tiny
     * positive number so that only positive values are kept. Rather than a top-(k·N) over all N·cols values, it
     * takes each row's 2k largest, then twice as many of every row whose smallest candidate reaches the (k·N)-th
     * largest of all candidates, until none does: then nothing outside the candidates reaches it, and it is the
     * batch's own (k·N)-th largest.
     */
    public static Chosen batchTopK(NDManager m, PreActivations pre, int n, int cols, int k) {
        int kn = (int) Math.min((long) n * k, (long) n * cols);
        float[][] values = new float[n][];
        int[][] columns = new int[n][];
        int[] rows = IntStream.range(0, n).toArray();
        for (int c = 2 * k; ; c *= 2) {
            choose(m, pre, cols, rows, c, values, columns);
            float[] all = new float[Arrays.stream(values).mapToInt(v -> v.length).sum()];
            for (int r = 0, o = 0; r < n; o += values[r++].length) {
                System.arraycopy(values[r], 0, all, o, values[r].length);
            }
            float thr = Math.max(m.create(all).topK(kn, 0, true, false).get(0).min().getFloat(), Float.MIN_NORMAL);
            // Rows whose candidates might miss some of their values at or above thr; they get twice as many. Only
            // this round's rows can be among them: thr only grows as candidates are added.
            rows = IntStream.range(0, n).filter(r -> values[r].length < cols && rowMin(values[r]) >= thr).toArray();
            if (rows.length == 0) {
                return new Chosen(values, columns, thr);
            }
        }
    }

    /**
     * Writes into {@code mask} 1 where a value of {@code pre} [N, c'] is among its row's k largest and positive.
     * Chunk by chunk of rows, so that the mask is written while the chunk just chosen from is still cached.
     * Returns how many rows each column is kept on.
     */
    public static float[] rowTopKMask(NDManager m, NDArray pre, int k, NDArray mask) {
        int n = (int) pre.getShape().get(0);
        int cols = (int) pre.getShape().get(1);
        float[][] values = new float[n][];
        int[][] columns = new int[n][];
        float[] kth = new float[n];
        float[] firing = new float[cols];
        for (int from = 0, chunk = chunkRows(cols); from < n; from += chunk) {
            int to = Math.min(n, from + chunk);
            choose(m, (sub, rows) -> rowsOf(sub, pre, rows), cols, IntStream.range(from, to).toArray(), k, values,
                    columns);
            for (int r = from; r < to; r++) {
                kth[r] = Math.max(rowMin(values[r]), Float.MIN_VALUE);
            }
            maskRows(m, pre, kth, from, to, mask, firing);
        }
        return firing;
    }

    /**
     * Writes into {@code mask} 1 where a value of {@code pre} [N, c'] is at or above {@code threshold}, else 0;
     * returns how many rows each column is 1 on.
     */
    public static float[] thresholdMask(NDManager m, NDArray pre, float threshold, NDArray mask) {
        int n = (int) pre.getShape().get(0);
        float[] thr = new float[n];
        Arrays.fill(thr, threshold);
        float[] firing = new float[(int) pre.getShape().get(1)];
        for (int from = 0, chunk = chunkRows(firing.length); from < n; from += chunk) {
            maskRows(m, pre, thr, from, Math.min(n, from + chunk), mask, firing);
        }
        return firing;
    }

    /**
     * Writes into rows from .. to − 1 of {@code mask} 1 where pre is at or above its row's threshold, else 0, and
     * adds to {@code firing} how many of those rows each column is 1 on.
     */
    private static void maskRows(NDManager m, NDArray pre, float[] rowThreshold, int from, int to, NDArray mask,
            float[] firing) {
        try (NDManager sub = m.newSubManager()) {
            NDIndex part = new NDIndex(from + ":" + to);
            float[] counts = SparseTopKStep.mask(floatsOf(pre.get(sub, part)), firing.length,
                    Arrays.copyOfRange(rowThreshold, from, to), floatsOf(mask.get(sub, part)));
            for (int i = 0; i < firing.length; i++) {
                firing[i] += counts[i];
            }
        }
    }

    /** A contiguous float array's memory, to read or write in place. */
    static FloatBuffer floatsOf(NDArray a) {
        return a.toByteBuffer(true).asFloatBuffer();
    }

    /** Copies a [r, c] float array into {@code rows}, once, from its memory (toFloatArray copies twice). */
    public static void copy(NDArray a, float[][] rows) {
        FloatBuffer data = floatsOf(a);
        for (int r = 0, o = 0; r < rows.length; o += rows[r++].length) {
            data.get(o, rows[r]);
        }
    }

    /** A [rows, c] array of the step's, copied once into its memory (create(float[]) zero-fills a buffer first). */
    public static NDArray array(NDManager m, float[][] rows) {
        NDArray a = m.create(new Shape(rows.length, rows[0].length), DataType.FLOAT32);
        FloatBuffer data = floatsOf(a);
        for (int r = 0, o = 0; r < rows.length; o += rows[r++].length) {
            data.put(o, rows[r]);
        }
        return a;
    }
}
