package dev.mono4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.data.TokenStream;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.MonetFamily;
import dev.mono4j.model.MonetSettings;
import dev.mono4j.model.ParameterLayout;
import dev.mono4j.model.WorkspaceFamily;
import dev.mono4j.model.WorkspaceSettings;
import dev.mono4j.model.WorkspaceSettings.Workspace;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PretrainTest {
    private static final String RUNNING_MEAN = "model.layers.0.router.norm1.running_mean";

    @TempDir
    static Path data;
    static Path tokenizer;
    static Path train;
    static Path valid;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeData() throws Exception {
        List<String> words = WordLevelTokenizers.words(40);
        tokenizer = WordLevelTokenizers.write(data.resolve("tokenizer.json"), words);
        train = Files.writeString(data.resolve("train.txt"), WordLevelTokenizers.text(words, 300, 1));
        valid = Files.writeString(data.resolve("valid.txt"), WordLevelTokenizers.text(words, 30, 2));
    }

    /** A model of a few thousand parameters; small windows, two micro-batches per step. */
    private static PretrainConfig.Builder tiny() {
        return tinyTraining().preset("xs").dModel(16).layers(2).heads(2);
    }

    /** {@link #tiny()}'s training, continuing the checkpoint in {@code base} (made with {@link #tiny()}'s windows). */
    private static PretrainConfig.Builder fineTune(Path base) {
        return tinyTraining().init(base.toString());
    }

    private static PretrainConfig.Builder tinyTraining() {
        return PretrainConfig.builder().seqLen(16).batchSize(4).gradAccum(2).warmupSteps(2).evalBatches(2);
    }

    /** A tiny model of {@code arch} pretrained for a few steps on the shared text: its {@code final/} folder. */
    private Path pretrainedBase(String arch, int steps) {
        Path run = tmp.resolve("base-" + arch);
        Pretrainer.run(tiny().arch(arch).steps(steps).lr(1e-2).build(), train, valid, tokenizer, run, log -> { });
        return run.resolve(RunFolder.FINAL);
    }

    @Test
    void presetsFormALadderAtAVocabularyOf2000() {
        long[] llama = {114_464, 530_496, 1_839_232, 10_004_736}; // as ModelPresets' table says
        List<String> names = List.copyOf(ModelPresets.names());
        assertEquals(List.of("xs", "s", "m", "l"), names);
        for (int i = 0; i < names.size(); i++) {
            assertEquals(llama[i], ParameterLayout.count(ModelPresets.presetConfig(names.get(i), "llama", 2000, 128)),
                    names.get(i));
            long gpt2 = ParameterLayout.count(ModelPresets.presetConfig(names.get(i), "gpt2", 2000, 128));
            assertTrue(Math.abs(gpt2 - llama[i]) < 0.06 * llama[i], "GPT-2 " + names.get(i) + " has " + gpt2);
        }
    }

    /**
     * A Monet preset's expert width is the even value whose count is closest to the dense Llama's (both
     * decompositions count the same); xs, s and m land within 3%, and the counts are ModelPresets' table.
     */
    @Test
    void monetPresetsMatchTheDenseParameterCount() {
        long[] monet = {117_792, 540_224, 1_867_392, 10_065_408};
        int[] dims = {2, 6, 14, 30};
        List<String> names = List.copyOf(ModelPresets.names());
        for (int i = 0; i < names.size(); i++) {
            long llama = ParameterLayout.count(ModelPresets.presetConfig(names.get(i), "llama", 2000, 128));
            for (String arch : ModelPresets.MONET_ARCHS) {
                ModelConfig c = ModelPresets.presetConfig(names.get(i), arch, 2000, 128);
                MonetSettings s = MonetFamily.settings(c);
                assertEquals(dims[i], s.moeDim(), arch + " " + names.get(i));
                assertEquals(monet[i], ParameterLayout.count(c), arch + " " + names.get(i));
                assertTrue(Math.abs(monet[i] - llama) <= 0.03 * llama, arch + " " + names.get(i));
                for (int other : new int[] {dims[i] - 2, dims[i] + 2}) {
                    if (other >= 2) {
                        ModelPresets.Shape shape = ModelPresets.shape(names.get(i));
                        long gap = Math.abs(ParameterLayout.count(MonetFamily.config(2000, shape.dModel(), shape.layers(),
                                shape.heads(), shape.heads(), 128, true, new MonetSettings(other, s.moeHeads(),
                                        s.moeExperts(), s.moeTopk(), s.moeGroups(), s.decompose()))) - llama);
                        assertTrue(gap > Math.abs(monet[i] - llama), "moe_dim " + other + " is farther");
                    }
                }
                assertEquals(List.of(4, 32, 4, 2), List.of(s.moeHeads(), s.moeExperts(), s.moeTopk(), s.moeGroups()));
                assertTrue(c.tieEmbeddings());
                assertEquals(c.numHeads(), c.numKvHeads());
            }
        }
        assertEquals(MonetSettings.Decomposition.HORIZONTAL,
                MonetFamily.settings(ModelPresets.presetConfig("xs", "monet-hd", 2000, 128)).decompose());
    }

    /**
     * A workspace or STR preset shares one block across its layers, so its SwiGLU width is the one whose count is
     * closest to the dense Llama's; the counts are ModelPresets' table.
     */
    @Test
    void workspacePresetsMatchTheDenseParameterCount() {
        Map<String, long[]> counts = Map.of("workspace-hard", new long[] {114_466, 530_434, 1_839_106, 10_004_994},
                "workspace-soft", new long[] {114_466, 530_434, 1_839_106, 10_004_994},
                "str", new long[] {114_464, 530_496, 1_839_104, 10_004_736});
        Map<String, int[]> widths = Map.of("workspace-hard", new int[] {336, 1725, 3475, 11073},
                "workspace-soft", new int[] {336, 1725, 3475, 11073}, "str", new int[] {482, 2010, 3951, 12018});
        List<String> names = List.copyOf(ModelPresets.names());
        for (int i = 0; i < names.size(); i++) {
            long llama = ParameterLayout.count(ModelPresets.presetConfig(names.get(i), "llama", 2000, 128));
            for (String arch : ModelPresets.WORKSPACE_ARCHS) {
                ModelConfig c = ModelPresets.presetConfig(names.get(i), arch, 2000, 128);
                long count = ParameterLayout.count(c);
                assertEquals(counts.get(arch)[i], count, arch + " " + names.get(i));
                assertEquals(widths.get(arch)[i], c.intermediateSize(), arch + " " + names.get(i));
                assertTrue(Math.abs(count - llama) <= 0.03 * llama, arch + " " + names.get(i));
                for (int other : new int[] {c.intermediateSize() - 1, c.intermediateSize() + 1}) {
                    long gap = Math.abs(ParameterLayout.count(c.toBuilder().intermediateSize(other).build()) - llama);
                    assertTrue(gap >= Math.abs(count - llama), arch + " width " + other + " is not nearer");
                }
                assertTrue(WorkspaceFamily.settings(c).shareLayers() && c.tieEmbeddings());
            }
        }
        assertEquals(new WorkspaceSettings(Workspace.NONE, 4, 3, 32, 3, true),
                WorkspaceFamily.settings(ModelPresets.presetConfig("s", "str", 2000, 128)));
        assertEquals(Workspace.SOFT, WorkspaceFamily.settings(ModelPresets.presetConfig("s", "workspace-soft", 2000,
                128)).workspace());
    }

    /** The workspace and STR architectures pretrain: the loss falls on a repetitive text. */
    @ParameterizedTest
    @ValueSource(strings = {"workspace-hard", "workspace-soft", "str"})
    void workspaceArchitecturesLowerTheLoss(String arch) throws Exception {
        Path text = Files.writeString(tmp.resolve("cat.txt"), "w1 w2 w3 w4 w5 w6 w7 w8\n".repeat(50));
        List<StepLog> logs = new ArrayList<>();
        PretrainSummary s = Pretrainer.run(tiny().arch(arch).gradAccum(1).steps(40).lr(1e-2).evalEvery(40).build(),
                text, text, tokenizer, tmp.resolve("out"), logs::add);
        double first = logs.get(0).loss();
        assertTrue(s.finalTrainLoss() < first / 2, arch + " loss " + first + " -> " + s.finalTrainLoss());
    }

    @Test
    void configDefaultsAndValidation() {
        PretrainConfig c = PretrainConfig.builder().steps(300).build();
        assertEquals("llama", c.arch());
        assertEquals(64, c.dModel(), "preset s");
        assertEquals(30, c.warmupSteps(), "a tenth of the steps");
        assertEquals(3e-3, c.lr());
        assertEquals(0.1, c.weightDecay());
        assertEquals(1.0, c.gradClip());
        assertEquals(16 * 128, c.tokensPerStep());
        assertEquals(48, PretrainConfig.builder().preset("m").dModel(48).heads(4).build().dModel(), "explicit width");
        assertEquals(8, PretrainConfig.builder().preset("m").dModel(48).heads(4).build().layers(), "preset's depth");
        assertThrows(IllegalArgumentException.class, () -> PretrainConfig.builder().preset("xxl").build());
        assertThrows(IllegalArgumentException.class, () -> PretrainConfig.builder().arch("bert").build());
        assertThrows(IllegalArgumentException.class, () -> PretrainConfig.builder().dModel(30).heads(4).build());
        assertThrows(IllegalArgumentException.class, () -> PretrainConfig.builder().dModel(36).heads(4).build(),
                "odd head size: no rotary");
        assertEquals(36, PretrainConfig.builder().arch("gpt2").dModel(36).heads(4).build().dModel(), "GPT-2 has no rotary");
        assertThrows(IllegalArgumentException.class, () -> PretrainConfig.builder().steps(10).warmupSteps(11).build());
        assertEquals(1e-3, c.moeAuxWeight(), "Monet's lambda");
        assertEquals(0.0, PretrainConfig.builder().arch("monet-hd").moeAuxWeight(0).build().moeAuxWeight());
        IllegalArgumentException noRouting = assertThrows(IllegalArgumentException.class,
                () -> PretrainConfig.builder().moeAuxWeight(0).build());
        assertTrue(noRouting.getMessage().startsWith("moe-aux-weight applies to monet-vd and monet-hd only"),
                noRouting.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PretrainConfig.builder().arch("monet-vd").moeAuxWeight(-1).build());
        assertThrows(IllegalArgumentException.class, () -> PretrainConfig.builder().arch("monet-vd").dModel(36).heads(4).build(),
                "odd head size: no rotary");

        PretrainConfig init = PretrainConfig.builder().init("base").steps(300).build();
        assertEquals("base", init.init());
        assertEquals(Arrays.asList(null, null, null, null, null),
                Arrays.asList(init.arch(), init.preset(), init.dModel(), init.layers(), init.heads()), "the checkpoint's");
        assertEquals(30, init.warmupSteps());
        assertEquals(null, c.init(), "from scratch by default");
        assertThrows(IllegalStateException.class, () -> init.modelConfig(44), "nothing to build");
        for (PretrainConfig.Builder b : List.of(PretrainConfig.builder().arch("llama"), PretrainConfig.builder().preset("s"),
                PretrainConfig.builder().dModel(16), PretrainConfig.builder().layers(1), PretrainConfig.builder().heads(2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.init("base").build());
            assertTrue(e.getMessage().startsWith("init already has a model"), e.getMessage());
        }
    }

    /** Hand-computed: peak 1e-3, 10 warmup steps, 110 steps, floor 1e-4. */
    @Test
    void warmupThenCosineDecay() {
        LrSchedule s = new LrSchedule(1e-3, 10, 110, 0.1);
        assertEquals(1e-4, s.at(1), 1e-15);
        assertEquals(5e-4, s.at(5), 1e-15);
        assertEquals(1e-3, s.at(10), 1e-15);
        assertEquals(1e-4 + 9e-4 * 0.5 * (1 + Math.cos(Math.PI / 4)), s.at(35), 1e-15); // a quarter into the decay
        assertEquals(8.6820e-4, s.at(35), 1e-8);
        assertEquals(5.5e-4, s.at(60), 1e-15); // halfway: the mean of peak and floor
        assertEquals(1e-4, s.at(110), 1e-15); // the last step reaches the floor
        assertEquals(1e-3 * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 4))), new LrSchedule(1e-3, 0, 4, 0.1).at(1), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> s.at(111));
    }

    /** Gradients (3, 0) and (4): global norm 5; clipped to 1 they become (0.6, 0) and (0.8). */
    @Test
    void clippingScalesAllGradientsByOneFactor() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 1});
            NDArray b = m.create(new float[] {1});
            NDArray untouched = m.create(new float[] {1});
            List<NDArray> params = List.of(a, b, untouched);
            params.forEach(p -> p.setRequiresGradient(true));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(a.mul(m.create(new float[] {3, 0})).sum().add(b.mul(m.create(new float[] {4})).sum()));
            }
            assertEquals(5.0, GradientClipping.globalNorm(params), 1e-6);
            assertEquals(5.0, GradientClipping.clipGlobalNorm(params, 10), 1e-6, "below the limit: unchanged");
            assertEquals(5.0, GradientClipping.globalNorm(params), 1e-6);
            assertEquals(5.0, GradientClipping.clipGlobalNorm(params, 1.0), 1e-6, "returns the norm before clipping");
            assertTrue(GradientClipping.globalNorm(params) <= 1.0);
            assertArrayEquals(new float[] {0.6f, 0f}, grad(a), 1e-6f);
            assertArrayEquals(new float[] {0.8f}, grad(b), 1e-6f);
        }
    }

    /** Two micro-batches of 2 rows give the gradients of one batch of 4 rows. */
    @Test
    void accumulatingMicroBatchesEqualsOneLargeBatch() {
        SplittableRandom rng = new SplittableRandom(3);
        long[] ids = new long[4 * 12];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(96);
        }
        TokenBatch whole = TokenBatch.of(4, 12, ids);
        List<TokenBatch> halves = List.of(TokenBatch.of(2, 12, Arrays.copyOfRange(ids, 0, 24)),
                TokenBatch.of(2, 12, Arrays.copyOfRange(ids, 24, 48)));
        for (var config : List.of(TinyModels.llama(), TinyModels.gpt2())) {
            try (TransformerLM model = TransformerLM.random(config, 1)) {
                model.setTrainable(k -> true);
                int arrays = model.manager().getManagedArrays().size();
                double lossWhole = Pretrainer.accumulateGradients(model, List.of(whole), 0).nll();
                Map<String, float[]> expected = grads(model);
                double lossHalves = Pretrainer.accumulateGradients(model, halves, 0).nll();
                GradientClipping.clipGlobalNorm(model.parameters().values(), 1e9);
                Map<String, float[]> got = grads(model);
                assertEquals(lossWhole, lossHalves, 1e-5);
                for (String k : expected.keySet()) {
                    assertTrue(Fixtures.maxAbsDiff(expected.get(k), got.get(k)) < 1e-5, k);
                }
                assertEquals(lossWhole, DocumentLoss.mean(model, List.of(whole)), 1e-5, "unpadded rows: the plain mean");
                assertEquals(arrays, model.manager().getManagedArrays().size(), "nothing is left in the model's manager");
            }
        }
    }

    @Test
    void lossFallsOnARepetitiveCorpus() throws Exception {
        Path text = Files.writeString(tmp.resolve("cat.txt"), "w1 w2 w3 w4 w5 w6 w7 w8\n".repeat(50));
        List<StepLog> logs = new ArrayList<>();
        PretrainSummary s = Pretrainer.run(tiny().gradAccum(1).steps(40).lr(1e-2).evalEvery(20).build(), text, text,
                tokenizer, tmp.resolve("out"), logs::add);
        assertEquals(40, logs.size());
        double first = logs.get(0).loss();
        assertTrue(first > 3, "starts near ln(44) = 3.8: " + first);
        assertTrue(s.finalTrainLoss() < 1.0, "loss " + first + " -> " + s.finalTrainLoss());
        assertTrue(s.finalValidLoss() < 1.0, "valid loss " + s.finalValidLoss());
        assertEquals(2, logs.stream().filter(l -> l.validLoss() != null).count(), "steps 20 and 40");
        assertEquals(40L * 4 * 16, s.tokens());
        assertTrue(s.tokensPerS() > 0 && s.parameters() > 0);
    }

    /**
     * A run killed after step 5 (checkpoint at 3) and resumed ends with exactly the weights, optimizer-driven
     * losses and log of the same run done in one go; gradient accumulation and evaluation are part of it. A run
     * from a checkpoint ({@code init}) resumes from its own checkpoint: the one it started from is deleted first.
     */
    @ParameterizedTest
    @CsvSource({"llama, false", "monet-vd, false", "llama, true", "monet-vd, true"})
    void resumingAfterAKillGivesBitIdenticalResults(String arch, boolean init) throws Exception {
        Path base = init ? pretrainedBase(arch, 3) : null;
        PretrainConfig cfg = (init ? fineTune(base) : tiny().arch(arch)).steps(6).checkpointEvery(3).evalEvery(2).build();
        Path once = tmp.resolve("once");
        PretrainSummary onceSummary = Pretrainer.run(cfg, train, valid, init ? null : tokenizer, once, log -> { });

        Path killed = tmp.resolve("killed");
        RuntimeException kill = new RuntimeException("killed");
        assertThrows(RuntimeException.class, () -> Pretrainer.run(cfg, train, valid, init ? null : tokenizer, killed, log -> {
            if (log.step() == 5) {
                throw kill;
            }
        }));
        assertEquals(5, Files.readAllLines(killed.resolve(Pretrainer.LOG_FILE)).size());
        assertEquals(3, Json.read(killed.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE)).get("step").asInt());
        assertTrue(Files.notExists(killed.resolve(Pretrainer.FINAL_DIR)));
        if (init) {
            AtomicFiles.deleteTree(base.getParent());
        }

        List<StepLog> resumed = new ArrayList<>();
        PretrainSummary s = Pretrainer.resume(killed, resumed::add);
        assertEquals(List.of(4, 5, 6), resumed.stream().map(StepLog::step).toList());
        assertEquals(6, s.steps());
        assertEquals(init, s.initialValidLoss() != null);
        assertEquals(onceSummary.initialValidLoss(), s.initialValidLoss(), "kept in the checkpoint's state");

        for (String dir : List.of("final", "checkpoint")) {
            try (SafetensorsReader a = SafetensorsReader.open(once.resolve(dir).resolve("model.safetensors"));
                    SafetensorsReader b = SafetensorsReader.open(killed.resolve(dir).resolve("model.safetensors"))) {
                assertEquals(a.tensors().keySet(), b.tensors().keySet());
                if (arch.startsWith("monet")) { // the router's BatchNorm statistics are saved, moved by training
                    assertTrue(a.readFloats(RUNNING_MEAN)[0] != 0, dir);
                }
                for (String k : a.tensors().keySet()) {
                    assertArrayEquals(a.readFloats(k), b.readFloats(k), dir + " " + k); // exact: bit-identical
                }
            }
        }
        List<String> logOnce = Files.readAllLines(once.resolve(Pretrainer.LOG_FILE));
        List<String> logResumed = Files.readAllLines(killed.resolve(Pretrainer.LOG_FILE));
        assertEquals(6, logResumed.size());
        for (int i = 0; i < 6; i++) {
            JsonNode a = Json.MAPPER.readTree(logOnce.get(i));
            JsonNode b = Json.MAPPER.readTree(logResumed.get(i));
            assertEquals(arch.startsWith("monet"), a.has("l_unif"));
            for (String field : a.properties().stream().map(Map.Entry::getKey).toList()) {
                if (!field.equals("tokens_per_s")) {
                    assertEquals(a.path(field), b.path(field), "line " + (i + 1) + " " + field);
                }
            }
        }
        UserInputException done = assertThrows(UserInputException.class, () -> Pretrainer.resume(killed, log -> { }));
        assertTrue(done.getMessage().contains("already finished"), done.getMessage());
    }

    /**
     * Fine-tuning a pretrained model on a repetitive text: the run starts from the checkpoint's weights (its
     * initial validation loss is the checkpoint's own loss on the valid file, computed here independently, far
     * from a random model's), keeps its architecture, moves the weights and lowers the valid loss on that text.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2", "monet-vd"})
    void fineTuningStartsFromTheCheckpointAndLowersTheLossOnTheNewText(String arch) throws Exception {
        Path base = pretrainedBase(arch, 30);
        Path text = Files.writeString(tmp.resolve("cat.txt"), "w1 w2 w3 w4 w5 w6 w7 w8\n".repeat(50));
        Path out = tmp.resolve("tuned");
        PretrainConfig cfg = fineTune(base).gradAccum(1).steps(20).lr(1e-2).evalEvery(10).build();
        PretrainSummary s = Pretrainer.run(cfg, text, text, null, out, log -> { });

        double baseLoss;
        double randomLoss;
        try (Tokenizer tok = Tokenizer.load(tokenizer);
                TransformerLM baseModel = Checkpoint.loadCausal(base, "this test");
                TransformerLM random = TransformerLM.random(baseModel.config(), cfg.seed())) {
            List<TokenBatch> batches = TokenStream.read(text, tok, WordLevelTokenizers.EOS)
                    .documentBatches(cfg.evalBatches() * cfg.batchSize(), cfg.batchSize(), cfg.seqLen());
            baseLoss = DocumentLoss.mean(baseModel, batches);
            randomLoss = DocumentLoss.mean(random, batches);
        }
        assertEquals(baseLoss, s.initialValidLoss(), 1e-6, "the checkpoint's loss before any step");
        assertTrue(Math.abs(randomLoss - baseLoss) > 0.1, "a random start would show: " + randomLoss + " vs " + baseLoss);
        assertTrue(s.finalValidLoss() < s.initialValidLoss() - 1, s.initialValidLoss() + " -> " + s.finalValidLoss());

        assertEquals(Json.read(base.resolve("config.json")), Json.read(out.resolve(RunFolder.FINAL).resolve("config.json")),
                "the same model, its config.json unchanged");
        assertEquals(Files.readString(base.resolve("tokenizer.json")),
                Files.readString(out.resolve(RunFolder.FINAL).resolve("tokenizer.json")), "the checkpoint's tokenizer");
        try (SafetensorsReader a = SafetensorsReader.open(base.resolve("model.safetensors"));
                SafetensorsReader b = SafetensorsReader.open(out.resolve(RunFolder.FINAL).resolve("model.safetensors"))) {
            assertEquals(a.tensors().keySet(), b.tensors().keySet());
            for (String k : a.tensors().keySet()) {
                if (!k.contains("running_")) { // Monet's BatchNorm statistics move too, but are no weights
                    assertTrue(Fixtures.maxAbsDiff(a.readFloats(k), b.readFloats(k)) > 0, "trained: " + k);
                }
            }
        }
        JsonNode summary = Json.read(out.resolve(RunFolder.SUMMARY));
        assertEquals(s.initialValidLoss(), summary.get("summary").get("initialValidLoss").asDouble());
        assertEquals(base.toString(), summary.get("config").get("init").asText());
        assertTrue(summary.get("config").get("arch").isNull(), "the checkpoint's config.json says what it is");
    }

    /**
     * What a checkpoint's config.json rules out is refused in one line before any weight is read and before
     * anything is written: windows past its positions, a tokenizer of another vocabulary size, a routing-loss
     * weight for a model without routing; a checkpoint without a tokenizer needs one.
     */
    @Test
    void fineTuningRefusesWhatTheCheckpointRulesOut() throws Exception {
        Path base = pretrainedBase("llama", 2);
        Path out = tmp.resolve("refused");
        UserInputException tooLong = assertThrows(UserInputException.class,
                () -> Pretrainer.run(fineTune(base).seqLen(17).steps(2).build(), train, valid, null, out, log -> { }));
        assertEquals("--seq-len 17 exceeds the model's max_position_embeddings 16 in " + base.resolve("config.json"),
                tooLong.getMessage());

        Path other = WordLevelTokenizers.write(tmp.resolve("other.json"), WordLevelTokenizers.words(30));
        UserInputException vocab = assertThrows(UserInputException.class,
                () -> Pretrainer.run(fineTune(base).steps(2).build(), train, valid, other, out, log -> { }));
        assertTrue(vocab.getMessage().startsWith(other + ": 34 tokens, but the model in " + base.resolve("config.json")
                + " has vocab_size 44"), vocab.getMessage());

        UserInputException aux = assertThrows(UserInputException.class,
                () -> Pretrainer.run(fineTune(base).moeAuxWeight(0).steps(2).build(), train, valid, null, out, log -> { }));
        assertTrue(aux.getMessage().startsWith("--moe-aux-weight applies to a model with routing losses (Monet), not the"
                + " LlamaForCausalLM"), aux.getMessage());

        Files.delete(base.resolve("tokenizer.json"));
        UserInputException noTokenizer = assertThrows(UserInputException.class,
                () -> Pretrainer.run(fineTune(base).steps(2).build(), train, valid, null, out, log -> { }));
        assertEquals(base + ": no tokenizer.json beside the checkpoint; pass --tokenizer", noTokenizer.getMessage());
        assertTrue(Files.notExists(out), "a refused run writes nothing");
        Pretrainer.run(fineTune(base).steps(2).build(), train, valid, tokenizer, out, log -> { }); // the same vocabulary
        assertEquals(Files.readString(tokenizer), Files.readString(out.resolve(RunFolder.FINAL).resolve("tokenizer.json")));
    }

    /**
     * A run folder written before {@link RunFolder} (train_log.jsonl, trainer_state.json) and before
     * {@link PretrainConfig#moeAuxWeight} and {@link PretrainConfig#init} resumes to the same weights.
     */
    @Test
    void aRunFolderWithTheOldNamesResumes() throws Exception {
        PretrainConfig cfg = tiny().steps(4).checkpointEvery(2).evalEvery(2).build();
        Path once = tmp.resolve("once");
        Pretrainer.run(cfg, train, valid, tokenizer, once, log -> { });
        Path old = tmp.resolve("old");
        assertThrows(RuntimeException.class, () -> Pretrainer.run(cfg, train, valid, tokenizer, old, log -> {
            if (log.step() == 3) {
                throw new IllegalStateException("killed");
            }
        }));
        Files.move(old.resolve(RunFolder.LOG), old.resolve("train_log.jsonl"));
        Path state = old.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE);
        ObjectNode json = (ObjectNode) Json.read(state);
        assertTrue(((ObjectNode) json.get("config")).remove("moeAuxWeight") != null);
        assertTrue(((ObjectNode) json.get("config")).remove("init") != null);
        assertTrue(json.remove("initialValidLoss") != null);
        Files.writeString(old.resolve(RunFolder.CHECKPOINT).resolve("trainer_state.json"), Json.write(json));
        Files.delete(state);

        List<StepLog> resumed = new ArrayList<>();
        Pretrainer.resume(old, resumed::add);
        assertEquals(List.of(3, 4), resumed.stream().map(StepLog::step).toList());
        assertEquals(4, Files.readAllLines(old.resolve(RunFolder.LOG)).size());
        assertTrue(Files.notExists(old.resolve("train_log.jsonl")));
        try (SafetensorsReader a = SafetensorsReader.open(once.resolve("final").resolve("model.safetensors"));
                SafetensorsReader b = SafetensorsReader.open(old.resolve("final").resolve("model.safetensors"))) {
            for (String k : a.tensors().keySet()) {
                assertArrayEquals(a.readFloats(k), b.readFloats(k), k);
            }
        }
    }

    /**
     * Monet's objective at λ = 0 is exactly the plain LM loss (same loss, same gradients bit for bit, computed
     * here without any hook); at λ > 0 the routing losses' gradient reaches the router weights. The passes run in
     * training mode and leave the model in inference mode.
     */
    @Test
    void monetAuxiliaryLossAtZeroWeightIsThePlainLmLoss() {
        SplittableRandom rng = new SplittableRandom(5);
        long[] ids = new long[4 * 16];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(44);
        }
        TokenBatch batch = TokenBatch.of(4, 16, ids);
        try (TransformerLM model = TransformerLM.random(ModelPresets.config("monet-vd", 16, 2, 2, 44, 16), 2)) {
            model.setTrainable(k -> true);
            double plainLoss;
            model.setTraining(true);
            try (NDManager step = model.manager().newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray nll = LogProbs.nextToken(model.forward(step, batch, Hooks.none()), batch).mean().neg();
                gc.backward(nll);
                plainLoss = nll.getFloat();
            }
            model.setTraining(false);
            Map<String, float[]> plain = grads(model);

            Pretrainer.StepLoss atZero = Pretrainer.accumulateGradients(model, List.of(batch), 0);
            assertTrue(!model.training(), "inference mode after the training passes");
            Map<String, float[]> zero = grads(model);
            assertEquals(plainLoss, atZero.nll());
            for (String k : plain.keySet()) {
                assertArrayEquals(plain.get(k), zero.get(k), k); // exact
            }
            assertEquals(List.of("l_unif", "l_amb", "active_routes", "active_experts"),
                    List.copyOf(atZero.auxiliary().keySet()));

            Pretrainer.StepLoss weighted = Pretrainer.accumulateGradients(model, List.of(batch), 1);
            assertEquals(atZero.nll(), weighted.nll(), "the logged loss is the LM loss");
            String router = "model.layers.0.router.w1.weight";
            assertTrue(Fixtures.maxAbsDiff(grads(model).get(router), zero.get(router)) > 1e-6,
                    "the routing losses' gradient reaches the router");
        }
    }

    /**
     * 30 steps of monet-vd log finite routing metrics in their ranges (L_unif ≥ log √N, its value at uniform
     * routing; ambiguity in [0, 1); at least one expert per head and side); validation runs in inference mode
     * (the logged valid loss is the saved model's, which uses the running statistics).
     */
    @Test
    void monetPretrainingLogsItsRoutingMetrics() throws Exception {
        Path out = tmp.resolve("monet");
        PretrainConfig cfg = tiny().arch("monet-vd").gradAccum(1).steps(30).evalEvery(15).build();
        PretrainSummary s = Pretrainer.run(cfg, train, valid, tokenizer, out, log -> { });
        List<String> lines = Files.readAllLines(out.resolve(RunFolder.LOG));
        assertEquals(30, lines.size());
        for (String line : lines) {
            StepLog log = StepLog.fromJson(Json.MAPPER.readTree(line));
            Map<String, Double> a = log.auxiliary();
            assertTrue(a.values().stream().allMatch(Double::isFinite), line);
            assertTrue(a.get("l_unif") >= Math.log(32) - 1e-4 && a.get("l_unif") < 30, line);
            assertTrue(a.get("l_amb") >= 0 && a.get("l_amb") < 1, line);
            assertTrue(a.get("active_routes") >= 1 && a.get("active_routes") <= 32, line);
            assertTrue(a.get("active_experts") >= 1 && a.get("active_experts") <= 32 * 32, line);
            assertEquals(line, Json.line(log.toJson()), "reads back as written");
        }
        try (TransformerLM model = Checkpoint.loadCausal(out.resolve(RunFolder.FINAL), "this test");
                Tokenizer tok = Tokenizer.load(tokenizer)) {
            List<TokenBatch> batches = TokenStream.read(valid, tok, WordLevelTokenizers.EOS)
                    .documentBatches(cfg.evalBatches() * cfg.batchSize(), cfg.batchSize(), cfg.seqLen());
            assertEquals(s.finalValidLoss(), DocumentLoss.mean(model, batches), 1e-6);
        }
    }

    /** A log line of a model without an auxiliary loss, or of an older release, reads with none. */
    @Test
    void stepLogLinesReadWithAndWithoutAuxiliaryMetrics() throws Exception {
        StepLog old = StepLog.fromJson(Json.MAPPER.readTree("{\"step\":3,\"tokens\":96,\"lr\":0.001,\"loss\":2.5,"
                + "\"grad_norm\":0.7,\"tokens_per_s\":100.0,\"valid_loss\":2.6}"));
        assertEquals(Map.of(), old.auxiliary());
        assertEquals(2.6, old.validLoss());
        StepLog monet = StepLog.fromJson(Json.MAPPER.readTree("{\"step\":3,\"tokens\":96,\"lr\":0.001,\"loss\":2.5,"
                + "\"grad_norm\":0.7,\"tokens_per_s\":100.0,\"l_unif\":3.6,\"l_amb\":0.4,\"active_routes\":4.5,"
                + "\"active_experts\":20.25}"));
        assertEquals(List.of("l_unif", "l_amb", "active_routes", "active_experts"),
                List.copyOf(monet.auxiliary().keySet()));
        assertEquals(0.4, monet.auxiliary().get("l_amb"));
        assertEquals(null, monet.validLoss());
    }

    /**
     * A learning rate of 1e30 blows the weights up after step 1: step 2's loss is not finite, and the run stops
     * there with a one-line message, leaving step 1's checkpoint and writing no final model.
     */
    @Test
    void aNonFiniteLossStopsTheRun() throws Exception {
        Path out = tmp.resolve("out");
        UserInputException e = assertThrows(UserInputException.class, () -> Pretrainer.run(tiny().steps(5).lr(1e30)
                .checkpointEvery(1).build(), train, valid, tokenizer, out, log -> { }));
        assertTrue(e.getMessage().startsWith("step 2: "), e.getMessage());
        assertTrue(e.getMessage().contains("the last good checkpoint (step 1)"), e.getMessage());
        assertEquals(1, Json.read(out.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE)).get("step").asInt());
        assertEquals(1, Files.readAllLines(out.resolve(RunFolder.LOG)).size());
        assertTrue(Files.notExists(out.resolve(RunFolder.FINAL)));
    }

    @Test
    void theFinalModelIsACheckpointWithItsTokenizerAndSpecialTokens() {
        Path out = tmp.resolve("out");
        Pretrainer.run(tiny().arch("gpt2").steps(2).build(), train, valid, tokenizer, out, log -> { });
        Path fin = out.resolve(Pretrainer.FINAL_DIR);
        assertTrue(Files.exists(fin.resolve("tokenizer.json")));
        try (TransformerLM model = Checkpoint.loadCausal(fin, "this test")) {
            assertEquals(44, model.config().vocabSize());
            assertEquals(16, model.config().maxPositions());
            assertEquals(List.of(WordLevelTokenizers.EOS), model.config().eosTokenIds());
            assertEquals(WordLevelTokenizers.BOS, model.config().bosTokenId());
        }
    }

    @Test
    void nothingTheUserMadeIsOverwritten() throws Exception {
        PretrainConfig cfg = tiny().steps(2).build();
        Path out = tmp.resolve("out");
        Pretrainer.run(cfg, train, valid, tokenizer, out, log -> { });
        UserInputException e = assertThrows(UserInputException.class,
                () -> Pretrainer.run(cfg, train, valid, tokenizer, out, log -> { }));
        assertTrue(e.getMessage().contains("--resume") && e.getMessage().contains("--overwrite"), e.getMessage());
        Pretrainer.run(cfg, train, valid, tokenizer, out, true, log -> { }); // an earlier run's outputs may go

        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "precious");
        assertThrows(UserInputException.class, () -> Pretrainer.run(cfg, train, valid, tokenizer, mine, true, log -> { }));
        assertEquals("precious", Files.readString(mine.resolve("notes.txt")));
        try (var entries = Files.list(mine)) {
            assertEquals(1, entries.count());
        }
        Path file = Files.writeString(tmp.resolve("a-file"), "mine");
        assertThrows(UserInputException.class, () -> Pretrainer.run(cfg, train, valid, tokenizer, file, true, log -> { }));
        assertThrows(UserInputException.class, () -> Pretrainer.resume(mine, log -> { }), "nothing to resume");
    }

    private static Map<String, float[]> grads(TransformerLM model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.parameters().forEach((k, p) -> {
            if (p.hasGradient()) { // buffers (Monet's running statistics) have none
                out.put(k, grad(p));
            }
        });
        model.parameters().values().stream().filter(NDArray::hasGradient).forEach(p -> {
            try (NDArray g = Gradients.of(p)) {
                g.muli(0);
            }
        });
        return out;
    }

    private static float[] grad(NDArray p) {
        try (NDArray g = Gradients.of(p)) {
            return g.toFloatArray();
        }
    }
}
