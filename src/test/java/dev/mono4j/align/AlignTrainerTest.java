package dev.mono4j.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.LoraAdapters;
import dev.mono4j.model.LoraConfig;
import dev.mono4j.model.Transformer;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.train.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alignment trainer end to end on a tiny Llama: it learns the preference, logs, and resumes exactly. */
class AlignTrainerTest {
    @TempDir
    Path tmp;

    /** A tiny random model with a word-level tokenizer, saved as an HF folder. */
    static Path tinyModel(Path dir) {
        Path tok = WordLevelTokenizers.write(dir.resolve("tok.json"), WordLevelTokenizers.words(20));
        try (TransformerLM model = TransformerLM.random(TinyModels.llama(), 3)) {
            Checkpoint.save(model, dir.resolve("model"), tok, false);
        }
        return dir.resolve("model");
    }

    /** Pairs whose chosen completion always starts with w1, the rejected with w2: a preference a model can learn. */
    static Path pairsFile(Path file, int n) throws IOException {
        SplittableRandom rng = new SplittableRandom(5);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String prompt = "w" + (3 + rng.nextInt(17)) + " w" + (3 + rng.nextInt(17)) + " w" + (3 + rng.nextInt(17)) + " w"
                    + (3 + rng.nextInt(17));
            String tail = " w" + (3 + rng.nextInt(17));
            lines.add(Json.line(Json.object("prompt", prompt, "chosen", " w1" + tail, "rejected", " w2" + tail)));
        }
        Files.write(file, lines);
        return file;
    }

    static AlignConfig.Builder small(AlignConfig.Method method) {
        return AlignConfig.builder(method).lr(3e-3).steps(12).batchSize(4).evalEvery(6).fdEvery(6).checkpointEvery(4)
                .warmupSteps(0);
    }

    @Test
    void dpoLearnsThePreferenceAndLogsEveryPart() throws IOException {
        Path model = tinyModel(tmp);
        AlignData.Source src = AlignData.Source.file(pairsFile(tmp.resolve("p.jsonl"), 60), null);
        AlignTrainer.Summary s = AlignTrainer.run(small(AlignConfig.Method.DECPO).build(), model, src, tmp.resolve("out"),
                false, l -> { });
        assertTrue(s.evalAccuracy() > 0.9, "held-out reward accuracy " + s.evalAccuracy());
        assertTrue(s.evalMargin() > 0, "margin " + s.evalMargin());
        List<String> lines = Files.readAllLines(tmp.resolve("out").resolve(AlignTrainer.LOG_FILE));
        assertEquals(12, lines.size());
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        for (String f : List.of("loss", "pref_loss", "reg_loss", "rewards_chosen", "rewards_rejected", "reward_accuracy",
                "reward_margin", "fd", "grad_norm", "ms", "tokens_per_s")) {
            assertTrue(first.get(f).isNumber(), f + " in " + first);
        }
        assertEquals(0, first.get("reward_margin").asDouble(), 1e-4, "policy = reference before the first update");
        assertEquals(first.get("loss").asDouble(), first.get("pref_loss").asDouble() + 0.1 * first.get("reg_loss").asDouble(),
                1e-5, "loss = DPO + λ·L_dec (λ = 0.1 for samples mode)");
        JsonNode six = Json.MAPPER.readTree(lines.get(5));
        assertEquals(TinyModels.llama().numLayers(), six.get("fd_layers").size());
        assertTrue(six.has("eval_reward_accuracy"));
        assertTrue(Files.exists(tmp.resolve("out").resolve(AlignTrainer.FINAL_DIR).resolve("model.safetensors")));
        assertTrue(Files.exists(tmp.resolve("out").resolve(AlignTrainer.SUMMARY_FILE)));

        UserInputException words = assertThrows(UserInputException.class, () -> AlignTrainer.run(small(AlignConfig.Method.DPO)
                .build(), model, AlignData.Source.task("toxicity", 0), tmp.resolve("cw"), false, l -> { }));
        assertTrue(words.getMessage().contains("does not know every word"), words.getMessage());
    }

    @Test
    void resumingEndsWithTheWeightsOfAnUninterruptedRun() throws IOException {
        AlignConfig cfg = small(AlignConfig.Method.MEMEL).memelBatches(4).inhibitK(2).memelDelta(2).gradAccum(2).steps(9).build();
        JsonNode last = resumeMatches(cfg);
        assertTrue(last.has("inhibited"), "MEmeL inhibition started after its late start: " + last);
    }

    @Test
    void loraRunsResumeExactlyAndWriteAMergedModelAndAPeftAdapter() throws IOException {
        LoraConfig lora = new LoraConfig(4, 8, 0.1, List.of("q_proj", "v_proj", "up_proj"), 0, -1);
        AlignConfig cfg = small(AlignConfig.Method.DECPO).lora(lora).lr(1e-2).steps(9).build();
        resumeMatches(cfg);
        Path out = tmp.resolve("whole");
        assertTrue(Files.exists(out.resolve(AlignTrainer.ADAPTER_DIR).resolve("adapter_config.json")));
        try (TransformerLM base = Checkpoint.loadCausal(tmp.resolve("model"), "this test");
                TransformerLM merged = Checkpoint.loadCausal(out.resolve(AlignTrainer.FINAL_DIR), "this test")) {
            assertArrayEquals(base.weight("model.layers.0.self_attn.k_proj.weight"),
                    merged.weight("model.layers.0.self_attn.k_proj.weight"), "k_proj is not a target");
            assertTrue(!java.util.Arrays.equals(base.weight("model.layers.0.self_attn.q_proj.weight"),
                    merged.weight("model.layers.0.self_attn.q_proj.weight")), "q_proj got the adapter merged in");
            LoraAdapters.load(base, out.resolve(AlignTrainer.ADAPTER_DIR)).mergeIntoModel();
            assertArrayEquals(merged.weight("model.layers.1.mlp.up_proj.weight"), base.weight("model.layers.1.mlp.up_proj.weight"),
                    1e-6f, "base + saved adapter = the merged model");
        }
    }

    /** A run folder written before RunFolder (align_log.jsonl, align_state.json) resumes to the same weights. */
    @Test
    void aRunFolderWithTheOldNamesResumes() throws IOException {
        Path model = tinyModel(tmp);
        AlignData.Source src = AlignData.Source.file(pairsFile(tmp.resolve("p.jsonl"), 40), null);
        AlignConfig cfg = small(AlignConfig.Method.DPO).steps(6).evalEvery(3).fdEvery(3).checkpointEvery(3).build();
        AlignTrainer.run(cfg, model, src, tmp.resolve("whole"), false, l -> { });
        Path old = tmp.resolve("old");
        assertThrows(IllegalStateException.class, () -> AlignTrainer.run(cfg, model, src, old, false, l -> {
            if (l.step() == 4) {
                throw new IllegalStateException("killed");
            }
        }));
        Files.move(old.resolve(RunFolder.LOG), old.resolve("align_log.jsonl"));
        Files.move(old.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE),
                old.resolve(RunFolder.CHECKPOINT).resolve("align_state.json"));
        assertTrue(AlignTrainer.resumable(old));
        AlignTrainer.resume(old, l -> { });
        assertEquals(6, Files.readAllLines(old.resolve(RunFolder.LOG)).size());
        try (Transformer a = Checkpoint.load(tmp.resolve("whole").resolve(RunFolder.FINAL));
                Transformer b = Checkpoint.load(old.resolve(RunFolder.FINAL))) {
            for (String k : a.parameters().keySet()) {
                assertArrayEquals(a.weight(k), b.weight(k), k);
            }
        }
    }

    /** A learning rate of 1e30 makes step 2's loss non-finite: the run stops, keeping step 1's checkpoint. */
    @Test
    void aNonFiniteLossStopsTheRun() throws IOException {
        Path model = tinyModel(tmp);
        AlignData.Source src = AlignData.Source.file(pairsFile(tmp.resolve("p.jsonl"), 40), null);
        Path out = tmp.resolve("out");
        UserInputException e = assertThrows(UserInputException.class, () -> AlignTrainer.run(small(AlignConfig.Method.DPO)
                .lr(1e30).checkpointEvery(1).build(), model, src, out, false, l -> { }));
        assertTrue(e.getMessage().startsWith("step 2: "), e.getMessage());
        assertTrue(e.getMessage().contains("the last good checkpoint (step 1)"), e.getMessage());
        assertEquals(1, Json.read(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE)).get("step").asInt());
        assertTrue(Files.notExists(out.resolve(RunFolder.FINAL)) && Files.notExists(out.resolve(RunFolder.SUMMARY)));
    }

    /** The first log line of a one-step run of {@code cfg}. */
    private JsonNode firstStep(AlignConfig cfg, Path model, AlignData.Source src, String out) throws IOException {
        AlignTrainer.run(cfg, model, src, tmp.resolve(out), false, l -> { });
        return Json.MAPPER.readTree(Files.readAllLines(tmp.resolve(out).resolve(AlignTrainer.LOG_FILE)).get(0));
    }

    /**
     * SimPO's loss as the trainer computes it equals −log σ(β·S_w/|w| − β·S_l/|l| − γ), S the policy's summed
     * log-probs, averaged over the pairs in plain double arithmetic, under --logp sum and mean alike. One step whose
     * micro-batch holds every training pair, so the pair order does not matter.
     */
    @Test
    void simpoDividesByTheLengthOnceWhateverTheLogpMode() throws IOException {
        Path model = tinyModel(tmp);
        AlignData.Source src = AlignData.Source.file(pairsFile(tmp.resolve("p.jsonl"), 12), null);
        AlignConfig base = small(AlignConfig.Method.SIMPO).steps(1).evalEvery(0).fdEvery(0).build();
        List<dev.mono4j.data.PreferencePairs.Pair> train = src.load(base.evalShare()).train();
        base = base.toBuilder().batchSize(train.size()).build();
        double expected = 0;
        try (Tokenizer tok = Tokenizer.load(model); TransformerLM policy = Checkpoint.loadCausal(model, "this test")) {
            PairLogProbs lp = PairLogProbs.of(policy, tok, train, base);
            for (int i = 0; i < train.size(); i++) {
                double margin = base.beta() * lp.chosen()[i] / lp.chosenLengths()[i]
                        - base.beta() * lp.rejected()[i] / lp.rejectedLengths()[i] - base.gamma();
                expected += LossesTest.softplus(-margin) / train.size();
            }
        }
        for (PolicyLogProbs.Mode mode : PolicyLogProbs.Mode.values()) {
            JsonNode first = firstStep(base.toBuilder().logp(mode).build(), model, src, "simpo-" + mode);
            assertEquals(expected, first.get("pref_loss").asDouble(), 1e-5 * Math.max(1, expected), "--logp " + mode);
        }
    }

    /**
     * The released-code mode reads block 10's up-projection (here, with 2 blocks, block 0), rows 0::2 of the
     * [chosen; rejected] batch at the padded batch's last position, and adds (|A||A|ᵀ − I).mean(dim=0) to each pair's
     * loss with λ = 0.001; checked against the activations captured by a separate forward pass, in plain Java.
     */
    @Test
    void releasedCodeModeReadsEvenRowsAtThePaddedLastPosition() throws IOException {
        Path model = tinyModel(tmp);
        // Every training pair the same (so their order does not matter); the rejected completion is shorter, so the
        // batch's last position is padding in the rejected rows.
        List<String> prompts = java.util.stream.IntStream.range(3, 20).mapToObj(i -> "w" + i + " w4 w5").toList();
        String trainPrompt = prompts.stream().filter(p -> !AlignData.heldOut(p, 0.1)).findFirst().orElseThrow();
        String evalPrompt = prompts.stream().filter(p -> AlignData.heldOut(p, 0.1)).findFirst().orElseThrow();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            lines.add(Json.line(Json.object("prompt", trainPrompt, "chosen", " w1 w6 w7", "rejected", " w2")));
        }
        lines.add(Json.line(Json.object("prompt", evalPrompt, "chosen", " w1 w6 w7", "rejected", " w2")));
        Path pairs = Files.write(tmp.resolve("same.jsonl"), lines);
        AlignConfig cfg = small(AlignConfig.Method.DECPO).decorrMode(DecorrelationLoss.Mode.RELEASED_CODE).steps(1)
                .evalEvery(0).fdEvery(0).build();
        assertEquals(1e-3, cfg.lambda(), "the weight of DPOTrainer.py@2da99fb L210");
        String hook = "blocks.0.mlp.hook_pre_linear";
        assertEquals(hook, AlignTrainer.releasedCodeHook(TinyModels.llama()), "block ⌊10·2/32⌋ = 0's up_proj output");
        JsonNode first = firstStep(cfg, model, AlignData.Source.file(pairs, null), "released");
        assertEquals(hook, Json.read(tmp.resolve("released").resolve(AlignTrainer.SUMMARY_FILE)).get("hook").asText());

        float[] chosen;
        float[] rejected;
        try (Tokenizer tok = Tokenizer.load(model); TransformerLM policy = Checkpoint.loadCausal(model, "this test");
                ai.djl.ndarray.NDManager m = policy.manager().newSubManager()) {
            PreferenceBatch b = PreferenceBatch.encode(tok, List.of(new dev.mono4j.data.PreferencePairs.Pair("test", trainPrompt,
                    " w1 w6 w7", " w2")), cfg.maxPromptTokens(), cfg.maxLength());
            int last = b.batch().seqLen() - 1;
            assertEquals(0, b.batch().mask()[2 * b.batch().seqLen() - 1], "the rejected row ends in padding");
            dev.mono4j.hooks.Hooks h = dev.mono4j.hooks.Hooks.capture(hook);
            PolicyLogProbs.sums(policy, m, b, h);
            chosen = h.get(hook).get(0, last).toFloatArray();
            rejected = h.get(hook).get(1, last).toFloatArray();
        }
        // B = 4 pairs, 8 rows: rows 0, 2 are chosen, rows 4, 6 rejected.
        float[][] rows = {chosen, chosen, rejected, rejected};
        double reg = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double dot = 0;
                for (int k = 0; k < chosen.length; k++) {
                    dot += Math.abs(rows[i][k]) * Math.abs(rows[j][k]);
                }
                reg += (dot - (i == j ? 1 : 0)) / 16; // the mean over the rows of each row's mean
            }
        }
        assertEquals(reg, first.get("reg_loss").asDouble(), 1e-5 * Math.max(1, reg));
        assertEquals(first.get("pref_loss").asDouble() + 1e-3 * reg, first.get("loss").asDouble(), 1e-6);
    }

    /** Runs cfg whole and killed after step 6 then resumed; the final weights and log must match. */
    private JsonNode resumeMatches(AlignConfig cfg) throws IOException {
        Path model = tinyModel(tmp);
        AlignData.Source src = AlignData.Source.file(pairsFile(tmp.resolve("p.jsonl"), 40), null);
        AlignTrainer.run(cfg, model, src, tmp.resolve("whole"), false, l -> { });

        class Stop extends RuntimeException {
        }
        assertThrows(Stop.class, () -> AlignTrainer.run(cfg, model, src, tmp.resolve("split"), false, l -> {
            if (l.step() == 6) {
                throw new Stop(); // killed after step 6; the last checkpoint is step 4
            }
        }));
        AlignTrainer.resume(tmp.resolve("split"), l -> { });
        try (TransformerLM a = Checkpoint.loadCausal(tmp.resolve("whole").resolve(AlignTrainer.FINAL_DIR), "this test");
                TransformerLM b = Checkpoint.loadCausal(tmp.resolve("split").resolve(AlignTrainer.FINAL_DIR), "this test")) {
            for (String k : a.parameters().keySet()) {
                assertArrayEquals(a.weight(k), b.weight(k), k);
            }
        }
        List<String> whole = Files.readAllLines(tmp.resolve("whole").resolve(AlignTrainer.LOG_FILE));
        List<String> split = Files.readAllLines(tmp.resolve("split").resolve(AlignTrainer.LOG_FILE));
        assertEquals(whole.size(), split.size());
        JsonNode last = Json.MAPPER.readTree(whole.get(whole.size() - 1));
        assertEquals(last.get("loss"), Json.MAPPER.readTree(split.get(split.size() - 1)).get("loss"));
        UserInputException done = assertThrows(UserInputException.class, () -> AlignTrainer.resume(tmp.resolve("split"), l -> { }));
        assertTrue(done.getMessage().contains("already finished"), done.getMessage());
        return last;
    }
}
