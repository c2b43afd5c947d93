package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Monet's training mode (the router's BatchNorm), its layout on disk and its config checks. */
class MonetFamilyTest {
    private static final String MEAN = "model.layers.0.router.norm1.running_mean";
    private static final String VAR = "model.layers.0.router.norm1.running_var";

    static ModelConfig tiny(MonetSettings.Decomposition d, int groups) {
        return MonetFamily.config(50, 32, 2, 4, 2, 32, false, new MonetSettings(4, 2, 8, 2, groups, d));
    }

    private static final long[] ROW = {3, 7, 9, 11, 4, 5, 6, 8};

    /**
     * Training mode normalises with the batch's statistics and moves the running ones by momentum 0.1 (the
     * unbiased variance): setting the running statistics to the batch's (biased variance) and running in
     * inference mode gives the same logits.
     */
    @Test
    void trainingModeUsesBatchStatisticsAndUpdatesTheRunningOnes() {
        for (MonetSettings.Decomposition d : MonetSettings.Decomposition.values()) {
            try (TransformerLM model = TransformerLM.random(tiny(d, 1), 3); NDManager step = model.manager().newSubManager()) {
                TokenBatch batch = TokenBatch.of(1, ROW.length, ROW);
                model.setTraining(true);
                float[] trained = model.forward(step, batch, Hooks.none()).toFloatArray();
                model.setTraining(false);
                float count = ROW.length * 8;
                for (String side : List.of("1", "2")) {
                    for (int l = 0; l < 2; l++) {
                        String p = "model.layers." + l + ".router.norm" + side;
                        NDArray mean = model.parameters().get(p + ".running_mean");
                        NDArray var = model.parameters().get(p + ".running_var");
                        float[] m = mean.toFloatArray();
                        float[] v = var.toFloatArray();
                        for (int h = 0; h < m.length; h++) {
                            m[h] = m[h] / 0.1f;
                            v[h] = (v[h] - 0.9f) / 0.1f * (count - 1) / count;
                            assertNotEquals(0f, m[h]);
                        }
                        mean.set(m);
                        var.set(v);
                    }
                }
                float[] inference = model.forward(step, batch, Hooks.none()).toFloatArray();
                assertTrue(Fixtures.maxAbsDiff(trained, inference) < 1e-4, d + ": " + Fixtures.maxAbsDiff(trained, inference));
            }
        }
    }

    /** Padding takes no part in the batch statistics: a row of padding beside a real one changes nothing. */
    @Test
    void paddingIsExcludedFromTheBatchStatistics() {
        float[][] stats = new float[2][];
        for (int withPadding = 0; withPadding < 2; withPadding++) {
            try (TransformerLM model = TransformerLM.random(tiny(MonetSettings.Decomposition.VERTICAL, 2), 5);
                    NDManager step = model.manager().newSubManager()) {
                model.setTraining(true);
                TokenBatch batch = withPadding == 0 ? TokenBatch.of(1, ROW.length, ROW)
                        : TokenBatch.pad(List.of(ROW, new long[0]), 0, TokenBatch.PadSide.RIGHT);
                model.forward(step, batch, Hooks.none());
                float[] m = model.weight(MEAN);
                float[] v = model.weight(VAR);
                stats[withPadding] = new float[] {m[0], m[1], v[0], v[1]};
            }
        }
        assertTrue(Fixtures.maxAbsDiff(stats[0], stats[1]) < 1e-6, java.util.Arrays.toString(stats[0]) + " vs "
                + java.util.Arrays.toString(stats[1]));
    }

