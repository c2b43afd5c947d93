package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mono4j.UserInputException;
import dev.mono4j.data.EncodedTexts;
import dev.mono4j.data.LabelledText;
import dev.mono4j.data.Shuffle;
import dev.mono4j.data.TextSource;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Dtype;
import dev.mono4j.io.Json;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.io.TensorInfo;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.Transformer;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.train.Progress;
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
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One hook's activations of a model over texts, cached on disk for SAE training and evaluation: a folder
 * holding {@code store.json} and shards {@code activations_NNNNN.safetensors}, one row per text token
 * (special tokens and padding left out). docs/sae.md describes the format.
 *
 * <p>Caching streams: memory holds one batch and at most one shard's rows, however many texts there are.
 * Each shard is written whole, then store.json, so a killed cache leaves complete shards that a resumed
 * cache continues after. Reading is either {@link #shuffled} (SAE training) or in order, {@link #chunks}
 * (evaluation: each row with its token, text, position and concept).
 */
public final class ActivationStore {
    public static final String STORE_FILE = "store.json";
    public static final String FORMAT = "mono4j-activations";
    public static final int VERSION = 1;
    private static final String SHARD = "activations_\\d{5,}\\.safetensors";
    private static final Pattern SHARD_NAME = Pattern.compile(SHARD);
    /** A shard, or (leading dot, suffix) a temp file of one that AtomicFiles writes; group 1 is the shard's name. */
    private static final Pattern SHARD_ENTRY = Pattern.compile("\\.?(" + SHARD + ")(?:\\..+)?");
    /** What a refused {@code --out} can do instead. */
    private static final String OUT_HINT = "pass --resume to continue the cache in it, or --overwrite to replace it";

    /** One shard file and its row count. */
    public record Shard(String file, long rows) {
    }

    /**
     * store.json. {@code maxTokens} is the limit texts were cut to; {@code plannedTexts} the texts the finished
     * store holds; {@code textsChecksum} covers the texts already in shards, so a resumed cache can tell that the
     * data still gives them. {@code concepts} is null when the texts carry none.
     */
    @JsonIgnoreProperties(ignoreUnknown = true) // the format and version decide, with clearer messages
    record Manifest(String format, int version, @JsonProperty("d_in") int dIn, @JsonProperty("hook_name") String hookName,
            @JsonProperty("model_path") String modelPath, String data, @JsonProperty("planned_texts") int plannedTexts,
            @JsonProperty("max_tokens") int maxTokens, @JsonProperty("shard_rows") int shardRows, long rows, int texts,
            @JsonProperty("texts_checksum") long textsChecksum, List<String> concepts, List<Shard> shards,
            boolean complete) {

        /** Fails unless this is a version-1 store whose fields agree with each other. */
        void check(Path file, boolean requireComplete) {
            if (!FORMAT.equals(format)) {
                throw new UserInputException(file + ": not an activation store (\"format\" is "
                        + (format == null ? "missing" : "'" + format + "'") + ", expected '" + FORMAT + "')");
            }
            if (version != VERSION) {
                throw new UserInputException(file + ": activation store version " + version + " is not supported (this"
                        + " mono4j reads version " + VERSION + ")");
            }
            if (dIn < 1 || hookName == null || modelPath == null || data == null || shards == null || rows < 0 || texts < 0
                    || (concepts != null && concepts.contains(null))) {
                throw new UserInputException(file + ": d_in, hook_name, model_path, data, rows, texts and shards must"
                        + " be given (d_in >= 1; concepts a list of strings or null)");
            }
            long sum = 0;
            for (Shard s : shards) {
                if (s == null || s.file() == null || !SHARD_NAME.matcher(s.file()).matches() || s.rows() < 1) {
                    throw new UserInputException(file + ": shard " + s + " must name a file activations_NNNNN.safetensors"
                            + " in the store and hold at least one row");
                }
                sum += s.rows();
            }
            if (sum != rows) {
                throw new UserInputException(file + ": the shards hold " + sum + " rows, but \"rows\" is " + rows);
            }
            if (requireComplete && !complete) {
                throw new UserInputException(file + ": the cache is incomplete (" + texts + " of " + plannedTexts
                        + " texts); finish it with ./mono4j sae cache ... --resume");
            }
        }

        /** These settings with the store's contents as they now are. */
        Manifest with(int dIn, long rows, int texts, long textsChecksum, List<String> concepts, List<Shard> shards,
                boolean complete) {
            return new Manifest(format, version, dIn, hookName, modelPath, data, plannedTexts, maxTokens, shardRows, rows,
                    texts, textsChecksum, concepts, shards, complete);
        }
    }

    private final Path dir;
    private final Manifest manifest;
    /** Global index of each shard's first row; one more entry holds the row count. */
    private final long[] shardStart;

    private ActivationStore(Path dir, Manifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
        this.shardStart = new long[manifest.shards().size() + 1];
        for (int i = 0; i < manifest.shards().size(); i++) {
            shardStart[i + 1] = shardStart[i] + manifest.shards().get(i).rows();
        }
    }

    /** Opens a finished store, checking store.json and every shard's tensors (headers only). */
    public static ActivationStore open(Path dir) {
        return read(dir, true);
    }

    private static ActivationStore read(Path dir, boolean requireComplete) {
        Path file = dir.resolve(STORE_FILE);
        if (!Files.isRegularFile(file)) {
            throw new UserInputException(dir + ": not an activation store (no " + STORE_FILE + "; ./mono4j sae cache"
                    + " writes one)");
        }
        Manifest m = Json.read(file, Manifest.class, "activation store");
        if (m == null) {
            throw new UserInputException(file + ": not an activation store (the file holds null)");
        }
        m.check(file, requireComplete);
        ActivationStore store = new ActivationStore(dir, m);
        for (int i = 0; i < m.shards().size(); i++) {
            store.checkShard(i);
        }
        return store;
    }

    /** Fails unless shard {@code i} holds the tensors store.json promises, with their dtypes and shapes. */
    private void checkShard(int i) {
        long n = manifest.shards().get(i).rows();
        try (SafetensorsReader r = SafetensorsReader.open(shardPath(i))) {
            expect(r, "activations", Dtype.F32, n, manifest.dIn());
            expect(r, "token_ids", Dtype.I64, n);
            expect(r, "text_index", Dtype.I64, n);
            expect(r, "position", Dtype.I64, n);
            if (manifest.concepts() != null) {
                expect(r, "concept", Dtype.I64, n);
            }
        }
    }

    private static void expect(SafetensorsReader r, String name, Dtype dtype, long... shape) {
        TensorInfo t = r.info(name);
        if (t.dtype() != dtype || !Arrays.equals(t.shape(), shape)) {
            throw new UserInputException(r.path() + ": tensor '" + name + "' is " + t.dtype() + " " + t.shapeString()
                    + ", expected " + dtype + " " + Arrays.toString(shape) + " (as " + STORE_FILE + " says)");
        }
    }

    public Path dir() {
        return dir;
    }

    /** Width of each row. */
    public int dIn() {
        return manifest.dIn();
    }

    public long rows() {
        return manifest.rows();
    }

    /** How many texts the rows come from. */
    public int texts() {
        return manifest.texts();
    }

    public String hookName() {
        return manifest.hookName();
    }

    /** The model's folder, absolute. */
    public String modelPath() {
        return manifest.modelPath();
    }

    /** What the texts were ("valid.jsonl", "conceptworld (seed 0, 2 dialects)"). */
    public String data() {
        return manifest.data();
    }

    /** The concepts {@link Chunk#concept} indexes, or null when the texts carried none. */
    public List<String> concepts() {
        return manifest.concepts();
    }

    public List<Shard> shards() {
        return manifest.shards();
    }

    private Path shardPath(int i) {
        return dir.resolve(manifest.shards().get(i).file());
    }

    // ---------------------------------------------------------------- caching

    /** Caches {@code cfg.hook()} of the checkpoint in {@code modelDir} over {@code texts} into {@code out}. */
    public static ActivationStore cache(Path modelDir, TextSource texts, ActivationStoreConfig cfg, Path out,
            boolean overwrite, boolean resume, boolean showProgress) {
        if (!resume) { // a bad --out fails before the model loads
            OutputFolder.check(out, ownEntries(out), overwrite, OUT_HINT);
        }
        try (Transformer model = Checkpoint.load(modelDir); Tokenizer tok = Tokenizer.load(modelDir)) {
            return cache(model, tok, modelDir.toAbsolutePath().normalize().toString(), texts, cfg, out, overwrite, resume,
                    showProgress);
        }
    }

    /**
     * Caches a loaded model's hook. Without {@code resume}, {@code out} must be new or empty, or an earlier store
     * to replace with {@code overwrite}; with {@code resume}, {@code out} holds a store of the same model, hook,
     * data and settings, continued after its complete shards.
     *
     * @param modelPath the model's folder, recorded in store.json
     */
    public static ActivationStore cache(Transformer model, Tokenizer tok, String modelPath, TextSource texts,
            ActivationStoreConfig cfg, Path out, boolean overwrite, boolean resume, boolean showProgress) {
        if (overwrite && resume) {
            throw new UserInputException("--overwrite and --resume exclude each other: replace the store or continue it");
        }
        if (!model.hookNames().contains(cfg.hook())) {
            int last = model.config().numLayers() - 1;
            throw new UserInputException("--hook '" + cfg.hook() + "' is not a hook point of " + modelPath + " (e.g. "
                    + HookPoint.residPost(0) + ", " + HookPoint.mlpPost(last) + "; ./mono4j inspect lists them)");
        }
        Manifest planned = new Manifest(FORMAT, VERSION, 0, cfg.hook(), modelPath, texts.name(), texts.size(),
                model.config().tokenLimit(cfg.maxTokens()), cfg.shardRows(), 0, 0, 0,
                texts.withConcepts() ? List.of() : null, List.of(), false);
        Manifest start = planned;
        if (resume) {
            start = resumable(out, planned);
            if (start.complete()) {
                return open(out);
            }
        } else {
            OutputFolder.prepare(out, ownEntries(out), overwrite, OUT_HINT);
        }
        Iterator<LabelledText> it = texts.iterator();
        long checksum = 0;
        for (int i = 0; i < start.texts(); i++) {
            checksum = checksum(checksum, it.next().text());
        }
        if (checksum != start.textsChecksum()) {
            throw new UserInputException(texts.name() + ": the first " + start.texts() + " texts differ from those cached"
                    + " in " + out + "; resuming would mix two datasets (start again with --overwrite)");
        }
        Writer w = new Writer(out, start);
        Progress progress = showProgress ? new Progress("sae cache", texts.size() - start.texts(), "texts") : null;
        int textIndex = start.texts();
        while (it.hasNext()) {
            List<LabelledText> batch = EncodedTexts.nextBatch(it, cfg.batchSize());
            EncodedTexts enc = EncodedTexts.encode(tok, batch, start.maxTokens());
            model.checkTokenIds(enc.batch(), batch.get(0).source() + " (batch starting here): ");
            float[] acts;
            int width;
            try (NDManager step = model.manager().newSubManager()) {
                Hooks h = Hooks.capture(cfg.hook());
                model.forward(step, enc.batch(), h);
                NDArray a = h.get(cfg.hook());
                width = Math.toIntExact(a.getShape().get(2));
                // Padding and special tokens are dropped in torch: only text-token rows reach the heap.
                NDArray rowIndex = step.create(Arrays.stream(enc.rows()).asLongStream().toArray());
                acts = a.reshape(-1, width).get(new NDIndex("{}", rowIndex)).toFloatArray();
            }
            for (int b = 0; b < batch.size(); b++) {
                w.add(TextRows.of(enc, b, acts, width, textIndex++, batch.get(b).text(), w::conceptIndex));
            }
            if (progress != null) {
                progress.step(batch.size(), w.rows() + " rows");
            }
        }
        w.finish();
        return open(out);
    }

    /**
     * The store in {@code out} to resume, once it shows the same settings as {@code planned}. What a kill left
     * beside it goes: temp files, and a shard written after the last store.json (it will be written again).
     */
    private static Manifest resumable(Path out, Manifest planned) {
        if (!Files.isRegularFile(out.resolve(STORE_FILE))) {
            throw new UserInputException(out + ": no " + STORE_FILE + " to resume from (a cache killed before its first"
                    + " shard leaves none; start again with --overwrite)");
        }
        Manifest m = read(out, false).manifest;
        List<String> differ = new ArrayList<>();
        compare(differ, "model", m.modelPath(), planned.modelPath());
        compare(differ, "hook", m.hookName(), planned.hookName());
        compare(differ, "data", m.data(), planned.data());
        compare(differ, "texts", m.plannedTexts(), planned.plannedTexts());
        compare(differ, "max tokens", m.maxTokens(), planned.maxTokens());
        compare(differ, "shard rows", m.shardRows(), planned.shardRows());
        compare(differ, "concepts", m.concepts() != null, planned.concepts() != null);
        if (!differ.isEmpty()) {
            throw new UserInputException(out.resolve(STORE_FILE) + ": the store was cached with other settings ("
                    + String.join("; ", differ) + "); resume with the same ones, or start again with --overwrite");
        }
        Set<String> listed = m.shards().stream().map(Shard::file).collect(java.util.stream.Collectors.toSet());
        try (var entries = Files.list(out)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if ((SHARD_ENTRY.matcher(name).matches() && !listed.contains(name)) || name.startsWith("." + STORE_FILE + ".")) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + out + ": " + e.getMessage(), e);
        }
        return m;
    }

    private static void compare(List<String> differ, String what, Object stored, Object now) {
        if (!stored.equals(now)) {
            differ.add(what + " " + stored + ", now " + now);
        }
    }

    /** The entries of a store in {@code out} (store.json, its shards and their temp files), for OutputFolder. */
    private static Set<String> ownEntries(Path out) {
        Set<String> own = new LinkedHashSet<>(List.of(STORE_FILE));
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
    private static long checksum(long sum, String text) {
        return sum * 1_000_003L + text.hashCode();
    }

    /** One text's rows, waiting for their shard. */
    private record TextRows(String text, float[] activations, long[] tokenIds, long[] textIndex, long[] position,
            long[] concept) {

        static TextRows of(EncodedTexts enc, int b, float[] batchActs, int width, long textIndex, String text,
                ToLongFunction<String> conceptIndex) {
            int from = enc.firstRow()[b];
            int n = enc.firstRow()[b + 1] - from;
            long[] ids = new long[n];
            long[] texts = new long[n];
            long[] pos = new long[n];
            long[] concept = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = enc.tokenId(from + i);
                texts[i] = textIndex;
                pos[i] = enc.position(from + i);
                concept[i] = conceptIndex.applyAsLong(enc.concepts()[from + i]);
            }
            return new TextRows(text, Arrays.copyOfRange(batchActs, from * width, (from + n) * width), ids, texts, pos,
                    concept);
        }

        int rows() {
            return tokenIds.length;
        }
    }

    /** Buffers rows and writes them as shards of whole texts, each followed by an updated store.json. */
    private static final class Writer {
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
        private final List<TextRows> pending = new ArrayList<>();
        private int pendingRows;

        /** Continues {@code start}: a new store's settings, or a store to resume. */
        Writer(Path out, Manifest start) {
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

        /** Rows cached so far, the buffered ones included. */
        long rows() {
            return rows + pendingRows;
        }

        /** A concept's index in store.json's list (new ones are appended: first seen, first listed); -1 for none. */
        long conceptIndex(String concept) {
            if (concept == null || concepts == null) {
                return -1;
            }
            return conceptIds.computeIfAbsent(concept, c -> {
                concepts.add(c);
                return (long) concepts.size() - 1;
            });
        }

        /** Buffers a text, first writing the buffer as a shard when the text would not fit in it. */
        void add(TextRows t) {
            int width = t.activations().length / t.rows();
            if (rows() > 0 && width != dIn) {
                throw new UserInputException(settings.hookName() + " of " + settings.modelPath() + " is " + width
                        + " wide, but the store in " + out + " holds rows of " + dIn + "; the model changed");
            }
            dIn = width;
            if (pendingRows + t.rows() > settings.shardRows()) {
                writeShard();
                writeManifest(false);
            }
            pending.add(t);
            pendingRows += t.rows();
        }

        void finish() {
            if (!pending.isEmpty()) {
                writeShard();
            }
            writeManifest(true);
        }

        private void writeShard() {
            String name = String.format(Locale.ROOT, "activations_%05d.safetensors", shards.size());
            long n = pendingRows;
            SafetensorsWriter sw = new SafetensorsWriter()
                    .add("activations", Dtype.F32, new long[] {n, dIn}, n * dIn * Float.BYTES, this::writeActivations)
                    .addI64("token_ids", new long[] {n}, column(TextRows::tokenIds))
                    .addI64("text_index", new long[] {n}, column(TextRows::textIndex))
                    .addI64("position", new long[] {n}, column(TextRows::position));
            if (concepts != null) {
                sw.addI64("concept", new long[] {n}, column(TextRows::concept));
            }
            sw.write(out.resolve(name));
            for (TextRows t : pending) {
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
            AtomicFiles.writeString(out.resolve(STORE_FILE), Json.write(m));
        }

        /** The buffered rows' activations, little-endian F32, one text at a time (no second copy of the shard). */
        private void writeActivations(WritableByteChannel ch) throws IOException {
            for (TextRows t : pending) {
                ByteBuffer b = ByteBuffer.allocate(t.activations().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.activations());
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }

        private long[] column(Function<TextRows, long[]> part) {
            long[] all = new long[pendingRows];
            int at = 0;
            for (TextRows t : pending) {
                long[] p = part.apply(t);
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return all;
        }
    }

    // ---------------------------------------------------------------- reading

    /** Floats one read passes through its temp buffer (4 MiB), however many rows are asked for. */
    private static final int READ_FLOATS = 1 << 20;

    /** Copies rows {@code [first, first + count)} of the store (any shards) into {@code dst} from row {@code dstRow}. */
    private void read(long first, int count, float[] dst, int dstRow) {
        int dIn = manifest.dIn();
        int piece = Math.max(1, READ_FLOATS / dIn);
        while (count > 0) {
            int s = Arrays.binarySearch(shardStart, first);
            s = s >= 0 ? s : -s - 2; // the shard whose range holds row `first`
            int inShard = (int) Math.min(count, shardStart[s + 1] - first);
            try (SafetensorsReader r = SafetensorsReader.open(shardPath(s))) {
                for (int done = 0; done < inShard; done += piece) {
                    int n = Math.min(piece, inShard - done);
                    ByteBuffer b = ByteBuffer.allocate(n * dIn * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    r.readF32("activations", (first - shardStart[s] + done) * dIn, n * dIn, b);
                    b.flip();
                    b.asFloatBuffer().get(dst, (dstRow + done) * dIn, n * dIn);
                }
            }
            first += inShard;
            dstRow += inShard;
            count -= inShard;
        }
    }

    /** Checks that {@code rows} rows of this store fit one Java array. */
    private void checkArrayRows(int rows, String what) {
        if (rows < 1 || (long) rows * manifest.dIn() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + " must be at least 1 and at most "
                    + (Integer.MAX_VALUE - 8) / manifest.dIn() + " rows at d_in " + manifest.dIn());
        }
    }

    /**
     * Rows in order with what they stand for. {@code concept} indexes {@link #concepts()} (-1: none) and is null
     * when the store has no concepts; {@code position} is the token's index in its text's tokens (BOS is 0).
     */
    public record Chunk(long firstRow, float[] activations, long[] tokenIds, long[] textIndex, long[] position,
            long[] concept) {
        public int rows() {
            return tokenIds.length;
        }
    }

    /** The store in order, at most {@code maxRows} rows per chunk, never crossing a shard. */
    public Iterator<Chunk> chunks(int maxRows) {
        checkArrayRows(maxRows, "a chunk");
        return new Chunks(maxRows);
    }

    private final class Chunks implements Iterator<Chunk> {
        private final int maxRows;
        private int shard;
        private long offset;
        /** The current shard's token_ids, text_index, position and concept (null without concepts). */
        private long[][] columns;

        Chunks(int maxRows) {
            this.maxRows = maxRows;
        }

        @Override
        public boolean hasNext() {
            return shard < manifest.shards().size();
        }

        @Override
        public Chunk next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (columns == null) {
                try (SafetensorsReader r = SafetensorsReader.open(shardPath(shard))) {
                    columns = new long[][] {r.readLongs("token_ids"), r.readLongs("text_index"), r.readLongs("position"),
                        manifest.concepts() == null ? null : r.readLongs("concept")};
                }
            }
            long shardRows = manifest.shards().get(shard).rows();
            int n = (int) Math.min(maxRows, shardRows - offset);
            long first = shardStart[shard] + offset;
            float[] acts = new float[n * manifest.dIn()];
            read(first, n, acts, 0);
            long[][] part = new long[4][];
            for (int c = 0; c < part.length; c++) {
                part[c] = columns[c] == null ? null : Arrays.copyOfRange(columns[c], (int) offset, (int) offset + n);
            }
            offset += n;
            if (offset == shardRows) {
                shard++;
                offset = 0;
                columns = null;
            }
            return new Chunk(first, acts, part[0], part[1], part[2], part[3]);
        }
    }

    /**
     * The rows for SAE training: every epoch visits each row once, in a new order, without end. Memory holds
     * {@code bufferRows} rows (or the whole store when it is smaller). The order depends only on the seed and
     * {@code bufferRows}, and {@link ActivationSource#skip skip} costs no reading.
     *
     * <p>Each epoch puts the store's blocks (runs of {@code bufferRows / 64} consecutive rows) in a random order,
     * then cuts that order into windows of {@code bufferRows} rows; a window is read into the buffer and handed
     * out shuffled. A window thus mixes rows from 64 random places of the store, not one text or shard.
     */
    public ActivationSource shuffled(long seed, int bufferRows) {
        checkArrayRows(bufferRows, "the shuffle buffer");
        if (manifest.rows() == 0) {
            throw new UserInputException(dir + ": the store holds no rows");
        }
        return new Shuffled(seed, bufferRows);
    }

    /** Blocks per window: how many places of the store one buffer draws from. */
    private static final int WINDOW_BLOCKS = 64;

    final class Shuffled implements ActivationSource {
        private final long seed;
        private final int windowRows;
        private final int blockRows;
        /** Whole blocks; the one partial block (the store's last rows) ends every epoch. */
        private final int fullBlocks;
        private long position;
        private long blocksEpoch = -1;
        private int[] blockOrder;
        private long loadedEpoch = -1;
        private long loadedWindow = -1;
        private float[] buffer;
        private int[] rowOrder;

        Shuffled(long seed, int bufferRows) {
            this.seed = seed;
            this.windowRows = (int) Math.min(bufferRows, manifest.rows());
            this.blockRows = Math.max(1, windowRows / WINDOW_BLOCKS);
            this.fullBlocks = Math.toIntExact(manifest.rows() / blockRows);
        }

        @Override
        public int dIn() {
            return manifest.dIn();
        }

        @Override
        public float[] next(int rows) {
            int dIn = manifest.dIn();
            float[] out = new float[Math.multiplyExact(rows, dIn)];
            for (int i = 0; i < rows; i++, position++) {
                long epoch = position / manifest.rows();
                long inEpoch = position % manifest.rows();
                long window = inEpoch / windowRows;
                if (epoch != loadedEpoch || window != loadedWindow) {
                    load(epoch, window);
                }
                int row = rowOrder[(int) (inEpoch - window * windowRows)];
                System.arraycopy(buffer, row * dIn, out, i * dIn, dIn);
            }
            return out;
        }

        @Override
        public void skip(long rows) {
            position += rows; // next() loads whichever window it lands in
        }

        /** Reads window {@code window} of epoch {@code epoch} into the buffer and shuffles its order. */
        private void load(long epoch, long window) {
            if (epoch != blocksEpoch) {
                blockOrder = Shuffle.permutation(fullBlocks, rng(seed, epoch));
                blocksEpoch = epoch;
            }
            long from = window * windowRows;
            int n = (int) Math.min(windowRows, manifest.rows() - from);
            if (buffer == null) {
                buffer = new float[windowRows * manifest.dIn()];
            }
            for (long p = from; p < from + n;) {
                long block = p / blockRows;
                int offset = (int) (p % blockRows);
                long start = (block < fullBlocks ? blockOrder[(int) block] : block) * blockRows + offset;
                int len = (int) Math.min(from + n - p, Math.min(blockRows - offset, manifest.rows() - start));
                read(start, len, buffer, (int) (p - from));
                p += len;
            }
            rowOrder = Shuffle.permutation(n, rng(seed, epoch, window));
            loadedEpoch = epoch;
            loadedWindow = window;
        }

        /** Rows the buffer can hold (for tests of the memory bound). */
        int bufferRows() {
            return buffer == null ? 0 : buffer.length / manifest.dIn();
        }
    }

    /** A generator for one purpose, drawn from the seed and keys (an epoch, a window). */
    private static SplittableRandom rng(long seed, long... keys) {
        long s = seed;
        for (long k : keys) {
            s = new SplittableRandom(s).nextLong() ^ k;
        }
        return new SplittableRandom(s);
    }

}
