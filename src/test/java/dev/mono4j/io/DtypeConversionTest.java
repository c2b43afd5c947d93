package dev.mono4j.io;

import dev.mono4j.testing.RawSafetensors;
import static dev.mono4j.testing.RawSafetensors.doubles;
import static dev.mono4j.testing.RawSafetensors.ints;
import static dev.mono4j.testing.RawSafetensors.longs;
import static dev.mono4j.testing.RawSafetensors.shorts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files holding dtypes the writer never produces, built byte by byte; expected values are written as
 * literals, not computed with the code under test. assertArrayEquals on floats compares bits, so NaN,
 * -0.0 and subnormals must match exactly.
 */
class DtypeConversionTest {
    @TempDir
    Path dir;

    @Test
    void bf16WidensExactly() {
        Path file = new RawSafetensors.Builder()
                .tensor("b", "BF16", new long[] {2, 4},
                        shorts(0x3F80, 0xC020, 0x3EAB, 0x8000, 0x0001, 0x7F80, 0xFF80, 0x7FC0))
                .write(dir.resolve("bf16.safetensors"));
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(Dtype.BF16, r.info("b").dtype());
            assertArrayEquals(new float[] {1.0f, -2.5f, 0.333984375f, -0.0f, 0x1p-133f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}, r.readFloats("b"));
        }
    }

    @Test
    void f16WidensExactlyIncludingSubnormalsInfinitiesAndNaN() {
        Path file = new RawSafetensors.Builder()
                .tensor("h", "F16", new long[] {12}, shorts(
                        0x3C00, // 1.0
                        0xC100, // -2.5
                        0x3555, // 0.333251953125 = 1365/4096
                        0x7BFF, // 65504, the largest half
                        0x0400, // 2^-14, the smallest normal
                        0x0001, // 2^-24, the smallest subnormal
                        0x03FF, // 1023 * 2^-24, the largest subnormal
                        0x8001, // -2^-24
                        0x8000, // -0.0
                        0x7C00, // +inf
                        0xFC00, // -inf
                        0x7E00)) // NaN
                .write(dir.resolve("f16.safetensors"));
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            float[] got = r.readFloats("h");
            assertArrayEquals(new float[] {1.0f, -2.5f, 0.333251953125f, 65504f, 0x1p-14f, 0x1p-24f,
                1023 * 0x1p-24f, -0x1p-24f, -0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}, got);
            assertEquals(5.9604645e-8f, got[5]);
        }
    }

    @Test
    void f16NaNStaysNaNWhateverItsPayload() {
        Path file = new RawSafetensors.Builder()
                .tensor("h", "F16", new long[] {3}, shorts(0x7C01, 0x7FFF, 0xFE00))
                .write(dir.resolve("nan.safetensors"));
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            for (float f : r.readFloats("h")) {
                assertTrue(Float.isNaN(f), "expected NaN, got " + f);
            }
        }
    }

    @Test
    void f64NarrowsToNearestFloat() {
        Path file = new RawSafetensors.Builder()
                .tensor("d", "F64", new long[] {7},
                        doubles(1.0, -2.5, 0.1, 0x1p-149, 1e300, -0.0, Double.NaN))
                .write(dir.resolve("f64.safetensors"));
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertArrayEquals(new float[] {1.0f, -2.5f, 0.1f, Float.MIN_VALUE, Float.POSITIVE_INFINITY, -0.0f, Float.NaN},
                    r.readFloats("d"));
        }
    }

    @Test
    void readF32ConvertsASliceOfAHalfTensor() {
        Path file = new RawSafetensors.Builder()
                .tensor("pad", "F16", new long[] {1}, shorts(0x3C00)) // so "h" starts at an odd 2-byte offset
                .tensor("h", "F16", new long[] {4}, shorts(0x3C00, 0x4000, 0x4200, 0x4400)) // 1 2 3 4
                .write(dir.resolve("slice.safetensors"));
        ByteBuffer dst = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            r.readF32("h", 1, 2, dst);
        }
        assertEquals(8, dst.position());
        assertEquals(2.0f, dst.getFloat(0));
        assertEquals(3.0f, dst.getFloat(4));
    }

    @Test
    void integerDtypesWidenToLong() {
        Path file = new RawSafetensors.Builder()
                .tensor("i32", "I32", new long[] {2, 2}, ints(-1, Integer.MIN_VALUE, 7, Integer.MAX_VALUE))
                .tensor("i64", "I64", new long[] {3}, longs(Long.MIN_VALUE, -1, 1L << 40))
                .tensor("i16", "I16", new long[] {2}, shorts(0xFFFF, 0x7FFF))
                .tensor("i8", "I8", new long[] {2}, new byte[] {(byte) 0xFF, 0x7F})
                .tensor("u8", "U8", new long[] {2}, new byte[] {(byte) 0xFF, 0x7F})
                .tensor("bool", "BOOL", new long[] {2}, new byte[] {1, 0})
                .write(dir.resolve("ints.safetensors"));
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertArrayEquals(new long[] {-1, Integer.MIN_VALUE, 7, Integer.MAX_VALUE}, r.readLongs("i32"));
            assertArrayEquals(new long[] {Long.MIN_VALUE, -1, 1L << 40}, r.readLongs("i64"));
            assertArrayEquals(new long[] {-1, Short.MAX_VALUE}, r.readLongs("i16"));
            assertArrayEquals(new long[] {-1, 127}, r.readLongs("i8"));
            assertArrayEquals(new long[] {255, 127}, r.readLongs("u8"));
            assertArrayEquals(new long[] {1, 0}, r.readLongs("bool"));
        }
    }

    @Test
    void readingTheWrongKindOfDtypeIsAUserError() {
        Path file = new RawSafetensors.Builder()
                .tensor("f", "F16", new long[] {1}, shorts(0x3C00))
                .tensor("i", "I32", new long[] {1}, ints(1))
                .write(dir.resolve("kinds.safetensors"));
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            UserInputException floatAsLong = assertThrows(UserInputException.class, () -> r.readLongs("f"));
            assertTrue(floatAsLong.getMessage().contains("'f'"), floatAsLong.getMessage());
            UserInputException intAsFloat = assertThrows(UserInputException.class, () -> r.readFloats("i"));
            assertTrue(intAsFloat.getMessage().contains("'i'"), intAsFloat.getMessage());
            UserInputException missing = assertThrows(UserInputException.class, () -> r.readFloats("nope"));
            assertTrue(missing.getMessage().contains(file.toString()) && missing.getMessage().contains("'nope'"),
                    missing.getMessage());
        }
    }
}
