package dev.mono4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file: an 8-byte little-endian header length, a JSON header, then raw tensor bytes.
 * The header is validated completely on open, so later reads cannot run outside the file. Tensor data is
 * memory-mapped on demand, one region per read, so files (not single reads) may exceed 2 GB.
 */
public final class SafetensorsReader implements AutoCloseable {
    /** The format's own limit on header size; larger values mean a corrupt or foreign file. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private final Path path;
    private final FileChannel channel;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsReader(Path path, FileChannel channel, Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsReader open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new UserInputException(path + ": file not found");
        } catch (IOException e) {
            throw new UserInputException(path + ": cannot open: " + e.getMessage());
        }
        try {
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, ch, metadata);
            return new SafetensorsReader(path, ch, tensors, metadata);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, FileChannel ch, Map<String, String> metadata) {
        try {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw bad(path, "truncated: " + fileSize + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 0 || headerLen > fileSize - 8) {
                throw bad(path, "header length " + Long.toUnsignedString(headerLen)
                        + " runs beyond the end of the file (" + fileSize + " bytes)");
            }
            if (headerLen > MAX_HEADER_BYTES) {
                throw bad(path, "header length " + headerLen + " exceeds the format's 100 MB limit");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(header.array());
            } catch (IOException e) {
                throw bad(path, "header is not valid JSON: " + firstLine(e.getMessage()));
            }
            if (root == null || !root.isObject()) {
                throw bad(path, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = fileSize - dataStart;
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                tensors.put(e.getKey(), parseEntry(path, e.getKey(), e.getValue(), dataStart, dataLen));
            }
            checkNoOverlap(path, tensors);
            return Collections.unmodifiableMap(tensors);
        } catch (IOException e) {
            throw new UserInputException(path + ": cannot read: " + e.getMessage());
        }
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode v, long dataStart, long dataLen) {
        String where = "tensor '" + name + "': ";
        if (!v.isObject() || !v.has("dtype") || !v.has("shape") || !v.has("data_offsets")) {
            throw bad(path, where + "entry needs dtype, shape and data_offsets");
        }
        Dtype dtype = Dtype.parse(v.get("dtype").asText());
        if (dtype == null) {
            throw bad(path, where + "unknown dtype '" + v.get("dtype").asText() + "'");
        }
        JsonNode sh = v.get("shape");
        JsonNode off = v.get("data_offsets");
        if (!sh.isArray() || !off.isArray() || off.size() != 2) {
            throw bad(path, where + "shape must be an array and data_offsets a pair");
        }
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!sh.get(i).canConvertToLong() || sh.get(i).asLong() < 0) {
                throw bad(path, where + "shape " + sh + " has an invalid dimension");
            }
            shape[i] = sh.get(i).asLong();
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw bad(path, where + "data_offsets [" + begin + ", " + end + "] are not an increasing range");
        }
        if (end > dataLen) {
            throw bad(path, where + "data_offsets [" + begin + ", " + end + "] run beyond the end of the file (data section is "
                    + dataLen + " bytes)");
        }
        long expected = 0;
        if (Arrays.stream(shape).noneMatch(d -> d == 0)) {
            try {
                expected = dtype.bytes;
                for (long d : shape) {
                    expected = Math.multiplyExact(expected, d);
                }
            } catch (ArithmeticException e) {
                throw bad(path, where + "shape " + sh + " × " + dtype + " is more than 2^63 bytes");
            }
        }
        if (expected != end - begin) {
            throw bad(path, where + "shape " + sh + " × " + dtype + " is " + expected
                    + " bytes but data_offsets span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, dataStart + begin, dataStart + end);
    }

    private static void checkNoOverlap(Path path, Map<String, TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (prev != null && t.begin() < prev.end() && t.byteSize() > 0 && prev.byteSize() > 0) {
                throw bad(path, "tensor '" + t.name() + "': data overlaps tensor '" + prev.name() + "'");
            }
            if (t.byteSize() > 0) {
                prev = t;
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw bad(path, "no tensor named '" + name + "'");
        }
        return t;
    }

    /**
     * Converts {@code count} elements of a float tensor, starting at element {@code first}, to F32 and
     * puts them into {@code dst} (which must be little-endian) at its position, advancing it.
     */
    public void readF32(String name, long first, int count, ByteBuffer dst) {
        TensorInfo t = info(name);
        if (!t.dtype().isFloat()) {
            throw bad(path, "tensor '" + name + "' is " + t.dtype() + ", expected a float dtype");
        }
        ByteBuffer src = map(t, first * t.dtype().bytes, (long) count * t.dtype().bytes);
        switch (t.dtype()) {
            case F32 -> dst.put(src);
            case BF16, F16 -> {
                ShortBuffer s = src.asShortBuffer();
                FloatBuffer f = dst.asFloatBuffer();
                boolean bf = t.dtype() == Dtype.BF16;
                for (int i = 0; i < count; i++) {
                    short h = s.get(i);
                    f.put(i, bf ? Dtype.bf16ToFloat(h) : Dtype.halfToFloat(h));
                }
                dst.position(dst.position() + count * 4);
            }
            case F64 -> {
                FloatBuffer f = dst.asFloatBuffer();
                for (int i = 0; i < count; i++) {
                    f.put(i, (float) src.getDouble(i * 8));
                }
                dst.position(dst.position() + count * 4);
            }
            default -> throw new IllegalStateException();
        }
    }

    /** The whole tensor as F32 on the Java heap (for small tensors and tests). */
    public float[] readFloats(String name) {
        TensorInfo t = info(name);
        int n = Math.toIntExact(t.numel());
        ByteBuffer buf = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        readF32(name, 0, n, buf);
        float[] out = new float[n];
        buf.flip();
        buf.asFloatBuffer().get(out);
        return out;
    }

    /** An integer tensor (I64, I32, I16, I8, U8) widened to long. */
    public long[] readLongs(String name) {
        TensorInfo t = info(name);
        int n = Math.toIntExact(t.numel());
        ByteBuffer src = map(t, 0, t.byteSize());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (t.dtype()) {
                case I64 -> src.getLong(i * 8);
                case I32 -> src.getInt(i * 4);
                case I16 -> src.getShort(i * 2);
                case I8 -> src.get(i);
                case U8, BOOL -> src.get(i) & 0xff;
                default -> throw bad(path, "tensor '" + name + "' is " + t.dtype() + ", expected an integer dtype");
            };
        }
        return out;
    }

    /** Maps part of a tensor's bytes read-only, little-endian. One mapping is at most 2 GB. */
    private ByteBuffer map(TensorInfo t, long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > t.byteSize()) {
            throw new IndexOutOfBoundsException("read of " + length + " bytes at " + offset + " outside tensor " + t.name());
        }
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("one read is limited to 2 GB; read tensor " + t.name() + " in parts");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, t.begin() + offset, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UserInputException(path + ": cannot map tensor '" + t.name() + "': " + e.getMessage());
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static UserInputException bad(Path path, String what) {
        return new UserInputException(path + ": " + what);
    }

    private static String firstLine(String s) {
        int i = s == null ? -1 : s.indexOf('\n');
        return i < 0 ? String.valueOf(s) : s.substring(0, i);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to recover: we are already reporting the real error
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
