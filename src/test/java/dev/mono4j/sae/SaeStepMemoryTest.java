package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mono4j.train.Gradients;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A training step leaves nothing behind in the SAE's manager: an array created there per step is native memory that
 * grows for the whole run (a [d_sae, d_in] decoder-sized one per step took a WordNet SAE run to 23 GB and the OOM
 * killer). The step is {@code SaeTrainer}'s: forward and backward in a step manager, the decoder-gradient projection,
 * the architecture's hook, renormalisation, zeroed gradients.
 */
class SaeStepMemoryTest {
    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    @ParameterizedTest
    @ValueSource(strings = {"topk", "batchtopk", "relu", "jumprelu", "gba"})
    void aStepLeavesNoArraysInTheSaeManager(String a) {
        int n = 32;
        int dIn = 8;
        Random r = new Random(3);
        for (boolean sparse : a.contains("topk") ? List.of(true, false) : List.of(false)) {
            SaeConfig cfg = SaeTrainingTest.run(SaeTrainingTest.arch(a, 4, 8, sparse), 24, SaeConfig.DecoderBiasInit.MEAN, n, 10);
            try (NDManager m = NDManager.newBaseManager();
                    TrainableSae sae = TrainableSae.create(cfg, dIn, 1, SaeTrainingTest.random(r, dIn), m)) {
                sae.start(SaeTrainingTest.random(r, n * dIn));
                int[] after = new int[4];
                for (int step = 1; step <= after.length; step++) {
                    try (NDManager s = sae.manager.newSubManager()) {
                        NDArray x = s.create(SaeTrainingTest.random(r, n * dIn), new Shape(n, dIn));
                        float[] firing;
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            TrainableSae.Forward f = sae.forward(s, x, sae.usesDeadLatents() ? new boolean[24] : null);
                            gc.backward(f.loss());
                            firing = f.firing();
                        }
                        sae.projectDecoderGradient();
                        sae.normalizeDecoder();
                        sae.afterStep(step, firing, n);
                    }
                    Gradients.zero(sae.parameters().values());
                    after[step - 1] = sae.manager.getManagedArrays().size();
                }
                assertEquals(after[1], after[after.length - 1], a + (sparse ? " sparse" : " dense")
                        + ": arrays in the SAE's manager after each step " + java.util.Arrays.toString(after));
            }
        }
    }
}
