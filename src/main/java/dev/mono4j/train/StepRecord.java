package dev.mono4j.train;

import java.util.Map;

/** What a trainer records about one optimizer step: one line of the run's log, and its progress note. */
public interface StepRecord {
    int step();

    /** The log line's fields, in the order they are written. */
    Map<String, Object> toJson();

    /** A short note for a progress display, e.g. "loss 3.210 valid 3.402". */
    String status();
}
