package dev.mono4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TextSource;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The measurement run against an independent path: each text alone, unpadded, through the model with a
 * plain capture hook, and the metrics computed by brute force from those vectors.
 */
class MeasurementTest {
    static final String HOOK = "blocks.1.mlp.hook_pre_linear";

    @TempDir
    static Path tmp;
    static Path model;
    static Path texts;

    @BeforeAll
    static void tinyModelAndTexts() throws Exception {
        model = TinyModels.save(TinyModels.llama(), 3, tmp.resolve("model"));
        texts = tmp.resolve("texts.txt");
        Files.writeString(texts, WordLevelTokenizers.text(WordLevelTokenizers.words(40), 11, 5));
    }

    /** Each text's activations at HOOK, [tokens, width], BOS dropped: the reference path. */
    static List<float[][]> perText(Pool unused) throws Exception {
        List<float[][]> out = new ArrayList<>();
        try (TransformerLM lm = Checkpoint.loadCausal(model, "this test"); Tokenizer tok = Tokenizer.load(model)) {
            for (String line : Files.readAllLines(texts)) {
                long[] ids = tok.encode(line);
                try (NDManager step = lm.manager().newSubManager()) {
                    Hooks h = Hooks.capture(HOOK);
                    lm.forward(step, TokenBatch.of(ids), h);
                    float[] a = h.get(HOOK).toFloatArray();
                    int width = a.length / ids.length;
                    float[][] rows = new float[ids.length - 1][width];
                    for (int t = 1; t < ids.length; t++) {
                        System.arraycopy(a, t * width, rows[t - 1], 0, width);
                    }
                    out.add(rows);
                }
            }
        }
        return out;
    }

