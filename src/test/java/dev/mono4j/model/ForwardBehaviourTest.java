package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.TinyModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ForwardBehaviourTest {

    static Stream<ModelConfig> configs() {
        return TinyModels.all().stream();
    }

    static Stream<String> fixtures() {
        return Stream.of("gpt2-tiny", "llama-tiny", "neox-tiny");
    }

    /** Real tokens get the same logits whether the batch is padded on the left or on the right. */
    @ParameterizedTest
    @MethodSource("fixtures")
    void leftAndRightPaddingAgreeOnRealTokens(String fixture) {
        List<long[]> seqs = List.of(new long[] {5, 17, 42, 8, 99, 3, 12}, new long[] {7, 1, 250}, new long[] {64});
        try (TransformerLM model = Checkpoint.loadCausal(Fixtures.dir(fixture), "this test"); NDManager step = model.manager().newSubManager()) {
            TokenBatch left = TokenBatch.pad(seqs, 0, TokenBatch.PadSide.LEFT);
            TokenBatch right = TokenBatch.pad(seqs, 0, TokenBatch.PadSide.RIGHT);
            float[] l = model.forward(step, left, Hooks.none()).toFloatArray();
            float[] r = model.forward(step, right, Hooks.none()).toFloatArray();
            int vocab = model.config().vocabSize();
            int t = left.seqLen();
            for (int b = 0; b < seqs.size(); b++) {
                int n = seqs.get(b).length;
                // Each padded row must also match the sequence run alone.
                float[] alone = model.forward(step, TokenBatch.of(seqs.get(b)), Hooks.none()).toFloatArray();
                for (int i = 0; i < n; i++) {
                    float[] li = slice(l, (b * t + (t - n) + i) * vocab, vocab);
                    float[] ri = slice(r, (b * t + i) * vocab, vocab);
                    float[] ai = slice(alone, i * vocab, vocab);
                    assertTrue(Fixtures.maxAbsDiff(li, ri) < 1e-4, "row " + b + " token " + i + " left vs right");
                    assertTrue(Fixtures.maxAbsDiff(ai, ri) < 1e-4, "row " + b + " token " + i + " alone vs padded");
                }
            }
        }
    }

    /** Cached and uncached decoding pick the same tokens, greedy and sampled, for every family. */
    @ParameterizedTest
    @MethodSource("configs")
    void cachedAndUncachedDecodingAgree(ModelConfig config) {
        try (TransformerLM model = TransformerLM.random(config, 7)) {
            long[] prompt = {3, 14, 15, 92, 65, 35};
            GenerationConfig greedy = GenerationConfig.greedy(20);
            assertArrayEquals(Generator.generate(model, prompt, greedy.withCache(false)).tokens(),
                    Generator.generate(model, prompt, greedy).tokens());
            GenerationConfig sampled = new GenerationConfig(20, 0.9, 40, 0.95, 11, Set.of(), true);
            long[] a = Generator.generate(model, prompt, sampled).tokens();
            assertArrayEquals(a, Generator.generate(model, prompt, sampled.withCache(false)).tokens());
            assertArrayEquals(a, Generator.generate(model, prompt, sampled).tokens(), "same seed, same tokens");
            assertEquals(20, a.length);
        }
    }

    /** A left-padded batch of prompts continues each prompt as it continues alone, greedy and sampled, cached or not. */
    @ParameterizedTest
    @MethodSource("configs")
    void batchedGenerationContinuesEachPromptAsAlone(ModelConfig config) {
        try (TransformerLM model = TransformerLM.random(config, 7)) {
            List<long[]> prompts = List.of(new long[] {3, 14, 15, 92, 65, 35}, new long[] {7}, new long[] {50, 2, 71});
            for (GenerationConfig cfg : List.of(GenerationConfig.greedy(12),
                    new GenerationConfig(12, 0.9, 40, 0.95, 11, Set.of(), true))) {
                for (boolean cache : new boolean[] {true, false}) {
                    List<Generator.Result> batched = Generator.generate(model, prompts, cfg.withCache(cache), Hooks.none());
                    for (int i = 0; i < prompts.size(); i++) {
                        assertArrayEquals(Generator.generate(model, prompts.get(i), cfg).tokens(), batched.get(i).tokens(),
                                "prompt " + i + " cache " + cache);
                    }
                }
            }
        }
    }

    /** A row that meets a stop token ends there while the others go on. */
    @Test
    void aStoppedRowEndsWhileTheOthersContinue() {
        try (TransformerLM model = TransformerLM.random(TinyModels.llama(), 7)) {
            List<long[]> prompts = List.of(new long[] {3, 14, 15}, new long[] {9, 26});
            long[] free = Generator.generate(model, prompts.get(0), GenerationConfig.greedy(10)).tokens();
            GenerationConfig stopAtThird = new GenerationConfig(10, 0, 0, 1, 0, Set.of(free[2]), true);
            List<Generator.Result> r = Generator.generate(model, prompts, stopAtThird, Hooks.none());
            Generator.Result alone = Generator.generate(model, prompts.get(1), stopAtThird);
            assertTrue(r.get(0).stopped());
            assertEquals(java.util.stream.LongStream.of(free).boxed().toList().indexOf(free[2]) + 1, r.get(0).tokens().length);
            assertArrayEquals(alone.tokens(), r.get(1).tokens());
        }
    }

    /**
     * Step-by-step decoding with the KV cache reproduces the uncached logits at every position, on trained
     * reference weights (random N(0, 0.02) weights make attention nearly uniform and hide position bugs).
     */
    @ParameterizedTest
    @MethodSource("allFixtures")
    void cachedStepsReproduceUncachedLogits(String fixture) {
        Path dir = Fixtures.dir(fixture);
        try (TransformerLM model = Checkpoint.loadCausal(dir, "this test");
                dev.mono4j.io.SafetensorsReader expected = dev.mono4j.io.SafetensorsReader.open(
                        dir.resolve("expected.safetensors"));
                KvCache cache = new KvCache(model.manager(), model.config().numLayers())) {
            int t = (int) expected.info("input_ids").shape()[1];
            long[] row = Arrays.copyOf(expected.readLongs("input_ids"), t);
            int vocab = model.config().vocabSize();
            float[] full;
            try (NDManager step = model.manager().newSubManager()) {
                full = model.forward(step, TokenBatch.of(row), Hooks.none()).toFloatArray();
            }
            for (int i = 0; i < t; i++) {
                long[] mask = new long[i + 1];
                Arrays.fill(mask, 1);
                try (NDManager step = model.manager().newSubManager()) {
                    float[] got = model.forward(step, new long[] {row[i]}, 1, 1, mask, Hooks.none(), cache).toFloatArray();
                    assertTrue(Fixtures.maxAbsDiff(slice(full, i * vocab, vocab), got) < 1e-4, fixture + " position " + i);
                }
            }
        }
    }

    static Stream<String> allFixtures() {
        return Stream.of("gpt2-tiny", "llama-tiny", "qwen2-tiny", "mistral-tiny-window", "llama3-rope-tiny", "monet-vd-tiny",
                "monet-hd-tiny", "neox-tiny", "neox-tiny-sequential", "gemma2-tiny");
    }

    @Test
    void tokenIdsOutsideTheVocabularyAreRefusedUnlessPadding() {
        try (TransformerLM model = TransformerLM.random(TinyModels.gpt2(), 2); NDManager step = model.manager().newSubManager()) {
            TokenBatch bad = TokenBatch.of(new long[] {1, 96, 2});
            UserInputException e = assertThrows(UserInputException.class, () -> model.forward(step, bad, Hooks.none()));
            assertTrue(e.getMessage().contains("token id 96 at [0, 1]"), e.getMessage());
            // A pad id beyond the vocabulary (tokenizers may have more ids than the model) is fine.
            TokenBatch padded = TokenBatch.pad(List.of(new long[] {1, 2, 3}, new long[] {4}), 50000, TokenBatch.PadSide.LEFT);
            float[] withPad = model.forward(step, padded, Hooks.none()).toFloatArray();
            float[] alone = model.forward(step, TokenBatch.of(4), Hooks.none()).toFloatArray();
            int v = model.config().vocabSize();
            assertTrue(Fixtures.maxAbsDiff(slice(withPad, (3 + 2) * v, v), alone) < 1e-5);
        }
    }

    @Test
    void generationEndsOnAStopToken() {
        try (TransformerLM model = TransformerLM.random(TinyModels.llama(), 3)) {
            long[] prompt = {1, 2, 3};
            long[] free = Generator.generate(model, prompt, GenerationConfig.greedy(10)).tokens();
            long stop = free[4];
            int firstStop = Arrays.stream(free).boxed().toList().indexOf(stop);
            GenerationConfig cfg = new GenerationConfig(10, 0, 0, 1, 0, Set.of(stop), true);
            Generator.Result r = Generator.generate(model, prompt, cfg);
            assertTrue(r.stopped());
            assertArrayEquals(Arrays.copyOf(free, firstStop + 1), r.tokens());
        }
    }

    /** With one layer and window w, position t sees tokens t-w+1..t only: earlier tokens cannot matter. */
    @Test
    void slidingWindowLimitsWhatAPositionSees() {
        int window = 4;
        try (TransformerLM model = TransformerLM.random(TinyModels.mistral(1, window), 5);
                NDManager step = model.manager().newSubManager()) {
            long[] a = {10, 11, 12, 13, 14, 15, 16, 17};
            long[] b = a.clone();
            b[0] = 50;
            int vocab = model.config().vocabSize();
            float[] la = model.forward(step, TokenBatch.of(a), Hooks.none()).toFloatArray();
            float[] lb = model.forward(step, TokenBatch.of(b), Hooks.none()).toFloatArray();
            assertTrue(Fixtures.maxAbsDiff(slice(la, 3 * vocab, vocab), slice(lb, 3 * vocab, vocab)) > 1e-4,
                    "position 3 still sees token 0");
            for (int t = window; t < a.length; t++) {
                assertTrue(Fixtures.maxAbsDiff(slice(la, t * vocab, vocab), slice(lb, t * vocab, vocab)) < 1e-6,
                        "position " + t + " is outside token 0's window");
            }
        }
    }

    @Test
    void llama3RopeScalingFollowsTheThreeBands() {
        RopeScaling s = new RopeScaling(8, 1, 4, 8192);
        // wavelengths: 2π/1 ≈ 6 (short: kept), 2π/1e-4 ≈ 62832 (long: divided by 8), 2π/(2π/4096) = 4096 (middle)
        double[] out = s.apply(new double[] {1.0, 1e-4, 2 * Math.PI / 4096});
        assertEquals(1.0, out[0], 1e-12);
        assertEquals(1e-4 / 8, out[1], 1e-12);
        double smooth = (8192.0 / 4096 - 1) / (4 - 1); // = 1/3
        double f = 2 * Math.PI / 4096;
        assertEquals((1 - smooth) * f / 8 + smooth * f, out[2], 1e-12);
    }

    @Test
    void logProbsOfTargetsAreLogSoftmaxEntries() {
        try (TransformerLM model = TransformerLM.random(TinyModels.gpt2(), 1); NDManager step = model.manager().newSubManager()) {
            TokenBatch batch = TokenBatch.pad(List.of(new long[] {4, 8, 15, 16}, new long[] {23, 42}), 0,
                    TokenBatch.PadSide.RIGHT);
            NDArray logits = model.forward(step, batch, Hooks.none());
            float[] lp = LogProbs.nextToken(logits, batch).toFloatArray();
            float[] all = logits.toFloatArray();
            int v = model.config().vocabSize();
            // Independent computation for row 0, position 1 (predicts token 15).
            float[] row = slice(all, 1 * v, v);
            double max = Double.NEGATIVE_INFINITY;
            for (float x : row) {
                max = Math.max(max, x);
            }
            double z = 0;
            for (float x : row) {
                z += Math.exp(x - max);
            }
            assertEquals(row[15] - max - Math.log(z), lp[1], 1e-5);
            float[] seq = LogProbs.sequence(LogProbs.nextToken(logits, batch), LogProbs.defaultTargetMask(batch)).toFloatArray();
            assertEquals(lp[0] + lp[1] + lp[2], seq[0], 1e-5);
            assertEquals(lp[3], seq[1], 1e-5, "row 1 has one real target; padding targets are masked");
        }
    }

    private static float[] slice(float[] a, int from, int n) {
        return Arrays.copyOfRange(a, from, from + n);
    }
}
