package dev.mono4j.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.UserInputException;
import dev.mono4j.data.FieldCondition;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.Transformer;
import dev.mono4j.sae.SparseAutoencoder;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code select} against independent computations: each sample run alone through the model, its SAE codes and
 * pooling and the similarity computed in plain Java doubles; BM25 from its formula; the top-n by sorting.
 */
class SelectionTest {
    private static final int D_SAE = 24;
    private static final int K = 4;
    private static final String HOOK = HookPoint.residPost(0);

    @TempDir
    static Path tmp;
    static Path model;
    static Path sae;
    static Path pool;
    static Path targets;
    static float[] wEnc;
    static float[] bEnc;
    static float[] bDec;

    @BeforeAll
    static void setUp() throws IOException {
        model = TinyModels.save(TinyModels.llama(), 3, tmp.resolve("model"));
        SplittableRandom rng = new SplittableRandom(11);
        int dIn = TinyModels.llama().hiddenSize();
        wEnc = gaussian(rng, dIn * D_SAE, 0.5);
        bEnc = gaussian(rng, D_SAE, 0.1);
        bDec = gaussian(rng, dIn, 0.1);
        sae = saveSae(tmp.resolve("sae"), SparseAutoencoder.Kind.TOPK, null, dIn);
        List<String> words = WordLevelTokenizers.words(40);
        pool = tmp.resolve("pool.jsonl");
        Files.write(pool, lines(words, 37, 5, true));
        targets = tmp.resolve("targets.jsonl");
        Files.write(targets, lines(words, 5, 6, false));
    }

    private static Path saveSae(Path dir, SparseAutoencoder.Kind kind, float[] threshold, int dIn) {
        ObjectNode cfg = Json.MAPPER.createObjectNode().put("hook_name", HOOK);
        try (NDManager m = NDManager.newBaseManager();
                SparseAutoencoder s = new SparseAutoencoder(kind, K, wEnc, new float[D_SAE * dIn], bEnc, bDec, threshold, dIn,
                        D_SAE, cfg, m)) {
            s.save(dir, false);
        }
        return dir;
    }

