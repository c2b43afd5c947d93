package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.train.AdamW;
import dev.mono4j.train.AdamWConfig;
import dev.mono4j.train.Gradients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LoraTest {
    private static final TokenBatch BATCH = TokenBatch.pad(List.of(new long[] {5, 17, 42, 8, 90, 3}, new long[] {7, 1, 33}),
            0, TokenBatch.PadSide.LEFT);

    @TempDir
    Path tmp;

    static Stream<ModelConfig> families() {
        return Stream.of(TinyModels.llama(), TinyModels.gpt2());
    }

    /** Every projection of the family, so merging is checked on each kind of weight. */
    private static List<String> allProjections(ModelConfig c) {
        if (c.family() == Gpt2Family.GPT2) {
            return List.of("c_attn", "c_proj", "c_fc");
        }
        return c.family() == NeoxFamily.NEOX ? List.of("query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h")
                : List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    }

    private static float[] logits(TransformerLM model) {
        try (NDManager step = model.manager().newSubManager()) {
            return model.forward(step, BATCH, Hooks.none()).toFloatArray();
        }
    }

    /** Gives every B random values (fresh ones are zero, which would hide any error in the B·A term). */
    private static void randomizeB(LoraAdapters lora, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        try (NDManager m = NDManager.newBaseManager()) {
            lora.parameters().forEach((k, p) -> {
                if (k.endsWith(".lora_B.weight")) {
                    float[] v = new float[Math.toIntExact(p.size())];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (0.2 * rng.nextGaussian());
                    }
                    p.addi(m.create(v, p.getShape()));
                }
            });
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mono4j.testing.TinyModels#all")
    void freshAdaptersLeaveLogitsBitIdenticalAndTheModelsManagerFlat(ModelConfig config) {
        try (TransformerLM model = TransformerLM.random(config, 1)) {
            float[] base = logits(model);
            try (LoraAdapters lora = LoraAdapters.create(model, new LoraConfig(4, 16, 0.1, allProjections(config), 0, -1), 2)) {
                int arrays = model.manager().getManagedArrays().size();
                assertArrayEquals(base, logits(model), "B = 0: the adapters add exact zeros");
                assertEquals(arrays, model.manager().getManagedArrays().size(), "the forward pass leaves nothing behind");
                assertEquals(2 * config.numLayers() * allProjections(config).size()
                        + (config.family() == Gpt2Family.GPT2 ? 2 * config.numLayers() : 0), lora.parameters().size(),
                        "an A and a B per module (GPT-2's c_proj names two modules per block)");
                // PEFT's kaiming-uniform(a = √5) on A [r, in] is U(-1/√in, 1/√in); seeded.
                String firstA = lora.parameters().keySet().iterator().next();
                float[] a = lora.parameters().get(firstA).toFloatArray();
                double bound = 1 / Math.sqrt(config.hiddenSize());
                double max = 0;
                for (float v : a) {
                    max = Math.max(max, Math.abs(v));
                }
                assertTrue(max <= bound && max > 0.8 * bound, "A spans U(-1/√in, 1/√in): max |A| " + max);
                try (TransformerLM again = TransformerLM.random(config, 1);
                        LoraAdapters same = LoraAdapters.create(again, lora.config(), 2)) {
                    assertArrayEquals(a, same.parameters().get(firstA).toFloatArray(), "the seed fixes A");
                }
            }
            assertArrayEquals(base, logits(model), "closed adapters are detached");
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void mergedWeightsGiveTheAdaptedLogitsAndDisabledAdaptersTheBaseOnes(ModelConfig config) {
        try (TransformerLM model = TransformerLM.random(config, 1);
                LoraAdapters lora = LoraAdapters.create(model, new LoraConfig(4, 16, 0, allProjections(config), 0, -1), 2)) {
            float[] base = logits(model);
            randomizeB(lora, 3);
            float[] adapted = logits(model);
            assertTrue(Fixtures.maxAbsDiff(base, adapted) > 1e-2, "the adapters change the logits: "
                    + Fixtures.maxAbsDiff(base, adapted));
            lora.setEnabled(false);
            assertArrayEquals(base, logits(model), "disabled adapters give the base model");
            lora.setEnabled(true);
            assertArrayEquals(adapted, logits(model));

            lora.mergeIntoModel();
            double diff = Fixtures.maxAbsDiff(adapted, logits(model));
            assertTrue(diff < 1e-5, "merged weights (Conv1D transposed) give the adapted logits: " + diff);
            assertThrows(IllegalStateException.class, lora::mergeIntoModel, "merging twice would add B·A twice");
        }
    }

    /**
     * One projection's output against x·(W + s·B·A)ᵀ (Linear) or x·(W + s·(B·A)ᵀ) + b (Conv1D) computed in
     * Java: up_proj (captured as mlp.hook_pre_linear) and c_fc (mlp.hook_pre), whose input is the
     * post-attention norm of the captured resid_mid.
     */
    @ParameterizedTest
    @MethodSource("families")
    void aProjectionsDeltaMatchesAHandComputation(ModelConfig config) {
        boolean gpt2 = config.family() == Gpt2Family.GPT2;
        String module = gpt2 ? "transformer.h.1.mlp.c_fc" : "model.layers.1.mlp.up_proj";
        String norm = gpt2 ? "transformer.h.1.ln_2" : "model.layers.1.post_attention_layernorm";
        String out = gpt2 ? "blocks.1.mlp.hook_pre" : "blocks.1.mlp.hook_pre_linear";
        try (TransformerLM model = TransformerLM.random(config, 5);
                LoraAdapters lora = LoraAdapters.create(model, new LoraConfig(3, 7, 0, List.of(gpt2 ? "c_fc" : "up_proj"), 1, 1),
                        6);
                NDManager step = model.manager().newSubManager()) {
            randomizeB(lora, 7);
            Hooks hooks = Hooks.capture("blocks.1.hook_resid_mid").alsoCapture(out);
            model.forward(step, BATCH, hooks);
            float[] h = hooks.get("blocks.1.hook_resid_mid").toFloatArray();
            float[] got = hooks.get(out).toFloatArray();
            int d = config.hiddenSize();
            int inner = config.intermediateSize();
            int r = 3;
            double s = 7.0 / 3;
            float[] w = model.weight(module + ".weight");
            float[] a = lora.parameters().get("base_model.model." + module + ".lora_A.weight").toFloatArray();
            float[] b = lora.parameters().get("base_model.model." + module + ".lora_B.weight").toFloatArray();
            float[] g = model.weight(norm + ".weight");
            float[] bias = gpt2 ? model.weight(module + ".bias") : new float[inner];
            float[] normBias = gpt2 ? model.weight(norm + ".bias") : new float[d];
            double maxDiff = 0;
            for (int t = 0; t < h.length / d; t++) {
                double mean = 0;
                double sq = 0;
                for (int i = 0; i < d; i++) {
                    mean += h[t * d + i] / (double) d;
                    sq += h[t * d + i] * (double) h[t * d + i] / d;
                }
                double[] x = new double[d];
                for (int i = 0; i < d; i++) {
                    x[i] = gpt2 ? (h[t * d + i] - mean) / Math.sqrt(sq - mean * mean + config.normEps()) * g[i] + normBias[i]
                            : h[t * d + i] / Math.sqrt(sq + config.normEps()) * g[i];
                }
                for (int o = 0; o < inner; o++) {
                    double y = bias[o];
                    for (int i = 0; i < d; i++) {
                        double ba = 0;
                        for (int k = 0; k < r; k++) {
                            ba += b[o * r + k] * (double) a[k * d + i];
                        }
                        y += x[i] * ((gpt2 ? w[i * inner + o] : w[o * d + i]) + s * ba);
                    }
                    maxDiff = Math.max(maxDiff, Math.abs(y - got[t * inner + o]));
                }
            }
            assertTrue(maxDiff < 1e-4, "projection output vs. hand computation: " + maxDiff);
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void gradientsReachOnlyTheAdaptersAndAdamWTrainsThem(ModelConfig config) {
        try (TransformerLM model = TransformerLM.random(config, 1);
                LoraAdapters lora = LoraAdapters.create(model, new LoraConfig(4, 16, 0.1, LoraConfig.defaultTargets(config), 0, -1),
                        2)) {
            model.setTrainable(k -> false);
            randomizeB(lora, 3);
            lora.setTraining(true);
            String frozen = (config.family() == Gpt2Family.GPT2 ? "transformer.h.0.attn.c_attn" : "model.layers.0.self_attn.q_proj")
                    + ".weight";
            float[] before = model.weight(frozen);
            try (AdamW opt = new AdamW(lora.parameters(), AdamWConfig.defaults(1e-2), model.manager())) {
                try (NDManager step = model.manager().newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    Engine.getInstance().setRandomSeed(9);
                    NDArray logits = model.forward(step, BATCH, Hooks.none());
                    gc.backward(LogProbs.sequence(LogProbs.nextToken(logits, BATCH), LogProbs.defaultTargetMask(BATCH))
                            .neg().mean());
                }
                for (Map.Entry<String, NDArray> e : lora.parameters().entrySet()) {
                    NDArray g = Gradients.of(e.getValue());
                    assertNotNull(g, e.getKey());
                    try (g) {
                        assertTrue(g.abs().sum().getFloat() > 0, "gradient of " + e.getKey());
                    }
                }
                model.parameters().forEach((k, p) -> assertFalse(p.hasGradient(), k + " is frozen"));
                float[] a = lora.parameters().values().iterator().next().toFloatArray();
                opt.step();
                assertTrue(Fixtures.maxAbsDiff(a, lora.parameters().values().iterator().next().toFloatArray()) > 0);
                assertArrayEquals(before, model.weight(frozen), "the base weights do not move");
            }
        }
    }

    @Test
    void dropoutActsOnlyWhileTrainingAndFollowsTorchsSeed() {
        try (TransformerLM model = TransformerLM.random(TinyModels.llama(), 1);
                LoraAdapters lora = LoraAdapters.create(model, new LoraConfig(4, 16, 0.5, List.of("q_proj", "up_proj"), 0, -1), 2)) {
            randomizeB(lora, 3);
            float[] eval = logits(model);
            lora.setTraining(true);
            Engine.getInstance().setRandomSeed(4);
            float[] first = logits(model);
            Engine.getInstance().setRandomSeed(4);
            assertArrayEquals(first, logits(model), "the same torch seed gives the same dropout masks");
            assertTrue(Fixtures.maxAbsDiff(eval, first) > 1e-4, "dropout changes the adapted logits while training");
            lora.setTraining(false);
            assertArrayEquals(eval, logits(model));
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void saveAndLoadRoundTripInPeftsLayout(ModelConfig config) throws Exception {
        boolean gpt2 = config.family() == Gpt2Family.GPT2;
        // GPT-2 over all layers (layers_to_transform null), Llama on the last one only.
        LoraConfig cfg = gpt2 ? new LoraConfig(8, 16, 0.05, List.of("c_attn", "attn.c_proj"), 0, -1)
                : new LoraConfig(8, 12.5, 0, List.of("q_proj", "v_proj", "up_proj"), 1, 1);
        String firstKey = gpt2 ? "base_model.model.transformer.h.0.attn.c_attn"
                : "base_model.model.model.layers.1.self_attn.q_proj";
        Path dir = tmp.resolve("adapter");
        float[] adapted;
        Map<String, float[]> values = new java.util.LinkedHashMap<>();
        try (TransformerLM model = TransformerLM.random(config, 1); LoraAdapters lora = LoraAdapters.create(model, cfg, 2)) {
            randomizeB(lora, 3);
            adapted = logits(model);
            lora.parameters().forEach((k, p) -> values.put(k, p.toFloatArray()));
            assertArrayEquals(new long[] {8, 32}, lora.parameters().get(firstKey + ".lora_A.weight").getShape().getShape());
            assertArrayEquals(new long[] {gpt2 ? 96 : 32, 8},
                    lora.parameters().get(firstKey + ".lora_B.weight").getShape().getShape());
            lora.save(dir, "tiny-base", false);
            assertThrows(UserInputException.class, () -> lora.save(dir, "tiny-base", false), "no silent overwrite");
            lora.save(dir, "tiny-base", true);
        }
        JsonNode json = Json.read(dir.resolve("adapter_config.json"));
        assertEquals("LORA", json.get("peft_type").asText());
        assertEquals("CAUSAL_LM", json.get("task_type").asText());
        assertEquals("tiny-base", json.get("base_model_name_or_path").asText());
        assertEquals(8, json.get("r").asInt());
        assertEquals(cfg.alpha(), json.get("lora_alpha").asDouble());
        assertEquals(gpt2, json.get("lora_alpha").isIntegralNumber(), "an integral alpha is written as an int");
        assertEquals(cfg.dropout(), json.get("lora_dropout").asDouble());
        assertEquals(cfg.targets(), Json.MAPPER.convertValue(json.get("target_modules"), List.class));
        assertEquals(gpt2 ? "null" : "[1]", json.get("layers_to_transform").toString());
        assertEquals("none", json.get("bias").asText());
        assertEquals(gpt2, json.get("fan_in_fan_out").asBoolean());
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("adapter_model.safetensors"))) {
            assertEquals(values.keySet(), r.tensors().keySet());
            r.tensors().values().forEach(t -> assertEquals("F32", t.dtype().name()));
        }
        try (TransformerLM model = TransformerLM.random(config, 1); LoraAdapters lora = LoraAdapters.load(model, dir)) {
            assertEquals(cfg, lora.config());
            assertEquals(values.keySet(), lora.parameters().keySet());
            values.forEach((k, v) -> assertArrayEquals(v, lora.parameters().get(k).toFloatArray(), k));
            assertTrue(lora.parameters().values().stream().allMatch(NDArray::hasGradient), "loaded adapters train");
            assertArrayEquals(adapted, logits(model));
        }
    }

    @Test
    void targetsMatchModulePathSuffixesAsPeftDoes() {
        try (TransformerLM model = TransformerLM.random(TinyModels.gpt2(), 1)) {
            try (LoraAdapters lora = LoraAdapters.create(model, new LoraConfig(2, 4, 0, List.of("c_proj"), 0, -1), 1)) {
                assertTrue(lora.parameters().containsKey("base_model.model.transformer.h.1.mlp.c_proj.lora_A.weight"));
                assertEquals(8, lora.parameters().size(), "c_proj names attn.c_proj and mlp.c_proj in both blocks");
            }
            try (LoraAdapters lora = LoraAdapters.create(model, new LoraConfig(2, 4, 0, List.of("attn.c_proj"), 0, -1), 1)) {
                assertEquals(4, lora.parameters().size(), "attn.c_proj names one module per block");
                assertThrows(IllegalStateException.class,
                        () -> LoraAdapters.create(model, new LoraConfig(2, 4, 0, List.of("c_fc"), 0, -1), 1),
                        "one set of adapters at a time");
            }
        }
    }

    @Test
    void badTargetsAndLayerRangesAreUserErrorsNamingThem() {
        try (TransformerLM model = TransformerLM.random(TinyModels.llama(), 1)) {
            UserInputException e = assertThrows(UserInputException.class,
                    () -> LoraAdapters.create(model, new LoraConfig(8, 16, 0, List.of("q_proj", "q_prj"), 0, -1), 1));
            assertTrue(e.getMessage().contains("'q_prj'") && e.getMessage().contains("self_attn.q_proj"), e.getMessage());
            e = assertThrows(UserInputException.class,
                    () -> LoraAdapters.create(model, new LoraConfig(8, 16, 0, List.of("lm_head"), 0, -1), 1));
            assertTrue(e.getMessage().contains("'lm_head'"), "the head is not a target: " + e.getMessage());
            e = assertThrows(UserInputException.class,
                    () -> LoraAdapters.create(model, new LoraConfig(8, 16, 0, List.of("q_proj"), 1, 5), 1));
            assertTrue(e.getMessage().contains("1..5") && e.getMessage().contains("2 layers"), e.getMessage());
            assertThrows(UserInputException.class,
                    () -> LoraAdapters.create(model, new LoraConfig(8, 16, 0, List.of("q_proj"), 2, -1), 1));
            LoraAdapters.create(model, new LoraConfig(8, 16, 0, List.of("q_proj"), 0, -1), 1).close(); // nothing was left attached
        }
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(0, 16, 0, List.of("q_proj"), 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 0, 0, List.of("q_proj"), 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 16, 1, List.of("q_proj"), 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 16, 0, List.of(), 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 16, 0, List.of("q_proj"), -1, -1));
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 16, 0, List.of("q_proj"), 2, 1));
    }

    @Test
    void brokenAdapterFilesAreUserErrorsNamingTheTensorOrField() throws Exception {
        Path dir = tmp.resolve("adapter");
        String q = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight";
        try (TransformerLM model = TransformerLM.random(TinyModels.llama(), 1);
                LoraAdapters lora = LoraAdapters.create(model, new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj"), 0, -1), 1)) {
            lora.save(dir, null, false);
        }
        Path weights = dir.resolve("adapter_model.safetensors");
        Map<String, float[]> tensors = new java.util.LinkedHashMap<>();
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(weights)) {
            r.tensors().forEach((k, t) -> {
                tensors.put(k, r.readFloats(k));
                shapes.put(k, t.shape());
            });
        }
        try (TransformerLM model = TransformerLM.random(TinyModels.llama(), 1)) {
            rewrite(weights, tensors, shapes, q, null);
            UserInputException e = assertThrows(UserInputException.class, () -> LoraAdapters.load(model, dir));
            assertTrue(e.getMessage().contains("missing tensor '" + q + "'"), e.getMessage());

            rewrite(weights, tensors, shapes, q, new long[] {4, 16});
            e = assertThrows(UserInputException.class, () -> LoraAdapters.load(model, dir));
            assertTrue(e.getMessage().contains("'" + q + "' has shape [4, 16]"), e.getMessage());

            SafetensorsWriter extra = new SafetensorsWriter();
            tensors.forEach((k, v) -> extra.addF32(k, shapes.get(k), v));
            extra.addF32("base_model.model.lm_head.lora_A.weight", new long[] {4, 32}, new float[4 * 32]).write(weights);
            e = assertThrows(UserInputException.class, () -> LoraAdapters.load(model, dir));
            assertTrue(e.getMessage().contains("'base_model.model.lm_head.lora_A.weight' is not the adapter"), e.getMessage());

            rewrite(weights, tensors, shapes, "", null);
            Path config = dir.resolve("adapter_config.json");
            String good = Files.readString(config);
            Files.writeString(config, good.replace("\"use_dora\" : false", "\"use_dora\" : true"));
            e = assertThrows(UserInputException.class, () -> LoraAdapters.load(model, dir));
            assertTrue(e.getMessage().contains("use_dora"), e.getMessage());
            Files.writeString(config, good.replace("\"v_proj\"", "\"k_proj\""));
            e = assertThrows(UserInputException.class, () -> LoraAdapters.load(model, dir));
            assertTrue(e.getMessage().contains("missing tensor") && e.getMessage().contains("k_proj"), e.getMessage());

            Files.writeString(config, good);
            LoraAdapters.load(model, dir).close(); // the failures above left nothing attached
        }
    }

    /** Writes the tensors again, without {@code changed} (shape null) or with it reshaped (zeros). */
    private static void rewrite(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes, String changed,
            long[] shape) {
        SafetensorsWriter w = new SafetensorsWriter();
        tensors.forEach((k, v) -> {
            if (!k.equals(changed)) {
                w.addF32(k, shapes.get(k), v);
            } else if (shape != null) {
                w.addF32(k, shape, new float[(int) (shape[0] * shape[1])]);
            }
        });
        w.write(file);
    }
}
