package dev.mono4j.train;

import java.util.Map;

/** What a trainer records about one optimizer step: one line of the run's log, and its progress note. */
public interface StepRecord {
    int step();

    /** The log line's fields, in the order they are written. */
    Map<String, Object> toJson();

    /** A short note for a progress display, e.g. "loss 3.210 valid 3.402". */
    String status();

    /**
     * The line's numbers for a dashboard (TensorBoard), by tag: the names the Python tool of the same job logs
     * (Hugging Face's Trainer and TRL, SAELens) where it has the same quantity, ours otherwise; only what
     * {@link #toJson()} holds, at most rewritten (never a value the line lacks).
     */
    Map<String, Double> scalars();
}
