package dev.mono4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SafetensorsWriter output read back by SafetensorsReader. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    private static final float[] WEIGHT = {1.5f, -0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -3e38f};
    private static final long[] IDS = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 50256};

    @Test
    void tensorsComeBackInOrderWithDtypesShapesAndValues() {
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .addF32("weight", new long[] {2, 3}, WEIGHT)
                .addI64("ids", new long[] {5}, IDS)
                .addF32("scale", new long[] {}, new float[] {0.25f})
                .addF32("empty", new long[] {4, 0}, new float[0])
                .addI64("step", new long[] {}, new long[] {-7})
                .metadata("source", "test")
                .write(file);

        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(List.of("weight", "ids", "scale", "empty", "step"), List.copyOf(r.tensors().keySet()));
            assertEquals(Map.of("format", "pt", "source", "test"), r.metadata());

            assertInfo(r.info("weight"), Dtype.F32, new long[] {2, 3}, 6);
            assertInfo(r.info("ids"), Dtype.I64, new long[] {5}, 5);
            assertInfo(r.info("scale"), Dtype.F32, new long[] {}, 1);
            assertInfo(r.info("empty"), Dtype.F32, new long[] {4, 0}, 0);
            assertInfo(r.info("step"), Dtype.I64, new long[] {}, 1);

            assertArrayEquals(WEIGHT, r.readFloats("weight")); // bit-exact: NaN, -0.0 and subnormals included
            assertArrayEquals(IDS, r.readLongs("ids"));
            assertArrayEquals(new float[] {0.25f}, r.readFloats("scale"));
            assertArrayEquals(new float[0], r.readFloats("empty"));
            assertArrayEquals(new long[] {-7}, r.readLongs("step"));
        }
    }

    @Test
    void headerIsPaddedToMultipleOf8AndDataFollowsIt() throws IOException {
        // Eight name lengths give eight JSON lengths, so without padding most of them would be unaligned.
        for (int n = 1; n <= 8; n++) {
            Path file = dir.resolve("t" + n + ".safetensors");
            String name = "x".repeat(n);
            new SafetensorsWriter().addF32(name, new long[] {1}, new float[] {1f})
                    .addI64("ids", new long[] {2}, new long[] {2, 3}).write(file);

            long headerLen;
            try (InputStream in = Files.newInputStream(file)) {
                headerLen = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            }
            assertEquals(0, headerLen % 8, "header length " + headerLen + " for name length " + n);
            assertEquals(8 + headerLen + 4 + 16, Files.size(file));
            try (SafetensorsReader r = SafetensorsReader.open(file)) {
                assertEquals(8 + headerLen, r.info(name).begin());
                assertEquals(8 + headerLen + 4, r.info("ids").begin());
                assertArrayEquals(new long[] {2, 3}, r.readLongs("ids"));
            }
        }
    }

    @Test
    void readF32ReadsASliceAtTheBufferPosition() {
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter().addF32("w", new long[] {6}, new float[] {0, 1, 2, 3, 4, 5}).write(file);

        ByteBuffer dst = ByteBuffer.allocate(5 * 4).order(ByteOrder.LITTLE_ENDIAN);
        dst.putFloat(-1f);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            r.readF32("w", 2, 3, dst);
        }
        assertEquals(16, dst.position());
        float[] got = new float[4];
        dst.flip();
        dst.asFloatBuffer().get(got);
        assertArrayEquals(new float[] {-1, 2, 3, 4}, got);
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTempFiles() throws IOException {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().addF32("old", new long[] {3}, new float[] {1, 2, 3}).write(file);
        new SafetensorsWriter().addI64("new", new long[] {1}, new long[] {42}).write(file);

        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(List.of("new"), List.copyOf(r.tensors().keySet()));
            assertArrayEquals(new long[] {42}, r.readLongs("new"));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temp file (.name.*.tmp) is left beside the target");
        }
    }

    @Test
    void writeCreatesMissingParentFolders() throws IOException {
        Path file = dir.resolve("a/b/t.safetensors");
        new SafetensorsWriter().addF32("x", new long[] {1}, new float[] {7}).write(file);

        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertArrayEquals(new float[] {7}, r.readFloats("x"));
        }
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temp file (.name.*.tmp) is left beside the target");
        }
    }

    private static void assertInfo(TensorInfo t, Dtype dtype, long[] shape, long numel) {
        assertEquals(dtype, t.dtype(), t.name());
        assertArrayEquals(shape, t.shape(), t.name());
        assertEquals(numel, t.numel(), t.name());
        assertEquals(numel * dtype.bytes, t.byteSize(), t.name());
    }
}