    static double bruteFd(List<float[]> v) {
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < v.size(); i++) {
            for (int j = 0; j < v.size(); j++) {
                if (i != j) {
                    double dot = 0, ni = 0, nj = 0;
                    for (int k = 0; k < v.get(i).length; k++) {
                        dot += (double) v.get(i)[k] * v.get(j)[k];
                        ni += (double) v.get(i)[k] * v.get(i)[k];
                        nj += (double) v.get(j)[k] * v.get(j)[k];
                    }
                    sum += dot / Math.sqrt(ni * nj);
                    pairs++;
                }
            }
        }
        return 1 - sum / pairs;
    }

    static HookResult measure(Pool pool, int batchSize) {
        MeasureConfig cfg = new MeasureConfig(HOOK, pool, batchSize, 256, 512, 1024, 1e-3, 0.9, 65_536, 1e-2, 3, 0);
        Measurement.ModelResult r = Measurement.run(model, "tiny", TextSource.file(texts, null, 1000), cfg, false);
        assertEquals(1, r.hooks().size());
        return r.hooks().get(0);
    }

    @Test
    void lastAndMeanPoolingMatchTextsRunAlone() throws Exception {
        List<float[][]> ref = perText(null);
        List<float[]> last = new ArrayList<>();
        List<float[]> mean = new ArrayList<>();
        long tokens = 0;
        for (float[][] rows : ref) {
            last.add(rows[rows.length - 1]);
            float[] m = new float[rows[0].length];
            for (float[] r : rows) {
                for (int k = 0; k < m.length; k++) {
                    m[k] += r[k] / rows.length;
                }
            }
            mean.add(m);
            tokens += rows.length;
        }
        // Batches of 4 are padded (texts have 5-20 words): padding must not change any text's activations.
        HookResult byLast = measure(Pool.LAST, 4);
        assertEquals(bruteFd(last), byLast.featureDecorrelation(), 1e-5);
        assertEquals(11, byLast.samples());
        assertEquals(tokens, byLast.tokens(), "every word counted, BOS left out");
        assertEquals(bruteFd(mean), measure(Pool.MEAN, 4).featureDecorrelation(), 1e-5);
        assertEquals(byLast.featureDecorrelation(), measure(Pool.LAST, 1).featureDecorrelation(), 1e-6,
                "batch size does not matter");
    }

    @Test
    void tokenMetricsSeeEveryRealTokenOnce() throws Exception {
        // The reference reduces in Java, the run in torch; MEmeL sees the run's batches of 4 texts.
        ActivationSparsity ref = new ActivationSparsity(64, 1e-3);
        MonosemanticScale memel = new MonosemanticScale(64, 65_536, 1e-2);
        List<float[][]> texts = perText(null);
        for (int start = 0; start < texts.size(); start += 4) {
            List<float[]> rows = new ArrayList<>();
            for (float[][] t : texts.subList(start, Math.min(texts.size(), start + 4))) {
                rows.addAll(List.of(t));
            }
            float[] flat = new float[rows.size() * 64];
            for (int r = 0; r < rows.size(); r++) {
                System.arraycopy(rows.get(r), 0, flat, r * 64, 64);
            }
            ref.add(flat, rows.size());
            memel.add(flat, rows.size());
        }
        HookResult h = measure(Pool.LAST, 4);
        assertEquals(ref.hoyer(), h.hoyer(), 1e-6);
        assertEquals(ref.varianceAcrossDims(), h.varianceAcrossDims(), 1e-6);
        assertEquals(ref.nearZeroFraction(), h.nearZeroFraction(), 1e-12);
        MonosemanticScale.Summary want = memel.summary(3);
        assertEquals(want.median(), h.monosemanticScale().median(), 1e-3 * want.median());
        assertEquals(want.p99(), h.monosemanticScale().p99(), 1e-3 * want.p99());
        assertEquals(want.top().get(0).index(), h.monosemanticScale().top().get(0).index());
        assertNull(h.tokenSelectivity(), "plain text has no concepts");
        assertNull(h.trackedNeurons(), "all 64 neurons tracked");
    }

    @Test
    void conceptsAndLabelsTurnOnSelectivity() throws Exception {
        Path jsonl = tmp.resolve("labelled.jsonl");
        List<String> lines = new ArrayList<>();
        int i = 0;
        for (String line : Files.readAllLines(texts)) {
            String[] words = line.split(" ");
            StringBuilder concepts = new StringBuilder("[");
            for (int w = 0; w < words.length; w++) {
                concepts.append(w > 0 ? "," : "").append(words[w].endsWith("1") ? "\"ones:" + words[w] + "\"" : "null");
            }
            lines.add("{\"text\":\"" + line + "\",\"label\":\"" + (i++ % 2 == 0 ? "even" : "odd") + "\",\"concepts\":"
                    + concepts + "]}");
        }
        Files.write(jsonl, lines);
        MeasureConfig cfg = MeasureConfig.DEFAULT.withHooks(HOOK);
        HookResult h = Measurement.run(model, "tiny", TextSource.file(jsonl, null, 1000), cfg, false).hooks().get(0);
        assertNotNull(h.tokenSelectivity());
        assertNotNull(h.textSelectivity());
        assertEquals(11, h.textSelectivity().units());
        assertEquals(h.tokens(), h.tokenSelectivity().units());
        assertTrue(h.tokenSelectivity().conceptUnits().get("ones") > 0);
    }

    @Test
    void conceptsFirstSeenLateStillCountEveryToken() throws Exception {
        Path late = tmp.resolve("late.jsonl");
        Files.write(late, List.of("{\"text\":\"w1 w2 w3\"}", "{\"text\":\"w4 w5\",\"concepts\":[\"a:w4\",null],"
                + "\"label\":null}"));
        TextSource src = TextSource.file(late, null, 10);
        assertTrue(src.withConcepts());
        assertTrue(!src.labelled(), "a null label is no label");
        HookResult h = Measurement.run(model, "tiny", src, new MeasureConfig(HOOK, Pool.LAST, 1, 256, 512, 1024, 1e-3,
                0.9, 65_536, 1e-2, 3, 0), false).hooks().get(0);
        assertEquals(5, h.tokenSelectivity().units(), "the first text's tokens count as unlabelled");
    }

    @Test
    void badInputIsAUserError() throws Exception {
        MeasureConfig cfg = MeasureConfig.DEFAULT.withHooks("blocks.*.nope");
        UserInputException e = assertThrows(UserInputException.class,
                () -> Measurement.run(model, "tiny", TextSource.file(texts, null, 10), cfg, false));
        assertTrue(e.getMessage().contains("matches no hook point"), e.getMessage());

        Path mixed = tmp.resolve("mixed.jsonl");
        Files.write(mixed, List.of("{\"text\":\"w1 w2\",\"label\":\"a\"}", "{\"text\":\"w3 w4\"}"));
        e = assertThrows(UserInputException.class, () -> Measurement.run(model, "tiny", TextSource.file(mixed, null, 10),
                MeasureConfig.DEFAULT, false));
        assertTrue(e.getMessage().startsWith(mixed + ":2: no label"), e.getMessage());
    }

    @Test
    void modelNamesAreShortAndDistinct() {
        assertEquals(List.of("base/final", "dpo/final", "x"),
                Measure.names(List.of(Path.of("/r/base/final"), Path.of("/r/dpo/final"), Path.of("/r/x"))));
        assertEquals(List.of("xs", "s"), Measure.names(List.of(Path.of("runs/xs"), Path.of("runs/s"))));
    }
}
