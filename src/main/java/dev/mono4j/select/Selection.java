package dev.mono4j.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.UserInputException;
import dev.mono4j.console.Progress;
import dev.mono4j.data.EncodedTexts;
import dev.mono4j.data.FieldCondition;
import dev.mono4j.data.LabelledText;
import dev.mono4j.data.TextSource;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.io.TextLines;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * {@code select}: scores every pool sample against the targets with a {@link SelectMethod} and keeps the best n
 * (MoNA, arXiv 2503.15573v2 Algorithm 1: score, then keep the top n).
 *
 * <p>The pool is streamed: memory holds one batch, the targets and the n selected (index, score) pairs, however
 * large the pool. Scores go to {@value #SCORES} (little-endian float32, one per pool line, in pool order) as each
 * batch finishes; a stopped run resumes after its last whole batch ({@code resume}), and since every score depends
 * only on its sample and the batches start at the same places, a resumed run writes the same bytes. Ties are broken
 * by pool order (the earlier line wins). Then {@value #SELECTED} gets the selected lines in pool order, each with
 * {@code pool_index} (0-based line) and {@code score} added, {@value #SELECTED_TEXT} their texts one per line (for
 * {@code pretrain --train}; a newline inside a text becomes a space), and {@value #SUMMARY} the settings and result.
 */
public final class Selection {
    public static final String SCORES = "scores.f32";
    public static final String SELECTED = "selected.jsonl";
    public static final String SELECTED_TEXT = "selected.txt";
    public static final String SUMMARY = "select.json";
    static final List<String> OUTPUTS = List.of(SCORES, SELECTED, SELECTED_TEXT, SUMMARY, Bm25Scorer.INDEX);

    private Selection() {
    }

    /**
     * The outcome: how many samples, how fast, and (with a {@link FieldCondition}) the precision and recall of the
     * selection against it.
     *
     * @param setupSeconds     reading the inputs, loading the model and the targets' prototype (BM25: indexing and
     *                         querying the whole pool)
     * @param samplesPerSecond samples scored by this run over setup and scoring time
     * @param relevantInPool   pool samples the relevance names (null without one)
     * @param relevantSelected of those, how many were selected (null without one)
     */
    public record Result(Path out, String method, String hook, int poolSize, int targets, int selected,
            float lowestSelectedScore, double setupSeconds, double scoringSeconds, double samplesPerSecond,
            Integer relevantInPool, Integer relevantSelected) {
        /** Selected relevant / selected, or null without a relevance. */
        public Double precision() {
            return relevantSelected == null ? null : (double) relevantSelected / selected;
        }

        /** Selected relevant / relevant in the pool (null without a relevance or with none in the pool). */
        public Double recall() {
            return relevantInPool == null || relevantInPool == 0 ? null : (double) relevantSelected / relevantInPool;
        }
    }

    /** The pool as a text source: a JSONL file whose lines each have a {@code text}. */
    static TextSource pool(SelectConfig cfg) {
        return jsonl(cfg.pool(), "--pool");
    }

    private static TextSource jsonl(Path file, String flag) {
        if (!file.getFileName().toString().endsWith(".jsonl")) {
            throw new UserInputException(file + ": " + flag + " takes a JSONL file (.jsonl) with a \"text\" field per line");
        }
        return TextSource.file(file, null, Integer.MAX_VALUE);
    }

    /**
     * Runs a selection into {@code out}: new or empty (or an earlier selection, replaced with {@code overwrite}),
     * or with {@code resume} a stopped selection with the same settings, continued.
     */
    public static Result run(SelectConfig cfg, Path out, boolean overwrite, boolean resume, NonFinite nonFinite,
            boolean progress) {
        long start = System.nanoTime();
        if (overwrite && resume) {
            throw new UserInputException("--overwrite and --resume exclude each other: replace the selection or continue it");
        }
        TextSource pool = pool(cfg);
        List<LabelledText> targets = new ArrayList<>();
        jsonl(cfg.targets(), "--targets").iterator().forEachRemaining(targets::add);
        int n;
        try {
            n = cfg.selectedCount(pool.size());
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        ObjectNode settings = settings(cfg, pool);
        long done = resume ? resumable(out, settings, cfg.batchSize()) : 0;
        if (!resume) {
            OutputFolder.prepare(out, OUTPUTS, overwrite, "pass --resume to continue the selection in it, or --overwrite"
                    + " to replace it");
            AtomicFiles.writeString(out.resolve(SUMMARY), Json.write(Json.object("status", "running", "settings", settings)));
        }
        String hook;
        long scoringStart;
        try (PoolScorer scorer = cfg.method().open(cfg, targets, new SelectMethod.Context(out, pool, nonFinite, progress))) {
            hook = scorer.hook();
            scoringStart = System.nanoTime();
            score(scorer, pool, done, cfg.batchSize(), out.resolve(SCORES), progress ? cfg.method().flagName() : null);
        }
        long scoringEnd = System.nanoTime();
        Top top = top(out.resolve(SCORES), pool.size(), n);
        int[] counts = writeSelected(cfg, out, top);
        double scoringSeconds = (scoringEnd - scoringStart) / 1e9;
        double setupSeconds = (scoringStart - start) / 1e9;
        // Setup counts: BM25 indexes and queries the whole pool there, a vector method loads its model.
        Result r = new Result(out, cfg.method().flagName(), hook, pool.size(), targets.size(), n, top.lowest(),
                setupSeconds, scoringSeconds, (pool.size() - done) / Math.max(1e-9, setupSeconds + scoringSeconds),
                cfg.relevant() == null ? null : counts[0], cfg.relevant() == null ? null : counts[1]);
        AtomicFiles.writeString(out.resolve(SUMMARY), Json.write(Json.object("status", "done", "settings", settings,
                "result", Json.object("method", r.method(), "hook", r.hook(), "pool_size", r.poolSize(), "targets",
                        r.targets(), "selected", r.selected(), "lowest_selected_score", r.lowestSelectedScore(),
                        "relevant", cfg.relevant() == null ? null : cfg.relevant().toString(), "relevant_in_pool",
                        r.relevantInPool(), "relevant_selected", r.relevantSelected(), "precision", r.precision(),
                        "recall", r.recall(), "setup_seconds", r.setupSeconds(), "scoring_seconds", r.scoringSeconds(),
                        "samples_per_second", r.samplesPerSecond(), "scores_file",
                        SCORES + ": little-endian float32, one per pool line"))));
        return r;
    }

    /** The pool file, its size in bytes and its lines: what stands for its content in settings and caches. */
    static ObjectNode poolKey(SelectConfig cfg, TextSource pool) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("pool", abs(cfg.pool()));
        try {
            s.put("pool_bytes", Files.size(cfg.pool()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s.put("pool_lines", pool.size());
        return s;
    }

    /** The settings a resumed run must match. */
    private static ObjectNode settings(SelectConfig cfg, TextSource pool) {
        ObjectNode s = poolKey(cfg, pool);
        s.put("targets", abs(cfg.targets()));
        s.put("model", cfg.model() == null ? null : abs(cfg.model()));
        s.put("sae", cfg.sae() == null ? null : abs(cfg.sae()));
        s.put("hook", cfg.hook());
        s.put("method", cfg.method().flagName());
        s.put("ratio", cfg.ratio());
        s.put("count", cfg.count());
        s.put("aggregate", cfg.aggregate().name().toLowerCase(java.util.Locale.ROOT));
        s.put("embed_pooling", cfg.embedPooling() == null ? null : cfg.embedPooling().name());
        s.put("seed", cfg.seed());
        s.put("batch_size", cfg.batchSize());
        s.put("max_tokens", cfg.maxTokens());
        s.put("relevant", cfg.relevant() == null ? null : cfg.relevant().toString());
        s.put("vectors", cfg.vectors() == null ? null : abs(cfg.vectors()));
        return s;
    }

    static String abs(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    /** How many samples a stopped selection in {@code out} has scored in whole batches; refuses other settings. */
    private static long resumable(Path out, ObjectNode settings, int batchSize) {
        Path summary = out.resolve(SUMMARY);
        if (!Files.exists(summary)) {
            throw new UserInputException(out + ": no selection to resume (no " + SUMMARY + ")");
        }
        JsonNode saved = Json.read(summary);
        if ("done".equals(saved.path("status").asText())) {
            throw new UserInputException(out + ": the selection already finished (" + out.resolve(SELECTED) + ")");
        }
        // Compared as text: a number read back may be an int node where the settings hold a long one.
        if (!Json.line(settings).equals(Json.line(saved.get("settings")))) {
            throw new UserInputException(out + ": the selection there has other settings or another pool file ("
                    + summary + "); resume with the same flags, or start again with --overwrite");
        }
        try {
            long scored = Files.exists(out.resolve(SCORES)) ? Files.size(out.resolve(SCORES)) / Float.BYTES : 0;
            return scored / batchSize * batchSize;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Scores the pool from sample {@code done} on, appending to {@code file} batch by batch. */
    private static void score(PoolScorer scorer, TextSource pool, long done, int batchSize, Path file, String label) {
        Progress bar = label == null ? null : new Progress("select " + label, pool.size() - done, "samples");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.truncate(done * Float.BYTES);
            ch.position(done * Float.BYTES);
            Iterator<LabelledText> it = pool.iterator();
            for (long i = 0; i < done; i++) {
                it.next();
            }
            long index = done;
            while (it.hasNext()) {
                List<LabelledText> batch = EncodedTexts.nextBatch(it, batchSize);
                float[] s = scorer.score(index, batch);
                ByteBuffer buf = ByteBuffer.allocate(s.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < s.length; i++) {
                    if (!Float.isFinite(s[i])) {
                        throw new UserInputException(batch.get(i).source() + ": its score is " + s[i]
                                + " (the model's activations or the SAE's codes are not finite there)");
                    }
                    buf.putFloat(s[i]);
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                index += s.length;
                if (bar != null) {
                    bar.step(s.length);
                }
            }
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The n best samples, sorted by pool index. */
    private record Top(int[] index, float[] score) {
        float lowest() {
            float m = Float.POSITIVE_INFINITY;
            for (float s : score) {
                m = Math.min(m, s);
            }
            return m;
        }
    }

    /** A bounded min-heap over the scores file: higher score first, the earlier sample on a tie. */
    private static Top top(Path file, int poolSize, int n) {
        // The heap's head is the worst kept entry: lowest score, and among equal scores the latest index.
        Comparator<long[]> worstFirst = Comparator.<long[]>comparingDouble(e -> Float.intBitsToFloat((int) e[1]))
                .thenComparing(e -> -e[0]);
        PriorityQueue<long[]> heap = new PriorityQueue<>(n + 1, worstFirst);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (int i = 0; i < poolSize; i++) {
                float s = Float.intBitsToFloat(Integer.reverseBytes(in.readInt()));
                long[] e = {i, Float.floatToIntBits(s)};
                if (heap.size() < n) {
                    heap.add(e);
                } else if (worstFirst.compare(e, heap.peek()) > 0) {
                    heap.poll();
                    heap.add(e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        long[][] kept = heap.toArray(new long[0][]);
        Arrays.sort(kept, Comparator.comparingLong(e -> e[0]));
        int[] index = new int[kept.length];
        float[] score = new float[kept.length];
        for (int i = 0; i < kept.length; i++) {
            index[i] = (int) kept[i][0];
            score[i] = Float.intBitsToFloat((int) kept[i][1]);
        }
        return new Top(index, score);
    }

    /**
     * Writes the selected lines and their texts; returns {relevant in the pool, relevant among the selected} (zeros
     * without a relevance).
     */
    private static int[] writeSelected(SelectConfig cfg, Path out, Top top) {
        int[] counts = new int[2];
        AtomicFiles.write(out.resolve(SELECTED), os -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
            try (TextLines in = TextLines.open(cfg.pool())) {
                int next = 0;
                for (int i = 0; next < top.index().length || cfg.relevant() != null; i++) {
                    String raw = in.next();
                    if (raw == null) {
                        break;
                    }
                    boolean selected = next < top.index().length && top.index()[next] == i;
                    if (!selected && cfg.relevant() == null) {
                        continue;
                    }
                    JsonNode line = Json.parseLine(raw, in.where());
                    if (cfg.relevant() != null && cfg.relevant().matches(line)) {
                        counts[0]++;
                        counts[1] += selected ? 1 : 0;
                    }
                    if (selected) {
                        ObjectNode o = (ObjectNode) line;
                        o.put("pool_index", i);
                        o.put("score", top.score()[next]);
                        w.write(Json.line(o));
                        w.write('\n');
                        next++;
                    }
                }
            }
            w.flush();
        });
        AtomicFiles.write(out.resolve(SELECTED_TEXT), os -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
            try (TextLines in = TextLines.open(out.resolve(SELECTED))) {
                for (String raw = in.next(); raw != null; raw = in.next()) {
                    w.write(Json.parseLine(raw, in.where()).get("text").asText().replaceAll("[\\r\\n]+", " "));
                    w.write('\n');
                }
            }
            w.flush();
        });
        return counts;
    }
}