    /** Saved in the authors' layout (config fields, buffers) and loaded back to the same logits. */
    @Test
    void savesAndLoadsTheAuthorsLayout(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("monet");
        try (TransformerLM model = TransformerLM.random(tiny(MonetSettings.Decomposition.HORIZONTAL, 2), 7);
                NDManager step = model.manager().newSubManager()) {
            model.setTraining(true);
            model.forward(step, TokenBatch.of(1, ROW.length, ROW), Hooks.none());
            model.setTraining(false);
            Checkpoint.save(model, dir, null, false);
            float[] before = model.forward(step, TokenBatch.of(1, ROW.length, ROW), Hooks.none()).toFloatArray();
            String json = Files.readString(dir.resolve("config.json"));
            for (String field : List.of("\"model_type\" : \"monet\"", "\"moe_decompose\" : \"horizontal\"",
                    "\"moe_groups\" : 2", "\"hidden_act\" : \"relu2\"")) {
                assertTrue(json.replace("\":", "\" :").contains(field), field + " in " + json);
            }
            try (TransformerLM loaded = Checkpoint.loadCausal(dir, "this test");
                    NDManager s2 = loaded.manager().newSubManager()) {
                assertEquals(model.config(), loaded.config());
                assertTrue(loaded.parameters().containsKey(MEAN));
                assertTrue(!loaded.parameters().containsKey("model.layers.1.router.w1.weight"), "layer 1 reuses layer 0's router");
                float[] after = loaded.forward(s2, TokenBatch.of(1, ROW.length, ROW), Hooks.none()).toFloatArray();
                assertEquals(0, Fixtures.maxAbsDiff(before, after));
            }
        }
    }

    @Test
    void buffersAreNeitherTrainedNorCounted() {
        try (TransformerLM model = TransformerLM.random(tiny(MonetSettings.Decomposition.VERTICAL, 1), 1)) {
            model.setTrainable(k -> true);
            assertTrue(!model.parameters().get(MEAN).hasGradient());
            assertTrue(model.parameters().get("model.layers.0.router.w1.weight").hasGradient());
            long buffers = 2 * 2 * 2 * 2; // 2 layers x 2 norms x (mean, var) x 2 heads
            long all = model.parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
            assertEquals(all - buffers, model.parameterCount());
            assertEquals(model.parameterCount(), ParameterLayout.count(model.config()));
            assertEquals(1f, model.weight(VAR)[0]);
            assertEquals(0f, model.weight("model.layers.0.moe.b1")[0]);
        }
    }

    @Test
    void configChecksNameTheFile(@TempDir Path tmp) throws Exception {
        Path dir = Fixtures.dir("monet-vd-tiny");
        String json = Files.readString(dir.resolve("config.json"));
        for (String[] bad : new String[][] {{"\"moe_topk\": 4", "\"moe_topk\": 16", "moe_topk 16"},
            {"\"moe_decompose\": \"vertical\"", "\"moe_decompose\": \"diagonal\"", "diagonal"},
            {"\"moe_dim\": 8", "\"moe_dim\": 7", "must be even"},
            {"\"hidden_act\": \"relu2\"", "\"hidden_act\": \"silu\"", "relu2"}}) {
            assertTrue(json.contains(bad[0]), bad[0]);
            Path f = tmp.resolve("config.json");
            Files.writeString(f, json.replace(bad[0], bad[1]));
            UserInputException e = org.junit.jupiter.api.Assertions.assertThrows(UserInputException.class,
                    () -> ModelConfig.read(f));
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(bad[2]), e.getMessage());
        }
    }

    /**
     * Monet-VD-1.4B's layout gives the paper's count: d 2048, 24 layers, 16 heads, m 16, H 8, √N 512, routing
     * groups of 4, LLaMA's 32,000-token vocabulary, untied head: 1.465B ([P] Table 8, "group size 4").
     */
    @Test
    void theLayoutCountsThePapersParameters() {
        ModelConfig vd = MonetFamily.config(32000, 2048, 24, 16, 16, 2048, false,
                new MonetSettings(16, 8, 512, 32, 4, MonetSettings.Decomposition.VERTICAL));
        assertEquals(1.465e9, ParameterLayout.count(vd), 0.0005e9);
    }
}
