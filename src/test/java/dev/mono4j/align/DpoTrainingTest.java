package dev.mono4j.align;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.mono4j.data.PreferencePairs;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.train.AdamW;
import dev.mono4j.train.AdamWConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pieces of a DPO step put together on a tiny model: reference log-probs computed once without
 * gradient, then policy steps; the policy learns to prefer the chosen completions (reward accuracy and
 * margin rise), and the DecPO regularizer reaches the weights through its hook.
 */
class DpoTrainingTest {
    @TempDir
    Path tmp;

    @Test
    void dpoStepsRaiseTheRewardMarginAndRegularizersTrainThroughHooks() {
        List<PreferencePairs.Pair> pairs = List.of(new PreferencePairs.Pair("t:1", "w1 w2", "w3 w4", "w5 w6"),
                new PreferencePairs.Pair("t:2", "w2 w7", "w3", "w8 w9"),
                new PreferencePairs.Pair("t:3", "w4", "w3 w1", "w6"));
        String hook = "blocks.1.mlp.hook_pre_linear";
        try (Tokenizer tok = Tokenizer.load(WordLevelTokenizers.write(tmp.resolve("t.json"), WordLevelTokenizers.words(12)));
                TransformerLM model = TransformerLM.random(TinyModels.llama(), 4)) {
            PreferenceBatch b = PreferenceBatch.encode(tok, pairs, 128, 256);
            float[] ref;
            try (NDManager step = model.manager().newSubManager()) {
                ref = PolicyLogProbs.sums(model, step, b, Hooks.none()).toFloatArray();
            }
            model.setTrainable(k -> true);
            double firstMargin = Double.NaN;
            double lastMargin = Double.NaN;
            double lastAccuracy = 0;
            try (AdamW opt = new AdamW(model.parameters(), AdamWConfig.defaults(1e-2), model.manager())) {
                for (int i = 0; i < 25; i++) {
                    try (NDManager step = model.manager().newSubManager()) {
                        float[] chosenRewards;
                        float[] rejectedRewards;
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            Hooks h = Hooks.capture(hook);
                            NDArray lp = PolicyLogProbs.sums(model, step, b, h);
                            NDArray r = step.create(ref);
                            PreferenceLoss.Result res = PreferenceLoss.compute(PreferenceLoss.Type.DPO, 0.1, 0, PolicyLogProbs.Mode.SUM,
                                    lp.get("0:3"), lp.get("3:6"), r.get("0:3"), r.get("3:6"), null, null);
                            NDArray acts = h.get(hook);
                            NDArray last = acts.get("{}, {}, :", step.create(new long[] {0, 1, 2, 3, 4, 5}),
                                    step.create(java.util.stream.IntStream.range(0, 6).mapToLong(b::lastToken).toArray()));
                            NDArray loss = res.losses().mean().add(DecorrelationLoss.compute(
                                    DecorrelationLoss.Mode.SAMPLES, last).mul(step.full(new ai.djl.ndarray.types.Shape(), 0.1f)));
                            gc.backward(loss);
                            chosenRewards = res.chosenRewards().toFloatArray();
                            rejectedRewards = res.rejectedRewards().toFloatArray();
                        }
                        assertTrue(model.parameters().get("model.layers.1.mlp.up_proj.weight").getGradient().abs().sum()
                                .getFloat() > 0, "the loss reaches the hooked layer");
                        opt.step();
                        opt.zeroGradients();
                        double margin = 0;
                        int right = 0;
                        for (int k = 0; k < 3; k++) {
                            margin += (chosenRewards[k] - rejectedRewards[k]) / 3;
                            right += chosenRewards[k] > rejectedRewards[k] ? 1 : 0;
                        }
                        if (i == 0) {
                            firstMargin = margin;
                            assertEquals(0, margin, 1e-6, "policy = reference at the first step");
                        }
                        lastMargin = margin;
                        lastAccuracy = right / 3.0;
                    }
                }
            }
            assertTrue(lastMargin > firstMargin + 0.1, "margin " + firstMargin + " → " + lastMargin);
            assertEquals(1.0, lastAccuracy, "every pair preferred the right way");
        }
    }
}
