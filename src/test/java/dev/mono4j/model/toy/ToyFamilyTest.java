package dev.mono4j.model.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.FamilyRegistry;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.Transformer;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.train.AdamW;
import dev.mono4j.train.AdamWConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model families are an open set: a family from the test tree alone ({@link ParallelBlockFamily}) is registered,
 * saved as a Hugging Face folder, loaded through {@link Checkpoint#load}, run with hooks, and trained a step.
 */
class ToyFamilyTest {
    private static final TokenBatch BATCH = TokenBatch.of(2, 6, new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});

    @Test
    void aFamilyFromTheTestTreeLoadsRunsWithHooksAndTrains(@TempDir Path tmp) {
        FamilyRegistry.register(ParallelBlockFamily.TOY);
        ModelConfig config = ModelConfig.builder(ParallelBlockFamily.TOY, 32, 16, 2, 4).intermediateSize(32)
                .activation("gelu").ropeTheta(10000.0).build();
        Path dir = tmp.resolve("toy");
        try (TransformerLM fresh = TransformerLM.random(config, 3)) {
            Checkpoint.save(fresh, dir, null, false);
        }
        assertEquals("toy-parallel", Json.read(dir.resolve("config.json")).get("model_type").asText());

        try (Transformer loaded = Checkpoint.load(dir)) {
            TransformerLM model = assertInstanceOf(TransformerLM.class, loaded);
            assertEquals(ParallelBlockFamily.TOY, model.config().family());
            List<String> hookNames = model.hookNames();
            try (NDManager step = model.manager().newSubManager()) {
                Hooks hooks = Hooks.capture("*");
                NDArray logits = model.forward(step, BATCH, hooks);
                assertArrayEquals(new long[] {2, 6, 32}, logits.getShape().getShape());
                assertEquals(hookNames, List.copyOf(hooks.captured().keySet()), "every hook point, in forward order");
            }

            model.setTrainable(k -> true);
            String key = "toy.layers.1.attn.q.weight";
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
        }
    }
}
