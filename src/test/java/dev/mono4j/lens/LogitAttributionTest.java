package dev.mono4j.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.DecoderFamily;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogitAttributionTest {
    private static final long[] IDS = {5, 17, 3, 42, 8, 60};

    @Test
    void contributionsAndTheNormBiasSumToTheLogitDifference() {
        for (ModelConfig c : List.of(TinyModels.gpt2(), TinyModels.llama(), TinyModels.qwen2(), TinyModels.neox(),
                TinyModels.gemma2())) {
            try (TransformerLM model = LensModels.withFinalNorm(c, 5); NDManager step = model.manager().newSubManager()) {
                LogitDiff target = new LogitDiff(11, 30);
                float[] logits = model.forward(step, TokenBatch.of(IDS), Hooks.none()).toFloatArray();
                int last = (IDS.length - 1) * c.vocabSize();
                // Before a final soft cap (Gemma-2): each logit unbent, raw = cap · atanh(logit / cap).
                double cap = ((DecoderFamily) c.family()).finalLogitSoftcap(c);
                java.util.function.DoubleUnaryOperator raw = y -> cap == 0 ? y
                        : cap * 0.5 * Math.log((1 + y / cap) / (1 - y / cap));
                double expected = raw.applyAsDouble(logits[last + 11]) - raw.applyAsDouble(logits[last + 30]);
                LogitAttribution.Result r = LogitAttribution.run(model, IDS, target);
                assertEquals(expected, r.logitDiff(), 1e-4);
                assertEquals(expected, r.total(), 1e-4, c.family() + ": Σ contributions + bias = logit difference");
                assertTrue(Math.abs(expected) > 1e-2, "a difference large enough to mean something: " + expected);
                assertEquals(1 + 2 * c.numLayers(), r.components().size());
                assertEquals("embed", r.components().get(0).name());
                assertEquals("1_mlp_out", r.components().get(4).name());
                if (((DecoderFamily) c.family()).finalNormSpec(c).centres()) {
                    assertTrue(Math.abs(r.normBias()) > 1e-3, "a LayerNorm's bias enters: " + r.normBias());
                } else {
                    assertEquals(0, r.normBias(), "RMSNorm has no bias");
                }
            }
        }
    }

    /** Per-head contributions (from hook_result) sum to the layer's attn_out contribution (o_proj's bias at 0). */
    @Test
    void headsSumToTheirLayersAttentionOutput() {
        for (ModelConfig c : List.of(TinyModels.llama(), TinyModels.gpt2())) {
            try (TransformerLM model = LensModels.withFinalNorm(c, 5)) {
                LogitAttribution.Result r = LogitAttribution.run(model, IDS, new LogitDiff(11, 30));
                assertEquals(c.numLayers() * c.numHeads(), r.heads().size(), "one contribution per head");
                assertEquals("L1H2", r.heads().get(c.numHeads() + 2).name());
                for (int l = 0; l < c.numLayers(); l++) {
                    double heads = 0;
                    for (int h = 0; h < c.numHeads(); h++) {
                        heads += r.heads().get(l * c.numHeads() + h).contribution();
                    }
                    // Random initialisation leaves the output biases at 0, so the heads account for all of it.
                    assertEquals(r.components().get(1 + 2 * l).contribution(), heads, 1e-4, c.family() + " layer " + l);
                }
            }
        }
    }

    /** The frozen norm summed over the whole residual is the model's own final norm (keys and kinds are right). */
    @Test
    void theFrozenNormOfTheFullResidualIsTheModelsFinalNorm() {
        for (ModelConfig c : List.of(TinyModels.gpt2(), TinyModels.llama(), TinyModels.neox(), TinyModels.gemma2())) {
            try (TransformerLM model = LensModels.withFinalNorm(c, 6); NDManager step = model.manager().newSubManager()) {
                Hooks hooks = Hooks.capture(HookPoint.residPost(c.numLayers() - 1) + "," + HookPoint.LN_FINAL);
                model.forward(step, TokenBatch.of(IDS), hooks);
                double[] x = LogitAttribution.lastPosition(hooks.get(HookPoint.residPost(c.numLayers() - 1)));
                double[] y = LogitAttribution.lastPosition(hooks.get(HookPoint.LN_FINAL));
                FinalNorm norm = FinalNorm.of(model);
                double[] frozen = norm.frozen(x, norm.scale(x));
                for (int i = 0; i < x.length; i++) {
                    assertEquals(y[i], frozen[i] + norm.bias()[i], 1e-4, c.family() + " dim " + i);
                }
            }
        }
    }

    @Test
    void tokensOutsideTheVocabularyAreRefused() {
        try (TransformerLM model = TransformerLM.random(TinyModels.gpt2(), 1)) {
            assertThrows(UserInputException.class, () -> LogitAttribution.run(model, IDS, new LogitDiff(96, 1)));
        }
    }
}
