package dev.mono4j.io;

import dev.mono4j.testing.RawSafetensors;
import static dev.mono4j.testing.RawSafetensors.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed files are rejected on open with a one-line message naming the file, the tensor and the fault. */
class SafetensorsValidationTest {
    @TempDir
    Path dir;

    @Test
    void fileShorterThan8Bytes() throws Exception {
        Path file = Files.write(dir.resolve("short.safetensors"), new byte[5]);
        assertRejected(file, "5 bytes", "shorter than the 8-byte header length");
    }

    @Test
    void missingFile() {
        assertRejected(dir.resolve("absent.safetensors"), "file not found");
    }

    @Test
    void headerLengthBeyondTheFile() {
        byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
        Path file = RawSafetensors.write(dir.resolve("long.safetensors"), 1000, json, new byte[0]);
        assertRejected(file, "header length 1000", "beyond the end of the file");
    }

    @Test
    void negativeHeaderLength() {
        byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
        Path file = RawSafetensors.write(dir.resolve("neg.safetensors"), -1, json, new byte[0]);
        assertRejected(file, "header length " + Long.toUnsignedString(-1), "beyond the end of the file");
    }

    @Test
    void headerNotValidJson() {
        Path file = RawSafetensors.write(dir.resolve("json.safetensors"), "{\"w\": {\"dtype\": ", 0);
        assertRejected(file, "header is not valid JSON");
    }

    @Test
    void headerNotAJsonObject() {
        Path file = RawSafetensors.write(dir.resolve("array.safetensors"), "[1, 2, 3]", 0);
        assertRejected(file, "header is not a JSON object");
    }

    @Test
    void emptyHeader() {
        Path file = RawSafetensors.write(dir.resolve("empty.safetensors"), "", 0);
        assertRejected(file, "header is not a JSON object");
    }

    @Test
    void entryMissingAField() {
        Path file = RawSafetensors.write(dir.resolve("field.safetensors"),
                "{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4);
        assertRejected(file, "tensor 'w'", "needs dtype, shape and data_offsets");
    }

    @Test
    void unknownDtype() {
        Path file = header("dtype.safetensors", entry("w", "Q7", new long[] {2}, 0, 2), 2);
        assertRejected(file, "tensor 'w'", "unknown dtype 'Q7'");
    }

    @Test
    void shapeTimesDtypeSizeDiffersFromOffsetSpan() {
        Path file = header("span.safetensors", entry("w", "F32", new long[] {2, 3}, 0, 20), 24);
        assertRejected(file, "tensor 'w'", "24 bytes but data_offsets span 20");
    }

    @Test
    void dataOffsetsBeyondTheEndOfTheFile() {
        Path file = header("end.safetensors", entry("w", "F32", new long[] {4}, 0, 16), 12);
        assertRejected(file, "tensor 'w'", "[0, 16]", "beyond the end of the file", "12 bytes");
    }

    @Test
    void beginAfterEnd() {
        Path file = header("order.safetensors", entry("w", "U8", new long[] {0}, 8, 4), 8);
        assertRejected(file, "tensor 'w'", "[8, 4]", "not an increasing range");
    }

    @Test
    void negativeBegin() {
        Path file = header("negbegin.safetensors", entry("w", "U8", new long[] {4}, -4, 0), 8);
        assertRejected(file, "tensor 'w'", "not an increasing range");
    }

    @Test
    void overlappingTensors() {
        Path file = header("overlap.safetensors",
                entry("a", "F32", new long[] {2}, 0, 8) + "," + entry("b", "F32", new long[] {2}, 4, 12), 12);
        assertRejected(file, "tensor 'b'", "overlaps tensor 'a'");
    }

    @Test
    void tensorNestedInsideAnother() {
        Path file = header("nested.safetensors",
                entry("outer", "U8", new long[] {16}, 0, 16) + "," + entry("inner", "U8", new long[] {4}, 4, 8), 16);
        assertRejected(file, "tensor 'inner'", "overlaps tensor 'outer'");
    }

    @Test
    void negativeShapeDimension() {
        Path file = header("dim.safetensors", entry("w", "F32", new long[] {-1, 2}, 0, 0), 0);
        assertRejected(file, "tensor 'w'", "[-1,2]", "invalid dimension");
    }

    @Test
    void validNeighboursAndEmptyTensorsAreAccepted() {
        // Control for the overlap check: adjacent ranges and zero-byte tensors sharing an offset are fine.
        Path file = header("ok.safetensors", entry("a", "F32", new long[] {2}, 0, 8) + ","
                + entry("e", "F32", new long[] {0}, 4, 4) + "," + entry("b", "F32", new long[] {1}, 8, 12), 12);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(List.of("a", "e", "b"), List.copyOf(r.tensors().keySet()));
        }
    }

    /** A file whose header is one JSON object holding {@code entries}, followed by {@code dataBytes} zero bytes. */
    private Path header(String name, String entries, int dataBytes) {
        return RawSafetensors.write(dir.resolve(name), "{" + entries + "}", dataBytes);
    }

    private static void assertRejected(Path file, String... fragments) {
        UserInputException e = assertThrows(UserInputException.class, () -> SafetensorsReader.open(file).close());
        String msg = e.getMessage();
        assertTrue(msg.startsWith(file.toString() + ": "), "message should start with the file path: " + msg);
        for (String f : fragments) {
            assertTrue(msg.contains(f), "message should contain \"" + f + "\": " + msg);
        }
        assertFalse(msg.contains("\n"), "message should be one line: " + msg);
    }
}
