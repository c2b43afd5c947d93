package dev.mono4j.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActivationPatchingTest {
    /** Clean and corrupted differ in one token, at position 2. */
    private static final long[] CLEAN = {5, 17, 3, 42, 8, 60};
    private static final long[] CORRUPT = {5, 17, 71, 42, 8, 60};
    private static final LogitDiff TARGET = new LogitDiff(11, 30);

    /**
     * At layer 0 the residual of the unchanged positions is the same in both runs: patching it changes nothing (0),
     * patching the changed token's restores the clean run (1).
     */
    @Test
    void layerZeroResidualGivesOneAtTheChangedTokenAndZeroElsewhere() {
        for (ModelConfig c : List.of(TinyModels.gpt2(), TinyModels.llama())) {
            try (TransformerLM model = LensModels.withFinalNorm(c, 8)) {
                ActivationPatching.Result r = ActivationPatching.run(model, CLEAN, CORRUPT, TARGET,
                        ActivationPatching.Config.builder().batchSize(5).build());
                assertEquals(List.of("L0", "L1"), r.rows());
                assertTrue(Math.abs(r.cleanDiff() - r.corruptDiff()) > 1e-3, "the texts differ in the metric");
                double[][] n = r.normalised();
                for (int p = 0; p < CLEAN.length; p++) {
                    assertEquals(p == 2 ? 1.0 : 0.0, n[0][p], 1e-4, c.family() + " position " + p);
                }
                assertEquals(r.corruptDiff(), r.logitDiff()[0][0], 1e-5);
            }
        }
    }

    /** Each cell of the batched grid equals one corrupted pass with that one activation replaced through Hooks. */
    @Test
    void batchedPatchesEqualSinglePassesPatchedByHand() {
        try (TransformerLM model = LensModels.withFinalNorm(TinyModels.llama(), 9)) {
            for (ActivationPatching.Hook hook : List.of(ActivationPatching.Hook.RESID_PRE, ActivationPatching.Hook.ATTN_OUT,
                    ActivationPatching.Hook.MLP_OUT)) {
                ActivationPatching.Result r = ActivationPatching.run(model, CLEAN, CORRUPT, TARGET,
                        ActivationPatching.Config.builder().hook(hook).batchSize(4).build());
                for (int[] cell : new int[][] {{1, 2}, {1, 5}, {0, 4}}) {
                    assertEquals(byHand(model, hook.name(cell[0]), cell[1]), r.logitDiff()[cell[0]][cell[1]], 1e-5,
                            hook + " layer " + cell[0] + " position " + cell[1]);
                }
            }
        }
    }

    /** Per head: each cell equals one corrupted pass with that head's hook_z slice at that position taken from clean. */
    @Test
    void perHeadPatchesEqualSinglePassesPatchedByHand() {
        try (TransformerLM model = LensModels.withFinalNorm(TinyModels.llama(), 9)) {
            ActivationPatching.Result r = ActivationPatching.run(model, CLEAN, CORRUPT, TARGET,
                    ActivationPatching.Config.builder().hook(ActivationPatching.Hook.Z).batchSize(7).build());
            int heads = model.config().numHeads();
            assertEquals(model.config().numLayers() * heads, r.rows().size());
            assertEquals("L1H3", r.rows().get(heads + 3));
            for (int[] cell : new int[][] {{1, 2, 4}, {0, 3, 2}, {1, 0, 5}}) {
                int layer = cell[0];
                int head = cell[1];
                int position = cell[2];
                String hook = ActivationPatching.Hook.Z.name(layer);
                double expected;
                try (NDManager step = model.manager().newSubManager()) {
                    Hooks clean = Hooks.capture(hook);
                    model.forward(step, TokenBatch.of(CLEAN), clean);
                    NDArray cleanZ = clean.get(hook);
                    Hooks patch = Hooks.none().intervene(hook, z -> {
                        NDArray y = z.duplicate();
                        NDIndex at = new NDIndex(":, {}, {}, :", position, head);
                        y.set(at, cleanZ.get(at));
                        return y;
                    });
                    expected = TARGET.lastPosition(model.forward(step, TokenBatch.of(CORRUPT), patch))[0];
                }
                assertEquals(expected, r.logitDiff()[layer * heads + head][position], 1e-5,
                        "layer " + layer + " head " + head + " position " + position);
            }
        }
    }

    private static double byHand(TransformerLM model, String hook, int position) {
        try (NDManager step = model.manager().newSubManager()) {
            Hooks clean = Hooks.capture(hook);
            model.forward(step, TokenBatch.of(CLEAN), clean);
            NDArray cleanAct = clean.get(hook);
            Hooks patch = Hooks.none().intervene(hook, x -> {
                NDArray y = x.duplicate();
                y.set(new NDIndex(":, {}, :", position), cleanAct.get(new NDIndex(":, {}, :", position)));
                return y;
            });
            return TARGET.lastPosition(model.forward(step, TokenBatch.of(CORRUPT), patch))[0];
        }
    }

    @Test
    void badInputIsRefused() {
        try (TransformerLM model = TransformerLM.random(TinyModels.gpt2(), 1)) {
            UserInputException e = assertThrows(UserInputException.class, () -> ActivationPatching.run(model, CLEAN,
                    new long[] {1, 2}, TARGET, ActivationPatching.Config.DEFAULT));
            assertTrue(e.getMessage().contains("same number of tokens"), e.getMessage());
            if (!model.hookNames().contains(ActivationPatching.Hook.Z.name(0))) {
                assertThrows(UserInputException.class, () -> ActivationPatching.run(model, CLEAN, CORRUPT, TARGET,
                        ActivationPatching.Config.builder().hook(ActivationPatching.Hook.Z).build()));
            }
        }
    }
}
