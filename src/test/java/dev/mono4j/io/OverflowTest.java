package dev.mono4j.io;

import dev.mono4j.testing.RawSafetensors;
import static dev.mono4j.testing.RawSafetensors.entry;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverflowTest {
    @TempDir
    Path dir;

    @Test
    void shapeWhoseElementCountOverflows() {
        Path file = RawSafetensors.write(dir.resolve("a.safetensors"),
                "{" + entry("w", "F32", new long[] {1L << 40, 1L << 40}, 0, 0) + "}", 0);
        UserInputException e = assertThrows(UserInputException.class, () -> SafetensorsReader.open(file).close());
        assertTrue(e.getMessage().contains(file + ": tensor 'w'"), e.getMessage());
    }

    @Test
    void shapeWhoseByteSizeWrapsToTheOffsetSpan() {
        // 2^62 F32 elements are 2^64 bytes, which wraps to 0 in a long and so "matches" offsets [0, 0].
        Path file = RawSafetensors.write(dir.resolve("b.safetensors"),
                "{" + entry("w", "F32", new long[] {1L << 62}, 0, 0) + "}", 0);
        UserInputException e = assertThrows(UserInputException.class, () -> SafetensorsReader.open(file).close());
        assertTrue(e.getMessage().contains(file + ": tensor 'w'"), e.getMessage());
    }

    @Test
    void hugeDimsWithAZeroDimAreStillEmpty() throws Exception {
        Path file = RawSafetensors.write(dir.resolve("c.safetensors"),
                "{" + entry("w", "F32", new long[] {1L << 40, 1L << 40, 0}, 0, 0) + "}", 0);
        SafetensorsReader.open(file).close();
    }
}