    private static float[] gaussian(SplittableRandom rng, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (scale * (rng.nextDouble() * 2 - 1));
        }
        return v;
    }

    /** Lines of 2-12 words; pool lines carry a topic (words from the lower or upper half of the vocabulary). */
    private static List<String> lines(List<String> words, int n, long seed, boolean pool) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean low = pool ? i % 3 == 0 : true;
            int len = 2 + rng.nextInt(11);
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < len; j++) {
                sb.append(j == 0 ? "" : " ").append(words.get((low ? 0 : 20) + rng.nextInt(20)));
            }
            out.add(Json.line(Json.object("text", sb.toString(), "topic", low ? "low" : "high", "tags",
                    List.of("t" + i % 2))));
        }
        return out;
    }

    private static SelectConfig.Builder config(SelectMethod m) {
        SelectConfig.Builder b = SelectConfig.builder(pool, targets, m).batchSize(4).count(6);
        if (m.needs() != SelectMethod.Needs.NOTHING) {
            b.model(model);
        }
        if (m.needs() == SelectMethod.Needs.SAE) {
            b.sae(sae);
        }
        return b;
    }

    private static Selection.Result run(SelectConfig cfg, Path out) {
        return Selection.run(cfg, out, false, false, NonFinite.REFUSE, false);
    }

    static float[] scores(Path out) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out.resolve(Selection.SCORES))).order(ByteOrder.LITTLE_ENDIAN);
        float[] s = new float[b.remaining() / 4];
        b.asFloatBuffer().get(s);
        return s;
    }

    private static List<String> texts(Path jsonl) throws IOException {
        return Files.readAllLines(jsonl).stream().map(l -> Json.parseLine(l, "x").get("text").asText()).toList();
    }

    /** Each text alone (no padding, no batch): its text-token rows at the hook, in doubles. */
    private static double[][] tokenRows(Transformer m, Tokenizer tok, String text) {
        Tokenizer.Encoded e = tok.encodeWithOffsets(text);
        try (NDManager step = m.manager().newSubManager()) {
            Hooks h = Hooks.capture(HOOK);
            m.forward(step, TokenBatch.pad(List.of(e.ids()), tok.padId(), TokenBatch.PadSide.RIGHT), h);
            NDArray a = h.get(HOOK);
            int w = Math.toIntExact(a.getShape().get(2));
            float[] v = a.toFloatArray();
            List<double[]> rows = new ArrayList<>();
            for (int t = 0; t < e.ids().length; t++) {
                if (e.charStarts()[t] >= 0) { // BOS and other special tokens have no characters
                    double[] r = new double[w];
                    for (int j = 0; j < w; j++) {
                        r[j] = v[t * w + j];
                    }
                    rows.add(r);
                }
            }
            return rows.toArray(double[][]::new);
        }
    }

    /** TopK SAE codes of one row: ReLU of the k largest pre-activations of (x − b_dec) W_enc + b_enc, others 0. */
    private static double[] topK(double[] x) {
        double[] pre = new double[D_SAE];
        for (int j = 0; j < D_SAE; j++) {
            double s = bEnc[j];
            for (int i = 0; i < x.length; i++) {
                s += (x[i] - bDec[i]) * wEnc[i * D_SAE + j];
            }
            pre[j] = s;
        }
        Integer[] order = IntStream.range(0, D_SAE).boxed().sorted(Comparator.comparingDouble(j -> -pre[j]))
                .toArray(Integer[]::new);
        double[] z = new double[D_SAE];
        for (int r = 0; r < K; r++) {
            z[order[r]] = Math.max(0, pre[order[r]]);
        }
        return z;
    }

    private static double[] pooled(Transformer m, Tokenizer tok, String text, boolean withSae, boolean mean) {
        double[][] rows = tokenRows(m, tok, text);
        double[] sum = null;
        for (double[] r : rows) {
            double[] v = withSae ? topK(r) : r;
            if (sum == null) {
                sum = new double[v.length];
            }
            for (int j = 0; j < v.length; j++) {
                sum[j] += v[j];
            }
        }
        for (int j = 0; j < sum.length && mean; j++) {
            sum[j] /= rows.length;
        }
        return sum;
    }

    private static double similarity(SelectMethod m, double[] z, double[] p) {
        double a = 0;
        double b = 0;
        double c = 0;
        switch (m) {
            case JACCARD -> {
                for (int j = 0; j < z.length; j++) {
                    a += Math.min(z[j], p[j]);
                    b += Math.max(z[j], p[j]);
                }
                return b == 0 ? 0 : a / b;
            }
            case EUCLIDEAN -> {
                for (int j = 0; j < z.length; j++) {
                    a += (z[j] - p[j]) * (z[j] - p[j]);
                }
                return -Math.sqrt(a);
            }
            default -> { // cosine (and raw)
                for (int j = 0; j < z.length; j++) {
                    a += z[j] * p[j];
                    b += z[j] * z[j];
                    c += p[j] * p[j];
                }
                return a / Math.sqrt(b * c);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SelectMethod.class, names = {"JACCARD", "COSINE", "EUCLIDEAN", "RAW"})
    void activationScoresMatchEachSampleComputedAlone(SelectMethod method) throws IOException {
        for (Aggregation agg : Aggregation.values()) {
            Path out = tmp.resolve("act-" + method + "-" + agg);
            Selection.Result r = run(config(method).aggregate(agg).build(), out);
            assertEquals(HOOK, r.hook(), "an SAE's hook_name, or the penultimate block of the two-block model");
            boolean withSae = method != SelectMethod.RAW;
            boolean mean = agg == Aggregation.MEAN;
            try (Transformer m = Checkpoint.load(model); Tokenizer tok = Tokenizer.load(model)) {
                List<double[]> t = texts(targets).stream().map(x -> pooled(m, tok, x, withSae, mean)).toList();
                double[] proto = new double[t.get(0).length];
                for (double[] v : t) {
                    for (int j = 0; j < proto.length; j++) {
                        proto[j] += v[j] / t.size();
                    }
                }
                List<String> poolTexts = texts(pool);
                float[] got = scores(out);
                assertEquals(poolTexts.size(), got.length);
                for (int i = 0; i < got.length; i++) {
                    double want = similarity(method, pooled(m, tok, poolTexts.get(i), withSae, mean), proto);
                    assertEquals(want, got[i], 2e-5 * Math.max(1, Math.abs(want)), method + " " + agg + " sample " + i);
                }
            }
        }
    }

    @Test
    void selectsTheBestScoresInPoolOrderWithTheirFields() throws IOException {
        Path out = tmp.resolve("top");
        Selection.Result r = run(config(SelectMethod.JACCARD).relevant(FieldCondition.parse("topic=low")).build(), out);
        float[] s = scores(out);
        int[] want = IntStream.range(0, s.length).boxed().sorted((a, b) -> s[a] != s[b] ? Float.compare(s[b], s[a]) : a - b)
                .limit(6).mapToInt(Integer::intValue).sorted().toArray();
        List<String> lines = Files.readAllLines(out.resolve(Selection.SELECTED));
        List<String> poolLines = Files.readAllLines(pool);
        assertEquals(6, lines.size());
        int relevantSelected = 0;
        for (int i = 0; i < 6; i++) {
            JsonNode o = Json.parseLine(lines.get(i), "x");
            assertEquals(want[i], o.get("pool_index").asInt());
            assertEquals(s[want[i]], o.get("score").floatValue());
            JsonNode original = Json.parseLine(poolLines.get(want[i]), "x");
            assertEquals(original.get("tags"), o.get("tags"), "other fields are copied through");
            assertEquals(original.get("text").asText(), Files.readAllLines(out.resolve(Selection.SELECTED_TEXT)).get(i));
            relevantSelected += original.get("topic").asText().equals("low") ? 1 : 0;
        }
        assertEquals(13, r.relevantInPool(), "every third of 37 lines");
        assertEquals(relevantSelected, r.relevantSelected());
        assertEquals(relevantSelected / 6.0, r.precision(), 1e-12);
        JsonNode summary = Json.read(out.resolve(Selection.SUMMARY));
        assertEquals("done", summary.get("status").asText());
        assertEquals(r.precision(), summary.get("result").get("precision").asDouble(), 1e-12);
        // array fields match by containment
        Selection.Result tags = run(config(SelectMethod.RANDOM).relevant(FieldCondition.parse("tags=t1")).build(),
                tmp.resolve("tags"));
        assertEquals(18, tags.relevantInPool());
    }

    @Test
    void aResumedSelectionWritesTheSameBytes() throws IOException {
        SelectConfig cfg = config(SelectMethod.JACCARD).build();
        Path full = tmp.resolve("full");
        run(cfg, full);
        Path stopped = tmp.resolve("stopped");
        Files.createDirectories(stopped);
        // As a kill after 7 samples and half a float would leave it: the summary says running, the scores are cut.
        ObjectNode summary = (ObjectNode) Json.read(full.resolve(Selection.SUMMARY));
        summary.put("status", "running");
        summary.remove("result");
        Files.writeString(stopped.resolve(Selection.SUMMARY), Json.write(summary));
        Files.write(stopped.resolve(Selection.SCORES), Arrays.copyOf(Files.readAllBytes(full.resolve(Selection.SCORES)), 30));
        Selection.run(cfg, stopped, false, true, NonFinite.REFUSE, false);
        assertArrayEquals(Files.readAllBytes(full.resolve(Selection.SCORES)), Files.readAllBytes(stopped.resolve(Selection.SCORES)));
        assertArrayEquals(Files.readAllBytes(full.resolve(Selection.SELECTED)), Files.readAllBytes(stopped.resolve(Selection.SELECTED)));
        UserInputException done = assertThrows(UserInputException.class,
                () -> Selection.run(cfg, stopped, false, true, NonFinite.REFUSE, false));
        assertTrue(done.getMessage().contains("already finished"), done.getMessage());
        Files.writeString(stopped.resolve(Selection.SUMMARY), Json.write(summary));
        UserInputException other = assertThrows(UserInputException.class, () -> Selection.run(
                config(SelectMethod.JACCARD).count(7).build(), stopped, false, true, NonFinite.REFUSE, false));
        assertTrue(other.getMessage().contains("other settings"), other.getMessage());
    }

    @Test
    void poolVectorsAreKeptAndReadBackByLaterSelections() throws IOException {
        Path cache = tmp.resolve("vectors");
        run(config(SelectMethod.JACCARD).vectors(cache).build(), tmp.resolve("v1"));
        JsonNode info = Json.read(cache.resolve(VectorCache.INFO));
        assertTrue(info.get("complete").asBoolean());
        assertEquals(D_SAE, info.get("width").asInt());
        assertEquals(37L * D_SAE * 4, Files.size(cache.resolve(VectorCache.DATA)));
        run(config(SelectMethod.COSINE).build(), tmp.resolve("v2-fresh"));
        run(config(SelectMethod.COSINE).vectors(cache).build(), tmp.resolve("v2-cached"));
        assertArrayEquals(scores(tmp.resolve("v2-fresh")), scores(tmp.resolve("v2-cached")));
        // The cache is what a later selection reads: doubling every stored vector moves Euclidean scores.
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(cache.resolve(VectorCache.DATA))).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer doubled = ByteBuffer.allocate(b.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            doubled.putFloat(2 * b.getFloat());
        }
        Files.write(cache.resolve(VectorCache.DATA), doubled.array());
        run(config(SelectMethod.EUCLIDEAN).build(), tmp.resolve("v3-fresh"));
        run(config(SelectMethod.EUCLIDEAN).vectors(cache).build(), tmp.resolve("v3-cached"));
        assertNotEquals(scores(tmp.resolve("v3-fresh"))[0], scores(tmp.resolve("v3-cached"))[0]);
        UserInputException other = assertThrows(UserInputException.class,
                () -> run(config(SelectMethod.RAW).vectors(cache).build(), tmp.resolve("v4")));
        assertTrue(other.getMessage().contains("other settings"), other.getMessage());
    }

    @Test
    void randomIsSeededAndTheSameInAnyBatchSize() throws IOException {
        run(config(SelectMethod.RANDOM).seed(1).build(), tmp.resolve("r1"));
        run(config(SelectMethod.RANDOM).seed(1).batchSize(5).build(), tmp.resolve("r1b"));
        run(config(SelectMethod.RANDOM).seed(2).build(), tmp.resolve("r2"));
        assertArrayEquals(scores(tmp.resolve("r1")), scores(tmp.resolve("r1b")));
        assertNotEquals(Files.readAllLines(tmp.resolve("r1").resolve(Selection.SELECTED)),
                Files.readAllLines(tmp.resolve("r2").resolve(Selection.SELECTED)));
    }

    @Test
    void bm25FollowsLucenesFormula() throws IOException {
        // Five short documents (Lucene stores their lengths exactly below 24 terms); "the" is an English stop word.
        Path bmPool = tmp.resolve("bm-pool.jsonl");
        List<String> docs = List.of("apple banana cherry", "apple apple date", "banana fig grape kiwi lemon",
                "the mango", "apple cherry cherry cherry");
        Files.write(bmPool, docs.stream().map(d -> Json.line(Json.object("text", d))).toList());
        Path bmTargets = tmp.resolve("bm-targets.jsonl");
        Files.write(bmTargets, List.of(Json.line(Json.object("text", "Apple cherry, the")),
                Json.line(Json.object("text", "kiwi"))));
        run(SelectConfig.builder(bmPool, bmTargets, SelectMethod.BM25).count(2).build(), tmp.resolve("bm"));
        float[] got = scores(tmp.resolve("bm"));
        int[] len = {3, 3, 5, 1, 4};
        double avgdl = 16 / 5.0;
        List<List<String>> queries = List.of(List.of("apple", "cherry"), List.of("kiwi"));
        for (int d = 0; d < docs.size(); d++) {
            List<String> terms = List.of(docs.get(d).split(" "));
            double want = 0;
            for (List<String> q : queries) {
                for (String term : q) {
                    long tf = terms.stream().filter(term::equals).count();
                    long df = docs.stream().filter(x -> List.of(x.split(" ")).contains(term)).count();
                    double idf = Math.log(1 + (docs.size() - df + 0.5) / (df + 0.5));
                    // Lucene's BM25 (since 8.0) drops the constant (k1 + 1) factor of the numerator.
                    want += tf == 0 ? 0 : idf * tf / (tf + 1.2 * (1 - 0.75 + 0.75 * len[d] / avgdl)) / queries.size();
                }
            }
            assertEquals(want, got[d], 1e-5, "document " + d);
        }
    }

    @Test
    void jaccardRefusesNegativeCodes() throws IOException {
        int dIn = TinyModels.llama().hiddenSize();
        float[] low = new float[D_SAE];
        Arrays.fill(low, -100f); // JumpReLU keeps every pre-activation above −100, negative ones too
        Path negative = saveSae(tmp.resolve("neg-sae"), SparseAutoencoder.Kind.JUMPRELU, low, dIn);
        UserInputException e = assertThrows(UserInputException.class,
                () -> run(config(SelectMethod.JACCARD).sae(negative).build(), tmp.resolve("neg")));
        assertTrue(e.getMessage().contains("non-negative") && e.getMessage().contains("neg-sae"), e.getMessage());
        run(config(SelectMethod.COSINE).sae(negative).build(), tmp.resolve("neg-cos"));
    }

    @Test
    void badInputIsOneLineNamingIt() throws IOException {
        Path bad = tmp.resolve("bad.jsonl");
        Files.write(bad, List.of(Json.line(Json.object("text", "w1 w2")), "{\"txt\": \"w3\"}"));
        UserInputException e = assertThrows(UserInputException.class,
                () -> run(SelectConfig.builder(bad, targets, SelectMethod.RANDOM).build(), tmp.resolve("bad")));
        assertTrue(e.getMessage().contains("bad.jsonl:2"), e.getMessage());
        assertThrows(UserInputException.class, () -> run(SelectConfig.builder(tmp.resolve("pool.txt"), targets,
                SelectMethod.RANDOM).build(), tmp.resolve("txt")));
        IllegalArgumentException noSae = assertThrows(IllegalArgumentException.class,
                () -> SelectConfig.builder(pool, targets, SelectMethod.JACCARD).model(model).build());
        assertTrue(noSae.getMessage().contains("--sae"), noSae.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SelectConfig.builder(pool, targets, SelectMethod.BM25).model(model)
                .build());
        assertThrows(IllegalArgumentException.class, () -> SelectConfig.builder(pool, targets, SelectMethod.RAW).model(model)
                .sae(sae).build());
        UserInputException hook = assertThrows(UserInputException.class,
                () -> run(config(SelectMethod.JACCARD).hook(HookPoint.residPost(1)).build(), tmp.resolve("hook")));
        assertTrue(hook.getMessage().contains(HOOK), hook.getMessage());
        UserInputException count = assertThrows(UserInputException.class,
                () -> run(config(SelectMethod.RANDOM).count(38).build(), tmp.resolve("count")));
        assertTrue(count.getMessage().contains("37"), count.getMessage());
    }
}
