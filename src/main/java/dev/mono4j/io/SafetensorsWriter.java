package dev.mono4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects tensors and writes them as one safetensors file, atomically (temp file, then rename).
 * Data buffers are written as given; they must hold little-endian bytes of the declared dtype.
 */
public final class SafetensorsWriter {
    private record Entry(String name, Dtype dtype, long[] shape, ByteBuffer data) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>(Map.of("format", "pt"));

    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, ByteBuffer data) {
        long numel = 1;
        for (long d : shape) {
            numel *= d;
        }
        if (numel * dtype.bytes != data.remaining()) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.remaining() + " bytes for shape "
                    + java.util.Arrays.toString(shape) + " of " + dtype);
        }
        if (entries.stream().anyMatch(e -> e.name.equals(name))) {
            throw new IllegalArgumentException("tensor " + name + " added twice");
        }
        entries.add(new Entry(name, dtype, shape.clone(), data.duplicate().order(ByteOrder.LITTLE_ENDIAN)));
        return this;
    }

    public SafetensorsWriter addF32(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return add(name, Dtype.F32, shape, b);
    }

    public SafetensorsWriter addI64(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return add(name, Dtype.I64, shape, b);
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public void write(Path target) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", metadata);
        long offset = 0;
        for (Entry e : entries) {
            long end = offset + e.data.remaining();
            header.put(e.name, Map.of("dtype", e.dtype.name(), "shape", e.shape, "data_offsets", new long[] {offset, end}));
            offset = end;
        }
        byte[] json;
        try {
            json = Json.MAPPER.copy().disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(header);
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
        // Pad the header with spaces to a multiple of 8 so tensor data stays aligned.
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        java.util.Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        AtomicFiles.write(target, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
            out.write(len.array());
            out.write(headerBytes);
            WritableByteChannel ch = Channels.newChannel(out);
            for (Entry e : entries) {
                ByteBuffer d = e.data.duplicate();
                while (d.hasRemaining()) {
                    ch.write(d);
                }
            }
        });
    }

}
