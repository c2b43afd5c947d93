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
    /** Writes a tensor's bytes (little-endian, exactly the declared size) when the file is written. */
    @FunctionalInterface
    public interface TensorBytes {
        void writeTo(WritableByteChannel out) throws java.io.IOException;
    }

    private record Entry(String name, Dtype dtype, long[] shape, long size, TensorBytes bytes) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>(Map.of("format", "pt"));

    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, ByteBuffer data) {
        ByteBuffer copy = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return add(name, dtype, shape, copy.remaining(), out -> {
            ByteBuffer d = copy.duplicate();
            while (d.hasRemaining()) {
                out.write(d);
            }
        });
    }

    /**
     * Adds a tensor whose bytes are produced only while the file is written, so a model larger than the
     * Java heap (or a tensor over 2 GB) can be saved chunk by chunk.
     */
    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, long byteSize, TensorBytes bytes) {
        long numel = 1;
        for (long d : shape) {
            numel *= d;
        }
        if (numel * dtype.bytes != byteSize) {
            throw new IllegalArgumentException("tensor " + name + ": " + byteSize + " bytes for shape "
                    + java.util.Arrays.toString(shape) + " of " + dtype);
        }
        if (entries.stream().anyMatch(e -> e.name.equals(name))) {
            throw new IllegalArgumentException("tensor " + name + " added twice");
        }
        entries.add(new Entry(name, dtype, shape.clone(), byteSize, bytes));
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
            long end = offset + e.size;
            // Ordered (Map.of's order changes between JVM runs): the same tensors give the same bytes.
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", e.dtype.name());
            entry.put("shape", e.shape);
            entry.put("data_offsets", new long[] {offset, end});
            header.put(e.name, entry);
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
            CountingChannel ch = new CountingChannel(Channels.newChannel(out));
            for (Entry e : entries) {
                long before = ch.count;
                e.bytes.writeTo(ch);
                if (ch.count - before != e.size) {
                    throw new IllegalStateException("tensor " + e.name + " wrote " + (ch.count - before) + " bytes, declared "
                            + e.size);
                }
            }
        });
    }


    /** Counts bytes so a tensor that writes more or less than it declared fails instead of corrupting the file. */
    private static final class CountingChannel implements WritableByteChannel {
        private final WritableByteChannel inner;
        private long count;

        CountingChannel(WritableByteChannel inner) {
            this.inner = inner;
        }

        @Override
        public int write(ByteBuffer src) throws java.io.IOException {
            int n = inner.write(src);
            count += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() {
            // the underlying stream belongs to AtomicFiles
        }
    }
}
