package dev.mono4j.io;

import static dev.mono4j.testing.RawSafetensors.entry;
import static dev.mono4j.testing.RawSafetensors.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file over 2 GB, made sparse so it costs almost no disk: offsets past 2^31 must not wrap around in
 * int arithmetic anywhere between the header and the mapped read.
 */
class LargeFileTest {
    @TempDir
    Path dir;

    private static final long PAD_BYTES = (1L << 31) + 64;

    @Test
    void readsTensorsLyingBeyond2GB() throws IOException {
        Path file = dir.resolve("big.safetensors");
        float[] padTail = {-1f, -2f, -3f, -4f};
        float[] x = {1.5f, -2.25f, 1e-3f, 65504f};
        byte[] header = ("{" + entry("pad", "F32", new long[] {PAD_BYTES / 4}, 0, PAD_BYTES) + ","
                + entry("x", "F32", new long[] {2, 2}, PAD_BYTES, PAD_BYTES + 16) + "}")
                .getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + header.length;
        try {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                try {
                    raf.setLength(dataStart + PAD_BYTES + 16);
                } catch (IOException e) {
                    Assumptions.abort("filesystem refuses a sparse file over 2 GB: " + e.getMessage());
                }
                raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
                raf.write(header);
                raf.seek(dataStart + PAD_BYTES - 16);
                raf.write(floats(padTail));
                raf.write(floats(x));
            }
            assertTrue(Files.size(file) > (1L << 31) + 64);

            try (SafetensorsReader r = SafetensorsReader.open(file)) {
                TensorInfo info = r.info("x");
                assertEquals(dataStart + PAD_BYTES, info.begin());
                assertTrue(info.begin() > Integer.MAX_VALUE);
                assertArrayEquals(x, r.readFloats("x"));

                // A slice of the big tensor whose byte offset inside the tensor is itself past 2^31.
                ByteBuffer dst = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                r.readF32("pad", PAD_BYTES / 4 - 4, 4, dst);
                float[] got = new float[4];
                dst.flip();
                dst.asFloatBuffer().get(got);
                assertArrayEquals(padTail, got);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
