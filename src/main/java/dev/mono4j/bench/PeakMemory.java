package dev.mono4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The process's peak resident memory over a stretch of work, from Linux's {@code VmHWM} (the high-water mark of
 * resident pages, reset by writing 5 to {@code /proc/self/clear_refs}). It counts everything the process holds:
 * the JVM's heap and PyTorch's native tensors alike; memory an allocator keeps after an earlier run is part of
 * the start. Where /proc is not writable (not Linux), {@link #start} gives a mark whose {@link Mark#peakBytes}
 * is -1.
 */
final class PeakMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private PeakMemory() {
    }

    /** A started measurement: the resident size when it began. */
    record Mark(long startBytes) {
        /** Peak resident bytes since the mark, or -1 where it cannot be read. */
        long peakBytes() {
            return startBytes < 0 ? -1 : field("VmHWM");
        }

        /** How far the peak rose above the start (the run's own memory, roughly), or -1. */
        long riseBytes() {
            return startBytes < 0 ? -1 : peakBytes() - startBytes;
        }
    }

    /** Resets the high-water mark to the current resident size and returns that size as the mark. */
    static Mark start() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return new Mark(field("VmRSS"));
        } catch (IOException | RuntimeException e) {
            return new Mark(-1);
        }
    }

    private static long field(String name) {
        try {
            Matcher m = Pattern.compile(name + ":\\s+(\\d+) kB").matcher(Files.readString(STATUS));
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (IOException e) {
            return -1;
        }
    }
}
