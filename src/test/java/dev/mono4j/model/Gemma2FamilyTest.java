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
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gemma-2 beyond ParityTest's logits: its config fields, hooks in TransformerLens' names and order, the soft caps
 * and the attention scale checked by plain-Java arithmetic or invariances against gemma2-tiny's reference logits,
 * and its Hugging Face layout saved and loaded back.
 */
class Gemma2FamilyTest {
    private static final Path FIXTURE = Fixtures.dir("gemma2-tiny");

    /** The fixture with some config.json text replaced, weights shared (copied). */
    private static Path variant(Path tmp, String from, String to) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("variant"));
        for (String f : List.of("model.safetensors", "expected.safetensors")) {
            Files.copy(FIXTURE.resolve(f), dir.resolve(f));
        }
        String json = Files.readString(FIXTURE.resolve("config.json"));
        assertTrue(json.contains(from), from);
        Files.writeString(dir.resolve("config.json"), json.replace(from, to));
        return dir;
    }

    private static TokenBatch fixtureBatch(SafetensorsReader expected) {
        long[] shape = expected.info("input_ids").shape();
        return TokenBatch.of((int) shape[0], (int) shape[1], expected.readLongs("input_ids"));
    }

    /** A forward pass's logits and its captured hooks (values and shapes, in forward order). */
    private record Run(float[] logits, Map<String, float[]> hooks, Map<String, long[]> shapes) {
    }

    /** Runs the model in {@code dir} on the fixture's input ids, capturing the hooks {@code globs} names. */
    private static Run run(Path dir, String globs) {
        try (TransformerLM model = Checkpoint.loadCausal(dir, "this test");
                SafetensorsReader expected = SafetensorsReader.open(FIXTURE.resolve("expected.safetensors"));
                NDManager step = model.manager().newSubManager()) {
            Hooks hooks = Hooks.capture(globs);
            float[] logits = model.forward(step, fixtureBatch(expected), hooks).toFloatArray();
            Map<String, float[]> values = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            hooks.captured().forEach((name, x) -> {
                values.put(name, x.toFloatArray());
                shapes.put(name, x.getShape().getShape());
            });
            return new Run(logits, values, shapes);
        }
    }

    private static float[] expectedLogits() {
        try (SafetensorsReader expected = SafetensorsReader.open(FIXTURE.resolve("expected.safetensors"))) {
            return expected.readFloats("logits");
        }
    }

    @Test
    void readsTheFixturesConfig() {
        ModelConfig c = ModelConfig.read(FIXTURE.resolve("config.json"));
        assertEquals(Gemma2Family.GEMMA2, c.family());
        assertEquals(32, c.headDim(), "explicit head_dim, not hidden / heads = 16");
        assertEquals(List.of(6, 0), c.layerWindows(), "even layers slide");
        assertEquals(new Gemma2Family.Settings(32, 3.0, 6.0), c.familySettings());
        assertTrue(c.tieEmbeddings());
        assertEquals(1.0 / Math.sqrt(32), c.family().attentionScale(c), 1e-15);
    }

    /** Every hook point fires once, in hookNames' order, in TransformerLens' shapes. */
    @Test
    void hooksComeInTheListedOrderAndShapes() {
        Run r = run(FIXTURE, "*");
        ModelConfig c = ModelConfig.read(FIXTURE.resolve("config.json"));
        assertEquals(c.hookNames(), new ArrayList<>(r.hooks().keySet()));
        assertArrayEquals(new long[] {2, 16, 4, 32}, r.shapes().get("blocks.1.attn.hook_z"));
        assertArrayEquals(new long[] {2, 16, 2, 32}, r.shapes().get("blocks.1.attn.hook_rot_k"));
        assertArrayEquals(new long[] {2, 4, 16, 16}, r.shapes().get("blocks.0.attn.hook_pattern"));
        assertArrayEquals(new long[] {2, 16, 128}, r.shapes().get("blocks.0.mlp.hook_pre_linear"));
        float[] got = r.logits();
        assertTrue(Fixtures.maxAbsDiff(expectedLogits(), got) < 1e-4);
    }

    /**
     * The final soft cap: logits = 6 tanh(raw / 6), raw being the logits of the same model without the cap,
     * recomputed here in double; so every logit lies within ±6, and the cap changes them visibly.
     */
    @Test
    void finalLogitsAreSoftCapped(@TempDir Path tmp) throws Exception {
        float[] capped = run(FIXTURE, "").logits();
        float[] raw = run(variant(tmp, "\"final_logit_softcapping\": 6.0", "\"final_logit_softcapping\": null"), "")
                .logits();
        double worst = 0;
        double change = 0;
        for (int i = 0; i < raw.length; i++) {
            assertTrue(Math.abs(capped[i]) < 6.0, "logit " + capped[i] + " beyond the cap");
            worst = Math.max(worst, Math.abs(capped[i] - 6.0 * Math.tanh(raw[i] / 6.0)));
            change = Math.max(change, Math.abs(capped[i] - raw[i]));
        }
        assertTrue(worst < 1e-5, "capped vs 6 tanh(raw / 6): " + worst);
        assertTrue(change > 0.1, "the cap should bite on this fixture: " + change);
    }

    /**
     * hook_attn_scores holds capped, then masked scores: layer 0's scores (computed before any cap of this pass
     * can matter) are 3 tanh(raw / 3) where a key is visible, and masked where it is not, its window of 6 included
     * (query i sees key j iff j ≤ i and i − j < 6); layer 1 has full causal attention.
     */
    @Test
    void attentionScoresAreCappedThenMaskedWithinTheWindow(@TempDir Path tmp) throws Exception {
        Run capped = run(FIXTURE, "blocks.*.attn.hook_attn_scores");
        float[] rawScores = run(variant(tmp, "\"attn_logit_softcapping\": 3.0", "\"attn_logit_softcapping\": null"),
                "blocks.0.attn.hook_attn_scores").hooks().get("blocks.0.attn.hook_attn_scores");
        int t = 16;
        int batchHeads = 2 * 4;
        double worst = 0;
        for (int layer = 0; layer < 2; layer++) {
            float[] s = capped.hooks().get("blocks." + layer + ".attn.hook_attn_scores");
            for (int bh = 0; bh < batchHeads; bh++) {
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < t; j++) {
                        int at = (bh * t + i) * t + j;
                        boolean visible = j <= i && (layer == 1 || i - j < 6);
                        if (!visible) {
                            assertTrue(s[at] < -1e8, "layer " + layer + " query " + i + " key " + j + " is masked");
                            continue;
                        }
                        assertTrue(Math.abs(s[at]) < 3.0, "score " + s[at] + " beyond the cap");
                        if (layer == 0) {
                            worst = Math.max(worst, Math.abs(s[at] - 3.0 * Math.tanh(rawScores[at] / 3.0)));
                        }
                    }
                }
            }
        }
        assertTrue(worst < 1e-5, "capped vs 3 tanh(raw / 3): " + worst);
    }

    /**
     * The scale is query_pre_attn_scalar^-1/2, not head_dim^-1/2 (equal in the fixture, both 32): with the scalar
     * set to 128 and q_proj doubled, q · k / √128 is the fixture's q · k / √32, so the reference logits return.
     */
    @Test
    void queryPreAttnScalarSetsTheAttentionScale(@TempDir Path tmp) throws Exception {
        Path dir = variant(tmp, "\"query_pre_attn_scalar\": 32", "\"query_pre_attn_scalar\": 128");
        try (TransformerLM model = Checkpoint.loadCausal(dir, "this test");
                SafetensorsReader expected = SafetensorsReader.open(FIXTURE.resolve("expected.safetensors"));
                NDManager step = model.manager().newSubManager()) {
            for (int l = 0; l < 2; l++) {
                NDArray q = model.parameters().get("model.layers." + l + ".self_attn.q_proj.weight");
                float[] w = q.toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    w[i] *= 2;
                }
                q.set(w);
            }
            float[] got = model.forward(step, fixtureBatch(expected), Hooks.none()).toFloatArray();
            double diff = Fixtures.maxAbsDiff(expected.readFloats("logits"), got);
            assertTrue(diff < 1e-4, "max |diff| " + diff);
        }
    }

    /** Saved with Hugging Face's key names and config.json fields, loaded back to the same config and logits. */
    @Test
    void savesAndLoadsTheHuggingFaceLayout(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("gemma2");
        float[] before;
        try (TransformerLM model = Checkpoint.loadCausal(FIXTURE, "this test")) {
            Checkpoint.save(model, dir, null, false);
            before = run(FIXTURE, "").logits();
            String json = Files.readString(dir.resolve("config.json")).replace("\":", "\" :");
            for (String field : List.of("\"model_type\" : \"gemma2\"", "\"query_pre_attn_scalar\" : 32.0",
                    "\"attn_logit_softcapping\" : 3.0", "\"final_logit_softcapping\" : 6.0", "\"sliding_window\" : 6",
                    "\"head_dim\" : 32", "\"hidden_activation\" : \"gelu_pytorch_tanh\"",
                    "\"tie_word_embeddings\" : true")) {
                assertTrue(json.contains(field), field + " in " + json);
            }
            try (SafetensorsReader saved = SafetensorsReader.open(dir.resolve("model.safetensors"));
                    SafetensorsReader original = SafetensorsReader.open(FIXTURE.resolve("model.safetensors"))) {
                assertEquals(original.tensors().keySet(), saved.tensors().keySet());
            }
            try (TransformerLM loaded = Checkpoint.loadCausal(dir, "this test")) {
                assertEquals(model.config(), loaded.config());
            }
        }
        assertEquals(0, Fixtures.maxAbsDiff(before, run(dir, "").logits()));
    }

    @Test
    void configChecksNameTheFile(@TempDir Path tmp) throws Exception {
        String json = Files.readString(FIXTURE.resolve("config.json"));
        for (String[] bad : new String[][] {
            {"\"hidden_activation\": \"gelu_pytorch_tanh\"", "\"hidden_activation\": \"silu\"", "silu"},
            {"\"attention_bias\": false", "\"attention_bias\": true", "attention_bias"},
            {"\"query_pre_attn_scalar\": 32", "\"query_pre_attn_scalar\": 0", "query_pre_attn_scalar"},
            {"\"attn_logit_softcapping\": 3.0", "\"attn_logit_softcapping\": -1", "attn_logit_softcapping"},
            {"\"rope_theta\": 10000.0", "\"rope_theta\": 10000.0, \"rope_scaling\": {\"rope_type\": \"llama3\"}",
                "rope_scaling"}}) {
            assertTrue(json.contains(bad[0]), bad[0]);
            Path f = tmp.resolve("config.json");
            Files.writeString(f, json.replace(bad[0], bad[1]));
            UserInputException e = assertThrows(UserInputException.class, () -> ModelConfig.read(f));
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(bad[2]), e.getMessage());
        }
    }

    /** Norm weights are offsets from 1, so a fresh model starts them at 0 (a scale of 1). */
    @Test
    void randomModelsStartTheirNormsAtZero() {
        try (TransformerLM model = TransformerLM.random(TinyModels.gemma2(), 1)) {
            for (String key : List.of("model.norm.weight", "model.layers.1.post_feedforward_layernorm.weight")) {
                for (float w : model.weight(key)) {
                    assertEquals(0f, w, key);
                }
            }
        }
    }
}
