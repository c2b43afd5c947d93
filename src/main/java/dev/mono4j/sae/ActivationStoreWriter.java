package dev.mono4j.sae;

import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Dtype;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.sae.ActivationStore.Manifest;
import dev.mono4j.sae.ActivationStore.Shard;
import dev.mono4j.spark.PartFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Writes an {@link ActivationStore}: texts' rows are buffered and written as shards of whole texts, each shard
 * whole and then store.json, so a killed cache leaves complete shards that a resumed one continues after.
 * Memory holds at most one shard's rows.
 */
final class ActivationStoreWriter {
    /** A shard, or (leading dot, suffix) a temp file of one that AtomicFiles writes; group 1 is the shard's name. */
    private static final Pattern SHARD_ENTRY = Pattern.compile("\\.?(" + ActivationStore.SHARD + ")(?:\\..+)?");
    /** What a refused {@code --out} can do instead. */
    private static final String OUT_HINT = "pass --resume to continue the cache in it, or --overwrite to replace it";

    private final Path out;
    /** The settings, and what the shards written so far hold. */
    private final Manifest settings;
    private int dIn;
    private long rows;
    private int texts;
    private long textsChecksum;
    private final List<Shard> shards;
    private final List<String> concepts;
    private final Map<String, Long> conceptIds = new HashMap<>();
    private final List<BufferedText> pending = new ArrayList<>();
    private int pendingRows;

    /** Continues {@code start}: a new store's settings, or a store to resume. */
    private ActivationStoreWriter(Path out, Manifest start) {
        this.out = out;
        this.settings = start;
        this.dIn = start.dIn();
        this.rows = start.rows();
        this.texts = start.texts();
        this.textsChecksum = start.textsChecksum();
        this.shards = new ArrayList<>(start.shards());
        this.concepts = start.concepts() == null ? null : new ArrayList<>(start.concepts());
        for (int i = 0; concepts != null && i < concepts.size(); i++) {
            conceptIds.put(concepts.get(i), (long) i);
        }
    }

    /** Fails unless {@code out} can take a new store: new or empty, or with {@code overwrite} an earlier store. */
    static void checkOut(Path out, boolean overwrite) {
        OutputFolder.check(out, ownEntries(out), overwrite, OUT_HINT);
    }

    /**
     * A new store in {@code out} (checked as {@link #checkOut}; an earlier store it replaces is deleted). The folder
     * is made by the first shard's write, so texts that fail before it leave no empty {@code out}.
     */
    static ActivationStoreWriter create(Path out, Manifest planned, boolean overwrite) {
        OutputFolder.clear(out, ownEntries(out), overwrite, OUT_HINT);
        return new ActivationStoreWriter(out, planned);
    }

