package dev.mono4j.train;

import dev.mono4j.io.TensorBoardEvents;
import java.nio.file.Path;

/**
 * A listener that writes each logged step's {@link StepRecord#scalars()} to a TensorBoard event file in a folder,
 * beside the run's JSONL log, and hands progress, warnings and the records on to another listener (the console's
 * bar). The file is created when the run starts (so a run refused before its first step leaves none) and flushed
 * after every step; each listener writes its own new file, so a resumed run adds one and never touches the first.
 * Close it after the run.
 */
public final class TensorBoardListener implements RunListener<StepRecord>, AutoCloseable {
    private final Path dir;
    private final RunListener<? super StepRecord> next;
    private TensorBoardEvents events;

    public TensorBoardListener(Path dir, RunListener<? super StepRecord> next) {
        this.dir = dir;
        this.next = next;
    }

    @Override
    public void started(String label, long total, String unit) {
        if (events == null) {
            events = TensorBoardEvents.create(dir);
        }
        next.started(label, total, unit);
    }

    @Override
    public void logged(StepRecord record) {
        events.scalars(record.step(), record.scalars());
        next.logged(record);
    }

    @Override
    public void advanced(long units, String status) {
        next.advanced(units, status);
    }

    @Override
    public void warned(String message) {
        next.warned(message);
    }

    @Override
    public void close() {
        if (events != null) {
            events.close();
        }
    }
}
