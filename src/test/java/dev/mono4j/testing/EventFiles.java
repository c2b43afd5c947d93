package dev.mono4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads TensorBoard event files back, independently of the writer: each record's length and both masked CRC32Cs
 * are checked (java.util.zip.CRC32C, TensorFlow's mask), and each Event is decoded as protobuf (event.proto,
 * summary.proto: wall_time 1, step 2, file_version 3, summary 5; Summary.value 1; Value.tag 1, simple_value 2).
 */
public final class EventFiles {
    private EventFiles() {
    }

    /** One decoded event: its step, its file_version (null if none) and its scalars by tag. */
    public record Event(double wallTime, long step, String fileVersion, Map<String, Float> scalars) {
    }

    /** The event files of {@code dir}, in name order (as TensorBoard reads them). */
    public static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().contains("tfevents")).sorted().toList();
        }
    }

    /** Every event of {@code file}, checking each record's framing and CRCs. */
    public static List<Event> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            long length = b.getLong();
            assertEquals(masked(b.array(), start, 8), b.getInt(), file + ": length CRC of the record at " + start);
            byte[] payload = new byte[(int) length];
            b.get(payload);
            assertEquals(masked(payload, 0, payload.length), b.getInt(), file + ": payload CRC of the record at " + start);
            events.add(event(payload));
        }
        return events;
    }

    /**
     * The scalars TensorBoard shows for {@code dir}: step → tag → value, the files read in name order and a step
     * written again (a resumed run's) replacing the earlier one.
     */
    public static Map<Long, Map<String, Float>> scalarsByStep(Path dir) throws IOException {
        Map<Long, Map<String, Float>> steps = new TreeMap<>();
        for (Path f : files(dir)) {
            for (Event e : read(f)) {
                if (e.fileVersion() == null) {
                    steps.put(e.step(), e.scalars());
                }
            }
        }
        return steps;
    }

    private static int masked(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return Integer.rotateRight(c, 15) + 0xa282ead8;
    }

    private static Event event(byte[] payload) {
        Proto p = new Proto(payload);
        double wallTime = 0;
        long step = 0;
        String version = null;
        Map<String, Float> scalars = new LinkedHashMap<>();
        while (p.more()) {
            long key = p.varint();
            switch ((int) key) {
                case 1 << 3 | 1 -> wallTime = Double.longBitsToDouble(p.fixed64());
                case 2 << 3 -> step = p.varint();
                case 3 << 3 | 2 -> version = new String(p.bytes(), StandardCharsets.UTF_8);
                case 5 << 3 | 2 -> {
                    Proto summary = new Proto(p.bytes());
                    while (summary.more()) {
                        assertEquals(1 << 3 | 2, summary.varint(), "Summary.value");
                        Proto value = new Proto(summary.bytes());
                        String tag = null;
                        Float v = null;
                        while (value.more()) {
                            long k = value.varint();
                            if (k == (1 << 3 | 2)) {
                                tag = new String(value.bytes(), StandardCharsets.UTF_8);
                            } else if (k == (2 << 3 | 5)) {
                                v = Float.intBitsToFloat(value.fixed32());
                            } else {
                                throw new AssertionError("unexpected Value field key " + k);
                            }
                        }
                        scalars.put(tag, v);
                    }
                }
                default -> throw new AssertionError("unexpected Event field key " + key);
            }
        }
        return new Event(wallTime, step, version, scalars);
    }

    /** A cursor over protobuf bytes. */
    private static final class Proto {
        private final ByteBuffer b;

        Proto(byte[] bytes) {
            b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean more() {
            return b.hasRemaining();
        }

        long varint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte x = b.get();
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    return v;
                }
            }
        }

        long fixed64() {
            return b.getLong();
        }

        int fixed32() {
            return b.getInt();
        }

        byte[] bytes() {
            byte[] out = new byte[(int) varint()];
            b.get(out);
            return out;
        }
    }
}
