package dev.mono4j.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.OutputFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Pool vectors kept on disk between selections ({@code select --vectors DIR}): {@value #DATA} (little-endian float32,
 * one row per pool sample, in pool order) and {@value #INFO} (what they were computed from, their width, whether
 * they are complete). A selection fills the folder as it scores the pool from its first sample; a later selection
 * with the same pool, model, SAE, hook and pooling reads them instead of running the model, whatever its targets or
 * similarity. A folder holding vectors of anything else is refused; an incomplete one (a stopped run) is refilled.
 * It takes pool size × width × 4 bytes (40 MB for 10,000 samples of 1,024 codes).
 */
final class VectorCache implements AutoCloseable {
    static final String DATA = "vectors.f32";
    static final String INFO = "vectors.json";

    private final Path dir;
    private final ObjectNode key;
    private final long poolSize;
    private final boolean complete;
    private FileChannel writer;
    private int width;
    private long rows;
    private boolean appending = true;

    private VectorCache(Path dir, ObjectNode key, long poolSize, boolean complete, int width) {
        this.dir = dir;
        this.key = key;
        this.poolSize = poolSize;
        this.complete = complete;
        this.width = width;
        this.rows = complete ? poolSize : 0;
    }

    /** Opens (or starts) the cache in {@code dir} for vectors described by {@code key}. */
    static VectorCache open(Path dir, ObjectNode key, long poolSize) {
        Path info = dir.resolve(INFO);
        if (Files.exists(info)) {
            JsonNode saved = Json.read(info);
            if (!Json.line(key).equals(Json.line(saved.get("key")))) {
                throw new UserInputException(dir + ": holds vectors of other settings (" + info + "); choose another"
                        + " --vectors folder");
            }
            if (saved.path("complete").asBoolean()) {
                return new VectorCache(dir, key, poolSize, true, saved.get("width").asInt());
            }
        } else {
            OutputFolder.check(dir, java.util.List.of(DATA, INFO), false, "choose a new or empty --vectors folder");
        }
        VectorCache c = new VectorCache(dir, key, poolSize, false, 0);
        c.writeInfo(false);
        return c;
    }

    /** Rows {@code first ..} of the pool, {@code n} of them, when the cache is complete; else null. */
    float[] read(long first, int n) {
        if (!complete) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate(n * width * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(dir.resolve(DATA), StandardOpenOption.READ)) {
            long at = first * width * Float.BYTES;
            while (buf.hasRemaining()) {
                if (ch.read(buf, at + buf.position()) < 0) {
                    throw new UserInputException(dir.resolve(DATA) + ": shorter than " + INFO + " says; delete the folder");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buf.flip();
        float[] v = new float[n * width];
        buf.asFloatBuffer().get(v);
        return v;
    }

    /** Keeps the vectors of {@code n} samples from {@code first} on, when they continue the rows written so far. */
    void append(long first, int n, float[] v) {
        if (complete || !appending || first != rows) {
            appending = false; // a selection resumed mid-pool: the cache stays incomplete and is refilled later
            return;
        }
        try {
            if (writer == null) {
                width = v.length / n;
                Files.createDirectories(dir);
                writer = FileChannel.open(dir.resolve(DATA), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            }
            ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(v);
            while (buf.hasRemaining()) {
                writer.write(buf);
            }
            rows += n;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(DATA) + ": " + e.getMessage(), e);
        }
    }

    private void writeInfo(boolean done) {
        AtomicFiles.writeString(dir.resolve(INFO), Json.write(Json.object("key", key, "width", width, "rows", done ? rows : 0,
                "complete", done)));
    }

    /** Marks the cache complete once every pool sample's vector is in it. */
    @Override
    public void close() {
        if (writer == null) {
            return;
        }
        try {
            writer.force(false);
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (appending && rows == poolSize) {
            writeInfo(true);
        }
    }
}
