package dev.mono4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Builds safetensors files byte by byte, without going through {@code SafetensorsWriter}, so tests can
 * make files the writer never would (other dtypes, broken headers).
 */
public final class RawSafetensors {
    private RawSafetensors() {
    }

    /** Writes an 8-byte little-endian {@code declaredHeaderLength}, then {@code header}, then {@code data}. */
    public static Path write(Path file, long declaredHeaderLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(header).put(data);
        try {
            return Files.write(file, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file with a correct header length, the given header JSON and {@code dataBytes} zero bytes of data. */
    public static Path write(Path file, String headerJson, int dataBytes) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return write(file, header.length, header, new byte[dataBytes]);
    }

    /** One header entry as JSON: {@code "name":{"dtype":..,"shape":[..],"data_offsets":[begin,end]}}. */
    public static String entry(String name, String dtype, long[] shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + list(shape)
                + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private static String list(long[] values) {
        return Arrays.stream(values).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
    }

    public static byte[] shorts(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    public static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return b.array();
    }

    public static byte[] longs(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return b.array();
    }

    public static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    public static byte[] doubles(double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return b.array();
    }

    /** Lays tensors out back to back and writes a well-formed file. */
    public static final class Builder {
        private final StringBuilder header = new StringBuilder();
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();

        public Builder tensor(String name, String dtype, long[] shape, byte[] bytes) {
            header.append(header.length() == 0 ? "{" : ",");
            header.append(entry(name, dtype, shape, data.size(), data.size() + bytes.length));
            data.writeBytes(bytes);
            return this;
        }

        public Path write(Path file) {
            byte[] json = (header.length() == 0 ? "{}" : header + "}").getBytes(StandardCharsets.UTF_8);
            return RawSafetensors.write(file, json.length, json, data.toByteArray());
        }
    }
}
