package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.model.NeoxFamily.NeoxSettings;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.train.AdamW;
import dev.mono4j.train.AdamWConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-NeoX beyond the parity fixtures (ParityTest): the HF layout survives a save and load, the residual variants
 * differ and compose as GPTNeoXLayer writes them, partial rotary leaves the unrotated dimensions alone and rotates
 * the others by HF's frequencies over the rotary dimensions, config errors name the file, and a step trains.
 */
class NeoxFamilyTest {
    private static final long[] IDS = {3, 17, 42, 8, 99, 5, 6, 7, 250, 1, 0, 64};
    private static final TokenBatch BATCH = TokenBatch.of(2, 6, IDS);

    private static ModelConfig tiny(boolean parallel, double rotaryPct, boolean bias, boolean tied) {
        return ModelConfig.builder(NeoxFamily.NEOX, 256, 32, 2, 2).intermediateSize(64).maxPositions(32)
                .activation("gelu").ropeTheta(10000.0).qkvBias(bias).outputBias(bias).tieEmbeddings(tied)
                .specialTokens(0, List.of(0L)).familySettings(new NeoxSettings(rotaryPct, parallel)).build();
    }

    /** Every field of the fixture's config.json comes back with its value; the weights keep HF's keys. */
    @Test
    void savesTheHfLayoutAndConfigFields(@TempDir Path tmp) throws Exception {
        Path fixture = Fixtures.dir("neox-tiny");
        Path dir = tmp.resolve("saved");
        try (TransformerLM model = Checkpoint.loadCausal(fixture, "this test");
                NDManager step = model.manager().newSubManager()) {
            Checkpoint.save(model, dir, null, false);
            float[] before = model.forward(step, BATCH, Hooks.none()).toFloatArray();
            try (TransformerLM loaded = Checkpoint.loadCausal(dir, "this test");
                    NDManager s2 = loaded.manager().newSubManager()) {
                assertEquals(model.config(), loaded.config());
                assertEquals(0, Fixtures.maxAbsDiff(before, loaded.forward(s2, BATCH, Hooks.none()).toFloatArray()));
            }
        }
        JsonNode original = Json.read(fixture.resolve("config.json"));
        JsonNode saved = Json.read(dir.resolve("config.json"));
        for (Iterator<Map.Entry<String, JsonNode>> it = original.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode got = saved.get(field.getKey());
            assertTrue(got != null, field.getKey() + " saved");
            boolean same = field.getValue().isNumber() ? field.getValue().asDouble() == got.asDouble()
                    : field.getValue().equals(got);
            assertTrue(same, field.getKey() + ": " + field.getValue() + " saved as " + got);
        }
        try (SafetensorsReader original2 = SafetensorsReader.open(fixture.resolve("model.safetensors"));
                SafetensorsReader saved2 = SafetensorsReader.open(dir.resolve("model.safetensors"))) {
            assertEquals(original2.tensors().keySet(), saved2.tensors().keySet());
            assertTrue(saved2.tensors().containsKey("embed_out.weight"));
            assertTrue(saved2.tensors().containsKey("gpt_neox.layers.1.attention.query_key_value.bias"));
        }
    }

    /** A sequential, tied, bias-free config saves its own fields and no embed_out or attention biases. */
    @Test
    void theSequentialTiedVariantRoundTrips(@TempDir Path tmp) throws Exception {
        ModelConfig c = tiny(false, 0.5, false, true);
        Path dir = tmp.resolve("seq");
        try (TransformerLM model = TransformerLM.random(c, 5)) {
            Checkpoint.save(model, dir, null, false);
        }
        JsonNode saved = Json.read(dir.resolve("config.json"));
        assertEquals("GPTNeoXForCausalLM", saved.get("architectures").get(0).asText());
        assertEquals("gpt_neox", saved.get("model_type").asText());
        assertFalse(saved.get("use_parallel_residual").asBoolean());
        assertEquals(0.5, saved.get("rotary_pct").asDouble());
        assertFalse(saved.get("attention_bias").asBoolean());
        assertTrue(saved.get("tie_word_embeddings").asBoolean());
        try (SafetensorsReader w = SafetensorsReader.open(dir.resolve("model.safetensors"))) {
            assertFalse(w.tensors().containsKey("embed_out.weight"));
            assertFalse(w.tensors().keySet().stream().anyMatch(k -> k.contains("query_key_value.bias")));
        }
        try (TransformerLM loaded = Checkpoint.loadCausal(dir, "this test")) {
            assertEquals(c, loaded.config());
            assertEquals(8, loaded.config().family().rotaryDim(loaded.config()), "int(16 * 0.5)");
            assertEquals("8 of 16 head dims (rotary_pct 0.5)", NeoxFamily.NEOX.details(c).get("rotary"));
        }
    }

