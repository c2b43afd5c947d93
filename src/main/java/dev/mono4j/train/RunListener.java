package dev.mono4j.train;

import dev.mono4j.console.Progress;

import java.util.function.Consumer;

/**
 * Hears how a run goes: each logged step's record, and how far the run is (for a progress bar, such as the
 * console's). A lambda is a listener that only hears the records.
 *
 * @param <R> the trainer's record type
 */
@FunctionalInterface
public interface RunListener<R> {
    /** After each logged step, with the record just written to the log. */
    void logged(R record);

    /** Before the first step of this call: {@code total} {@code unit}s (tokens, steps, rows) lie ahead. */
    default void started(String label, long total, String unit) {
    }

    /** After every step: the units it trained on, and the last logged record's status. */
    default void advanced(long units, String status) {
    }

    /**
     * A warning about the run that does not stop it (a loss that explodes while staying finite). By default it is
     * printed to stderr as one line.
     */
    default void warned(String message) {
        System.err.println("warning: " + message);
    }

    /** A listener that shows a run's progress as a bar on stderr (the run's records it leaves to others). */
    static <R> RunListener<R> console() {
        return new RunListener<>() {
            private Progress bar;

            @Override
            public void logged(R record) {
            }

            @Override
            public void started(String label, long total, String unit) {
                bar = new Progress(label, total, unit);
            }

            @Override
            public void advanced(long units, String status) {
                bar.step(units, status);
            }

            @Override
            public void warned(String message) {
                if (bar == null) {
                    RunListener.super.warned(message);
                } else {
                    bar.note("warning: " + message);
                }
            }
        };
    }

    /** This listener, also handing each record to {@code onLog}. */
    default RunListener<R> andThen(Consumer<? super R> onLog) {
        return forwardingTo(record -> {
            logged(record);
            onLog.accept(record);
        });
    }

    /** A listener whose records go to {@code onLog} and whose progress and warnings go to this one. */
    private RunListener<R> forwardingTo(Consumer<R> onLog) {
        RunListener<R> target = this;
        return new RunListener<>() {
            @Override
            public void logged(R record) {
                onLog.accept(record);
            }

            @Override
            public void started(String label, long total, String unit) {
                target.started(label, total, unit);
            }

            @Override
            public void advanced(long units, String status) {
                target.advanced(units, status);
            }

            @Override
            public void warned(String message) {
                target.warned(message);
            }
        };
    }
}
