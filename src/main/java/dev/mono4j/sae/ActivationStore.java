package dev.mono4j.sae;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mono4j.UserInputException;
import dev.mono4j.data.Shuffle;
import dev.mono4j.io.Dtype;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * One hook's activations of a model over texts, cached on disk for SAE training and evaluation: a folder
 * holding {@code store.json} and shards {@code activations_NNNNN.safetensors}, one row per text token
 * (special tokens and padding left out). docs/sae.md describes the format.
 *
 * <p>This class is the format: it opens and checks a store, with one-line errors naming the file, and reads it
 * either {@link #shuffled} (SAE training) or in order, {@link #chunks} (evaluation: each row with its token,
 * text, position and concept). {@link ActivationStoreWriter} writes it; {@link ActivationCacher} runs a model
 * over texts to fill it ({@code sae cache}).
 */
public final class ActivationStore {
    public static final String STORE_FILE = "store.json";
    public static final String FORMAT = "mono4j-activations";
    public static final int VERSION = 1;
    /** A shard's file name. */
    static final String SHARD = "activations_\\d{5,}\\.safetensors";
    private static final Pattern SHARD_NAME = Pattern.compile(SHARD);

    /** The file name of shard {@code i}. */
    static String shardFile(int i) {
        return String.format(Locale.ROOT, "activations_%05d.safetensors", i);
    }

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
            // d_in is known from the first rows: an unfinished store with no shard yet (a Spark cache before its
            // commit, SparkActivationCacher) has none.
            if (hookName == null || modelPath == null || data == null || shards == null || rows < 0 || texts < 0
                    || (dIn < 1 && (complete || !shards.isEmpty())) || (concepts != null && concepts.contains(null))) {
                throw new UserInputException(file + ": d_in, hook_name, model_path, data, rows, texts and shards must"
                        + " be given (d_in >= 1 once a shard is written; concepts a list of strings or null)");
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

        /** A store to fill: its settings, and no rows yet. {@code concepts}: whether the texts carry them. */
        static Manifest planned(String hookName, String modelPath, String data, int plannedTexts, int maxTokens,
                int shardRows, boolean concepts) {
            return new Manifest(FORMAT, VERSION, 0, hookName, modelPath, data, plannedTexts, maxTokens, shardRows, 0, 0, 0,
                    concepts ? List.of() : null, List.of(), false);
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
    /** Whether a NaN or ±Inf among the rows read is refused (naming the shard, row and column) or handed out. */
    private final NonFinite nonFinite;

    private ActivationStore(Path dir, Manifest manifest, NonFinite nonFinite) {
        this.dir = dir;
        this.manifest = manifest;
        this.nonFinite = nonFinite;
        this.shardStart = new long[manifest.shards().size() + 1];
        for (int i = 0; i < manifest.shards().size(); i++) {
            shardStart[i + 1] = shardStart[i] + manifest.shards().get(i).rows();
        }
    }

    /**
     * Opens a finished store, checking store.json and every shard's tensors (headers only); rows are checked for
     * NaN and ±Inf as they are read, and refused.
     */
    public static ActivationStore open(Path dir) {
        return open(dir, NonFinite.REFUSE);
    }

    /** As {@link #open(Path)}; {@code nonFinite} says whether a non-finite value among the rows read is refused. */
    public static ActivationStore open(Path dir, NonFinite nonFinite) {
        return open(dir, true, nonFinite);
    }

    /** Opens a store, finished or (without {@code requireComplete}) a stopped cache's, checking it as {@link #open}. */
    static ActivationStore open(Path dir, boolean requireComplete, NonFinite nonFinite) {
        Manifest m = manifest(dir, requireComplete);
        ActivationStore store = new ActivationStore(dir, m, nonFinite);
        for (int i = 0; i < m.shards().size(); i++) {
            store.checkShard(i);
        }
        return store;
    }

    /** store.json alone, checked (its shards are not opened): what a store holds, for a description of it. */
    static Manifest manifest(Path dir, boolean requireComplete) {
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
        return m;
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

    /** store.json as read. */
    Manifest manifest() {
        return manifest;
    }

    private Path shardPath(int i) {
        return dir.resolve(manifest.shards().get(i).file());
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
                    checkFinite(b.asFloatBuffer(), s, first - shardStart[s] + done);
                    b.asFloatBuffer().get(dst, (dstRow + done) * dIn, n * dIn);
                }
            }
            first += inShard;
            dstRow += inShard;
            count -= inShard;
        }
    }

    /** Refuses (unless allowed) a non-finite value among rows of shard {@code s} read from row {@code firstRow}. */
    private void checkFinite(java.nio.FloatBuffer rows, int s, long firstRow) {
        NonFinite.Tally t = nonFinite.tally();
        if (t != null && t.add(rows).count() > 0) {
            long row = firstRow + t.firstIndex() / manifest.dIn();
            nonFinite.refuse(shardPath(s) + ": tensor 'activations' has " + t.describe("row " + row + ", column "
                    + t.firstIndex() % manifest.dIn()) + " in rows " + firstRow + "–"
                    + (firstRow + rows.remaining() / manifest.dIn() - 1));
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
        public long epochRows() {
            return manifest.rows();
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