    /**
     * The store in {@code out} continued, once it shows the same settings as {@code planned}. What a kill left
     * beside it goes: temp files, and a shard written after the last store.json (it will be written again).
     */
    static ActivationStoreWriter resume(Path out, Manifest planned) {
        if (!Files.isRegularFile(out.resolve(ActivationStore.STORE_FILE))) {
            throw new UserInputException(out + ": no " + ActivationStore.STORE_FILE + " to resume from (a cache killed"
                    + " before its first shard leaves none; start again with --overwrite)");
        }
        Manifest m = ActivationStore.open(out, false, NonFinite.REFUSE).manifest();
        List<String> differ = new ArrayList<>();
        compare(differ, "model", m.modelPath(), planned.modelPath());
        compare(differ, "hook", m.hookName(), planned.hookName());
        compare(differ, "data", m.data(), planned.data());
        compare(differ, "texts", m.plannedTexts(), planned.plannedTexts());
        compare(differ, "max tokens", m.maxTokens(), planned.maxTokens());
        compare(differ, "shard rows", m.shardRows(), planned.shardRows());
        compare(differ, "concepts", m.concepts() != null, planned.concepts() != null);
        if (!differ.isEmpty()) {
            throw new UserInputException(out.resolve(ActivationStore.STORE_FILE) + ": the store was cached with other"
                    + " settings (" + String.join("; ", differ) + "); resume with the same ones, or start again with"
                    + " --overwrite");
        }
        Set<String> listed = m.shards().stream().map(Shard::file).collect(Collectors.toSet());
        try (var entries = Files.list(out)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if ((SHARD_ENTRY.matcher(name).matches() && !listed.contains(name))
                        || name.startsWith("." + ActivationStore.STORE_FILE + ".")) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + out + ": " + e.getMessage(), e);
        }
        return new ActivationStoreWriter(out, m);
    }

    private static void compare(List<String> differ, String what, Object stored, Object now) {
        if (!stored.equals(now)) {
            differ.add(what + " " + stored + ", now " + now);
        }
    }

    /** The entries of a store in {@code out} (store.json, its shards and their temp files), for OutputFolder. */
    private static Set<String> ownEntries(Path out) {
        // A Spark cache's part folder is the store's too (it lives in --out until the driver commits it).
        Set<String> own = new LinkedHashSet<>(List.of(ActivationStore.STORE_FILE, PartFolder.NAME));
        if (Files.isDirectory(out)) {
            try (var entries = Files.list(out)) {
                entries.map(p -> SHARD_ENTRY.matcher(p.getFileName().toString())).filter(Matcher::matches)
                        .forEach(m -> own.add(m.group(1)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + out + ": " + e.getMessage(), e);
            }
        }
        return own;
    }

    /** Texts checksum of the texts so far, extended by one (String.hashCode is the same on every JVM). */
    static long checksum(long sum, String text) {
        return sum * 1_000_003L + text.hashCode();
    }

    /** Whether the store was finished already (a resumed one). */
    boolean complete() {
        return settings.complete();
    }

    /** Texts in the shards written so far (at the start, a resumed store's). */
    int texts() {
        return texts;
    }

    /** {@link #checksum} over the texts in the shards written. */
    long textsChecksum() {
        return textsChecksum;
    }

    /** Rows cached so far, the buffered ones included. */
    long rows() {
        return rows + pendingRows;
    }

    /** Adds the next text's rows, first writing the buffer as a shard when the text would not fit in it. */
    void add(ActivationCacher.TextRows t) {
        int width = t.width();
        if (rows() > 0 && width != dIn) {
            throw new UserInputException(settings.hookName() + " of " + settings.modelPath() + " is " + width
                    + " wide, but the store in " + out + " holds rows of " + dIn + "; the model changed");
        }
        int n = t.tokenIds().length;
        long[] textIndex = new long[n];
        Arrays.fill(textIndex, texts + pending.size());
        long[] conceptIndex = new long[n];
        for (int i = 0; i < n; i++) {
            conceptIndex[i] = conceptIndex(t.concepts()[i]);
        }
        dIn = width;
        if (pendingRows + n > settings.shardRows()) {
            writeShard();
            writeManifest(false);
        }
        pending.add(new BufferedText(t.text(), t.activations(), t.tokenIds(), textIndex, t.positions(), conceptIndex));
        pendingRows += n;
    }

    /**
     * Writes store.json with no shard yet (an unfinished store), making {@code out}: for a cache whose rows come
     * later from elsewhere (Spark's parts), so a stopped one is continued with --resume like any other.
     */
    void begin() {
        writeManifest(false);
    }

    /** Writes the last shard and the finished store.json; returns the store, opened. */
    ActivationStore finish() {
        if (!pending.isEmpty()) {
            writeShard();
        }
        writeManifest(true);
        return ActivationStore.open(out);
    }

    /** A concept's index in store.json's list (new ones are appended: first seen, first listed); -1 for none. */
    private long conceptIndex(String concept) {
        if (concept == null || concepts == null) {
            return -1;
        }
        return conceptIds.computeIfAbsent(concept, c -> {
            concepts.add(c);
            return (long) concepts.size() - 1;
        });
    }

    /** One text's rows, waiting for their shard. */
    private record BufferedText(String text, float[] activations, long[] tokenIds, long[] textIndex, long[] position,
            long[] concept) {
    }

    private void writeShard() {
        String name = ActivationStore.shardFile(shards.size());
        long n = pendingRows;
        SafetensorsWriter sw = new SafetensorsWriter()
                .add("activations", Dtype.F32, new long[] {n, dIn}, n * dIn * Float.BYTES, this::writeActivations)
                .addI64("token_ids", new long[] {n}, column(BufferedText::tokenIds))
                .addI64("text_index", new long[] {n}, column(BufferedText::textIndex))
                .addI64("position", new long[] {n}, column(BufferedText::position));
        if (concepts != null) {
            sw.addI64("concept", new long[] {n}, column(BufferedText::concept));
        }
        sw.write(out.resolve(name));
        for (BufferedText t : pending) {
            textsChecksum = checksum(textsChecksum, t.text());
        }
        shards.add(new Shard(name, n));
        rows += n;
        texts += pending.size();
        pending.clear();
        pendingRows = 0;
    }

    private void writeManifest(boolean complete) {
        Manifest m = settings.with(dIn, rows, texts, textsChecksum, concepts == null ? null : List.copyOf(concepts),
                List.copyOf(shards), complete);
        AtomicFiles.writeString(out.resolve(ActivationStore.STORE_FILE), Json.write(m));
    }

    /** The buffered rows' activations, little-endian F32, one text at a time (no second copy of the shard). */
    private void writeActivations(WritableByteChannel ch) throws IOException {
        for (BufferedText t : pending) {
            ByteBuffer b = ByteBuffer.allocate(t.activations().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(t.activations());
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    private long[] column(Function<BufferedText, long[]> part) {
        long[] all = new long[pendingRows];
        int at = 0;
        for (BufferedText t : pending) {
            long[] p = part.apply(t);
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
