package dev.mono4j.spark;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts numbered texts into contiguous ranges for Spark tasks, each boundary at a multiple of a step (the batch
 * size): every range then holds whole batches of the sequence, so each task's forward passes see exactly the
 * batches one machine would (same texts, same padding, and so the same float bits).
 */
public final class TextRanges {
    private TextRanges() {
    }

    /** Texts {@code [from, to)}, the {@code index}-th range in text order. */
    public record Range(int index, int from, int to) implements java.io.Serializable {
        public int size() {
            return to - from;
        }
    }

    /**
     * Texts {@code [from, n)} in at most {@code parts} ranges of whole steps (the last step may be short), as
     * even as whole steps allow: the first ranges get one step more. Fewer ranges when there are fewer steps.
     */
    public static List<Range> cut(int from, int n, int parts, int step) {
        if (parts < 1 || step < 1 || from < 0 || from > n) {
            throw new IllegalArgumentException("parts and step must be at least 1 and 0 <= from <= n");
        }
        long steps = ((long) n - from + step - 1) / step;
        int count = (int) Math.min(parts, steps);
        List<Range> ranges = new ArrayList<>(count);
        int at = from;
        for (int i = 0; i < count; i++) {
            long own = steps / count + (i < steps % count ? 1 : 0);
            int to = (int) Math.min(n, at + own * step);
            ranges.add(new Range(i, at, to));
            at = to;
        }
        return ranges;
    }
}