    /**
     * The hooks compose as GPTNeoXLayer.forward: sequential, resid_mid = resid_pre + attn_out and resid_post =
     * resid_mid + mlp_out; parallel, resid_post = resid_pre + attn_out + mlp_out with no resid_mid. Every hook
     * is reached in hookNames' order, and the same weights give other logits in the other variant.
     */
    @Test
    void residualVariantsComposeAsHfAndDiffer(@TempDir Path tmp) throws Exception {
        Path sequential = Fixtures.dir("neox-tiny-sequential");
        Path parallel = tmp.resolve("parallel");
        Files.createDirectories(parallel);
        Files.copy(sequential.resolve("model.safetensors"), parallel.resolve("model.safetensors"));
        String json = Files.readString(sequential.resolve("config.json"));
        assertTrue(json.contains("\"use_parallel_residual\": false"));
        Files.writeString(parallel.resolve("config.json"), json.replace("\"use_parallel_residual\": false",
                "\"use_parallel_residual\": true"));
        float[][] logits = new float[2][];
        int i = 0;
        for (Path dir : List.of(sequential, parallel)) {
            try (TransformerLM model = Checkpoint.loadCausal(dir, "this test");
                    NDManager step = model.manager().newSubManager()) {
                boolean isParallel = dir == parallel;
                Hooks hooks = Hooks.capture("*");
                logits[i++] = model.forward(step, BATCH, hooks).toFloatArray();
                assertEquals(model.hookNames(), List.copyOf(hooks.captured().keySet()), "every hook, in forward order");
                for (int l = 0; l < 2; l++) {
                    float[] pre = hooks.get(HookPoint.residPre(l)).toFloatArray();
                    float[] attn = hooks.get(HookPoint.attnOut(l)).toFloatArray();
                    float[] mlp = hooks.get(HookPoint.mlpOut(l)).toFloatArray();
                    float[] post = hooks.get(HookPoint.residPost(l)).toFloatArray();
                    assertEquals(!isParallel, model.hookNames().contains(HookPoint.residMid(l)));
                    float[] mid = isParallel ? pre : hooks.get(HookPoint.residMid(l)).toFloatArray();
                    float[] composed = new float[post.length];
                    for (int j = 0; j < post.length; j++) {
                        if (!isParallel) {
                            assertEquals(pre[j] + attn[j], mid[j], 1e-5);
                        }
                        composed[j] = isParallel ? pre[j] + attn[j] + mlp[j] : mid[j] + mlp[j];
                    }
                    assertTrue(Fixtures.maxAbsDiff(composed, post) < 1e-5, "layer " + l);
                }
            }
        }
        assertTrue(Fixtures.maxAbsDiff(logits[0], logits[1]) > 0.1, "the variants differ");
    }

    /**
     * Partial rotary by hand (HF's apply_rotary_pos_emb on query_rot, query_pass passed through): with rotary
     * dimension r, rot_q[i] = q[i] cos(tθᵢ) − q[i + r/2] sin(tθᵢ) and rot_q[i + r/2] = q[i + r/2] cos(tθᵢ) + q[i]
     * sin(tθᵢ) for i < r/2, θᵢ = base^(−2i/r) (GPTNeoXRotaryEmbedding's dim is r, not the head size); dimensions
     * from r on are unchanged.
     */
    @Test
    void partialRotaryRotatesOnlyTheFirstDimensions() {
        ModelConfig c = tiny(true, 0.25, true, false);
        int hd = c.headDim();
        int r = c.family().rotaryDim(c);
        assertEquals(4, r, "int(16 * 0.25)");
        try (TransformerLM model = TransformerLM.random(c, 11); NDManager step = model.manager().newSubManager()) {
            Hooks hooks = Hooks.capture("blocks.0.attn.hook_q,blocks.0.attn.hook_rot_q");
            model.forward(step, BATCH, hooks);
            float[] q = hooks.get(HookPoint.attnQ(0)).toFloatArray();
            NDArray rotQ = hooks.get(HookPoint.attnRotQ(0));
            assertArrayEquals(new long[] {2, 6, c.numHeads(), hd}, rotQ.getShape().getShape());
            float[] got = rotQ.toFloatArray();
            double worst = 0;
            for (int row = 0; row < q.length / hd; row++) {
                int t = (row / c.numHeads()) % 6;
                int o = row * hd;
                for (int i = 0; i < r / 2; i++) {
                    double theta = Math.pow(10000.0, -2.0 * i / r);
                    double cos = Math.cos(t * theta);
                    double sin = Math.sin(t * theta);
                    worst = Math.max(worst, Math.abs(q[o + i] * cos - q[o + i + r / 2] * sin - got[o + i]));
                    worst = Math.max(worst, Math.abs(q[o + i + r / 2] * cos + q[o + i] * sin - got[o + i + r / 2]));
                }
                for (int i = r; i < hd; i++) {
                    assertEquals(q[o + i], got[o + i], "dimension " + i + " passes through");
                }
            }
            assertTrue(worst < 1e-5, "rotated dimensions: max |diff| " + worst);
        }
    }

