package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.TensorInfo;
import dev.mono4j.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Monet's logits against the authors' own router and expert classes (dmis-lab/Monet modeling_monet.py@b5cb786),
 * which computed the fixtures; the materialised expert grid against the factorised path.
 */
class MonetParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"monet-vd-tiny", "monet-hd-tiny"})
    void logitsMatchTheAuthorsClasses(String fixture) {
        Path dir = Fixtures.dir(fixture);
        try (TransformerLM model = Checkpoint.loadCausal(dir, "this test");
                SafetensorsReader expected = SafetensorsReader.open(dir.resolve("expected.safetensors"));
                NDManager step = model.manager().newSubManager()) {
            TokenBatch batch = batch(expected);
            NDArray logits = model.forward(step, batch, Hooks.none());
            float[] want = expected.readFloats("logits");
            assertEquals(want.length, logits.size());
            double diff = Fixtures.maxAbsDiff(want, logits.toFloatArray());
            assertTrue(diff < 1e-4, fixture + " logits: max |diff| " + diff);
        }
    }

    /** Capturing the grid switches every layer to the materialised path; the logits stay the same. */
    @ParameterizedTest
    @ValueSource(strings = {"monet-vd-tiny", "monet-hd-tiny"})
    void materialisedGridEqualsTheFactorisedPath(String fixture) {
        Path dir = Fixtures.dir(fixture);
        try (TransformerLM model = Checkpoint.loadCausal(dir, "this test");
                SafetensorsReader expected = SafetensorsReader.open(dir.resolve("expected.safetensors"));
                NDManager step = model.manager().newSubManager()) {
            TokenBatch batch = batch(expected);
            float[] factorised = model.forward(step, batch, Hooks.none()).toFloatArray();
            Hooks grid = Hooks.capture("blocks.*.moe.hook_expert_scores");
            float[] materialised = model.forward(step, batch, grid).toFloatArray();
            assertEquals(2, grid.captured().size());
            NDArray g = grid.get(HookPoint.moeExpertScores(1));
            assertEquals(new ai.djl.ndarray.types.Shape(2, 16, 16, 16), g.getShape());
            // Each token's scores sum to H (each head's two sides sum to 1).
            float[] sums = g.sum(new int[] {2, 3}).toFloatArray();
            for (float s : sums) {
                assertEquals(2f, s, 1e-5);
            }
            assertTrue(Fixtures.maxAbsDiff(factorised, materialised) < 1e-5);
        }
    }

    /** Layer 1 of the VD fixture (moe_groups 2) reuses layer 0's routing; about k experts per head and side pass. */
    @Test
    void routingGroupsReuseTheRouterAndTheThresholdKeepsAboutTopk() {
        Path dir = Fixtures.dir("monet-vd-tiny");
        try (TransformerLM model = Checkpoint.loadCausal(dir, "this test");
                SafetensorsReader expected = SafetensorsReader.open(dir.resolve("expected.safetensors"));
                NDManager step = model.manager().newSubManager()) {
            Hooks hooks = Hooks.capture("blocks.*.moe.hook_route*");
            model.forward(step, batch(expected), hooks);
            float[] g0 = hooks.get(HookPoint.moeRoute(0, 1)).toFloatArray();
            assertEquals(2 * 16 * 2 * 16, g0.length);
            assertTrue(Fixtures.maxAbsDiff(g0, hooks.get(HookPoint.moeRoute(1, 1)).toFloatArray()) == 0);
            int active = 0;
            for (float v : g0) {
                active += v > 0 ? 1 : 0;
            }
            double perHead = active / (2.0 * 16 * 2);
            assertTrue(perHead >= 1 && perHead < 16, "active per head " + perHead);
        }
    }

    @Test
    void quantileMatchesScipy() {
        try (NDManager m = NDManager.newBaseManager()) {
            // scipy.stats.norm.ppf(0.875) = 1.1503493803760079; norm.ppf(1 - 32/512) = 1.5341205443525465
            assertEquals(1.1503493803760079, MonetFamily.standardNormalQuantile(m, 0.875), 1e-12);
            assertEquals(1.5341205443525465, MonetFamily.standardNormalQuantile(m, 1 - 32.0 / 512), 1e-12);
        }
    }

    private static TokenBatch batch(SafetensorsReader expected) {
        TensorInfo info = expected.info("input_ids");
        return TokenBatch.of((int) info.shape()[0], (int) info.shape()[1], expected.readLongs("input_ids"));
    }
}
