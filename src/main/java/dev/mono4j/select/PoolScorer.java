package dev.mono4j.select;

import dev.mono4j.data.LabelledText;
import java.util.List;

/**
 * Scores pool samples against a target set: higher is more like the targets. One implementation per kind of
 * selection method ({@link SelectMethod} names which); {@link Selection} streams the pool through it in batches.
 */
interface PoolScorer extends AutoCloseable {
    /**
     * One score per text of a batch of pool samples, in order.
     *
     * @param first the pool index of {@code batch.get(0)} (0-based line of the pool file)
     */
    float[] score(long first, List<LabelledText> batch);

    /** The hook point the scores come from, or null when the method reads no activations. */
    default String hook() {
        return null;
    }

    @Override
    default void close() {
    }
}