    @Test
    void configErrorsNameTheFileAndField(@TempDir Path tmp) throws Exception {
        String json = Files.readString(Fixtures.dir("neox-tiny").resolve("config.json"));
        for (String[] bad : new String[][] {{"\"hidden_act\": \"gelu\"", "\"hidden_act\": \"relu\"", "hidden_act"},
            {"\"rotary_pct\": 0.25", "\"rotary_pct\": 0.1", "rotary_pct"},
            {"\"rotary_pct\": 0.25", "\"rotary_pct\": 0.25, \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2}",
                "rope_scaling"}}) {
            assertTrue(json.contains(bad[0]), bad[0]);
            Path f = tmp.resolve("config.json");
            Files.writeString(f, json.replace(bad[0], bad[1]));
            UserInputException e = assertThrows(UserInputException.class, () -> ModelConfig.read(f));
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(bad[2]), e.getMessage());
        }
    }

    /** One AdamW step on a random NeoX moves the fused projection; the default LoRA targets exist in every layer. */
    @Test
    void aRandomNeoxTrainsAStepAndTakesItsDefaultLoraTargets() {
        try (TransformerLM model = TransformerLM.random(tiny(true, 0.25, true, false), 3)) {
            model.setTrainable(k -> true);
            String key = "gpt_neox.layers.1.attention.query_key_value.weight";
            float[] before = model.weight(key);
            double loss;
            try (AdamW opt = new AdamW(model.parameters(), AdamWConfig.defaults(1e-2), model.manager())) {
                try (NDManager step = model.manager().newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = model.forward(step, BATCH, Hooks.none());
                    NDArray nll = LogProbs.sequence(LogProbs.nextToken(logits, BATCH), LogProbs.defaultTargetMask(BATCH))
                            .neg().mean();
                    gc.backward(nll);
                    loss = nll.getFloat();
                }
                opt.step();
            }
            assertTrue(Double.isFinite(loss), "loss " + loss);
            assertFalse(Arrays.equals(before, model.weight(key)), "AdamW moved " + key);
            model.setTrainable(k -> false);
            LoraConfig lora = new LoraConfig(LoraConfig.DEFAULT_RANK, LoraConfig.DEFAULT_ALPHA,
                    LoraConfig.DEFAULT_DROPOUT, LoraConfig.defaultTargets(model.config()), 0, -1);
            try (LoraAdapters adapters = LoraAdapters.create(model, lora, 1)) {
                assertEquals(2 * 2 * 2, adapters.parameters().size(), "A and B of 2 modules in 2 layers");
            }
        }
    }

    /**
     * Pythia's layouts give the non-embedding counts of its model card (EleutherAI/pythia-70m README, table of
     * sizes): 70M (d 512, 6 layers) 18,915,328 and 160M (d 768, 12 layers) 85,056,000, each with 4d MLPs, biases,
     * vocabulary 50,304 and an untied embed_out.
     */
    @Test
    void theLayoutCountsPythiasParameters() {
        int vocab = 50304;
        for (long[] size : new long[][] {{512, 6, 8, 18_915_328L}, {768, 12, 12, 85_056_000L}}) {
            int d = (int) size[0];
            ModelConfig c = ModelConfig.builder(NeoxFamily.NEOX, vocab, d, (int) size[1], (int) size[2])
                    .intermediateSize(4 * d).activation("gelu").qkvBias(true).outputBias(true)
                    .familySettings(new NeoxSettings(0.25, true)).build();
            assertEquals(size[3], ParameterLayout.count(c) - 2L * vocab * d, "d " + d);
        }
    }
}
