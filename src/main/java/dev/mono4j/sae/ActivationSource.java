package dev.mono4j.sae;

/**
 * Where an SAE's training rows come from: activations cached from a model (the activation store) or
 * samples of the synthetic superposition model (the synthetic superposition model). A source is a stream:
 * {@link #next} hands out the following rows, and a source reopened with the same settings and
 * {@link #skip skipped} past the rows a run already used continues that run exactly (resume).
 */
public interface ActivationSource extends AutoCloseable {
    /** Width of each row. */
    int dIn();

    /** The next {@code rows} rows, row-major ({@code rows * dIn()} floats). */
    float[] next(int rows);

    /**
     * Rows before the stream repeats itself: a store's rows (each is handed out once per epoch), or
     * {@link Long#MAX_VALUE} for a stream that draws fresh rows without end.
     */
    default long epochRows() {
        return Long.MAX_VALUE;
    }

    /** Moves past {@code rows} rows as if {@link #next} had handed them out. */
    default void skip(long rows) {
        while (rows > 0) {
            int n = (int) Math.min(rows, 4096);
            next(n);
            rows -= n;
        }
    }

    @Override
    default void close() {
    }
}
