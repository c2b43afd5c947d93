package dev.mono4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.testing.EventFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorBoard event files: CRCs against known values, and what is written read back by an independent reader. */
class TensorBoardEventsTest {
    @TempDir
    Path tmp;

    /**
     * CRC32C("123456789") is 0xE3069283 (the check value of CRC-32C, RFC 3720 B.4); masked as TensorFlow does,
     * ((c >>> 15) | (c << 17)) + 0xa282ead8 mod 2^32, it is 0xC78AB0E5 (worked out by hand in Python).
     */
    @Test
    void maskedCrcOfTheCheckStringIsKnown() {
        assertEquals(0xC78AB0E5, TensorBoardEvents.maskedCrc32c("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void scalarsReadBackWithTheirStepsTagsAndValues() throws Exception {
        Map<String, Double> first = new LinkedHashMap<>();
        first.put("train/loss", 2.5);
        first.put("rewards/margins", -0.1234567);
        first.put("métrique/ünïcode", 1e-30);
        Map<String, Double> later = Map.of("train/loss", Double.NaN);
        long bigStep = 1L << 40; // a varint of six bytes
        Path file;
        try (TensorBoardEvents w = TensorBoardEvents.create(tmp.resolve("tb"))) {
            w.scalars(1, first);
            w.scalars(300, later); // a two-byte varint
            w.scalars(bigStep, later);
            file = w.file();
        }
        assertTrue(file.getFileName().toString().matches("events\\.out\\.tfevents\\.\\d{10}\\..+"), file.toString());
        List<EventFiles.Event> events = EventFiles.read(file);
        assertEquals(4, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(0, events.get(0).step());
        assertEquals(System.currentTimeMillis() / 1000.0, events.get(0).wallTime(), 60);
        EventFiles.Event one = events.get(1);
        assertNull(one.fileVersion());
        assertEquals(1, one.step());
        assertEquals(List.of("train/loss", "rewards/margins", "métrique/ünïcode"), List.copyOf(one.scalars().keySet()));
        assertEquals(2.5f, one.scalars().get("train/loss"));
        assertEquals((float) -0.1234567, one.scalars().get("rewards/margins"));
        assertEquals((float) 1e-30, one.scalars().get("métrique/ünïcode"));
        assertEquals(300, events.get(2).step());
        assertTrue(Float.isNaN(events.get(2).scalars().get("train/loss")));
        assertEquals(bigStep, events.get(3).step());
    }

    /** Each writer makes a new file, even within the same second, and never writes to an earlier one. */
    @Test
    void aSecondWriterAddsAFileAndLeavesTheFirst() throws Exception {
        Path dir = tmp.resolve("tb");
        Path a;
        try (TensorBoardEvents w = TensorBoardEvents.create(dir)) {
            w.scalars(1, Map.of("x", 1.0));
            a = w.file();
        }
        byte[] before = Files.readAllBytes(a);
        Path b;
        try (TensorBoardEvents w = TensorBoardEvents.create(dir)) {
            w.scalars(2, Map.of("x", 2.0));
            b = w.file();
        }
        assertNotEquals(a, b);
        assertArrayEquals(before, Files.readAllBytes(a));
        assertEquals(List.of(a, b), EventFiles.files(dir), "the later file sorts after the earlier one");
        assertEquals(Map.of(1L, Map.of("x", 1f), 2L, Map.of("x", 2f)), EventFiles.scalarsByStep(dir));
    }

    /** Every event is on disk as soon as it is written, for a TensorBoard that watches the run. */
    @Test
    void eachStepIsFlushed() throws Exception {
        try (TensorBoardEvents w = TensorBoardEvents.create(tmp.resolve("tb"))) {
            w.scalars(7, Map.of("x", 3.0));
            assertEquals(Map.of(7L, Map.of("x", 3f)), EventFiles.scalarsByStep(tmp.resolve("tb")));
        }
    }
}
