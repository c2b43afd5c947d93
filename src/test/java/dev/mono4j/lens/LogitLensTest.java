package dev.mono4j.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogitLensTest {
    private static final long[] IDS = {5, 17, 3, 42, 8, 60};

    @Test
    void lastLayerIsTheModelsOwnPredictionAndEmbedUsesItsOwnStatistics() {
        for (ModelConfig c : List.of(TinyModels.gpt2(), TinyModels.llama(), TinyModels.qwen2())) {
            try (TransformerLM model = LensModels.withFinalNorm(c, 3); NDManager step = model.manager().newSubManager()) {
                int vocab = c.vocabSize();
                Hooks hooks = Hooks.capture(HookPoint.residPre(0));
                float[] logits = model.forward(step, TokenBatch.of(IDS), hooks).toFloatArray();
                float[] embed = hooks.get(HookPoint.residPre(0)).toFloatArray();
                float[] head = model.unembedding().toFloatArray();
                LogitLens.Result r = LogitLens.run(model, IDS, LogitLens.Config.builder().topK(3).build());
                assertEquals(c.numLayers() + 1, r.layers().size());
                assertEquals("embed", r.layers().get(0).name());
                LogitLens.Layer last = r.layers().get(c.numLayers());
                assertEquals(String.valueOf(c.numLayers() - 1), last.name());
                for (int p = 0; p < IDS.length; p++) {
                    double[] expected = softmax(logits, p * vocab, vocab);
                    LogitLens.Position pos = last.positions().get(p);
                    assertEquals(argmax(expected), pos.target(), "default target: the model's prediction");
                    assertEquals(1, pos.targetRank());
                    for (LogitLens.Token t : pos.top()) {
                        assertEquals(expected[(int) t.id()], t.prob(), 1e-5, c.family() + " last layer = logits");
                    }
                    // Layer "embed" by hand: the final norm with the embedding's own mean/variance (or RMS), then W_U.
                    double[] probs = softmax(handUnembed(model, embed, p, head), 0, vocab);
                    LogitLens.Position first = r.layers().get(0).positions().get(p);
                    assertEquals(argmax(probs), first.top().get(0).id());
                    assertEquals(probs[(int) pos.target()], first.targetProb(), 1e-5);
                }
            }
        }
    }

    @Test
    void aTargetIsFollowedThroughTheLayersAndBadValuesAreRefused() {
        try (TransformerLM model = LensModels.withFinalNorm(TinyModels.gpt2(), 4)) {
            LogitLens.Result r = LogitLens.run(model, IDS, LogitLens.Config.builder().target(9L).topK(96).build());
            for (LogitLens.Layer layer : r.layers()) {
                for (LogitLens.Position p : layer.positions()) {
                    assertEquals(9, p.target());
                    // With every token listed, the target's rank is its place in the list.
                    int place = 0;
                    while (p.top().get(place).id() != 9) {
                        place++;
                    }
                    assertEquals(place + 1, p.targetRank());
                    assertEquals(p.top().get(place).prob(), p.targetProb(), 0);
                }
            }
            assertThrows(UserInputException.class, () -> LogitLens.run(model, IDS,
                    LogitLens.Config.builder().topK(97).build()));
            assertThrows(UserInputException.class, () -> LogitLens.run(model, IDS,
                    LogitLens.Config.builder().target(96L).build()));
            assertThrows(IllegalArgumentException.class, () -> LogitLens.Config.builder().topK(0).build());
        }
    }

    /** The final norm (LayerNorm for GPT-2, RMSNorm otherwise) of position p's vector, with its own statistics. */
    private static double[] handUnembed(TransformerLM model, float[] resid, int p, float[] head) {
        ModelConfig c = model.config();
        int d = c.hiddenSize();
        boolean gpt2 = c.family().toString().equals("GPT2");
        float[] w = model.weight(gpt2 ? "transformer.ln_f.weight" : "model.norm.weight");
        float[] b = gpt2 ? model.weight("transformer.ln_f.bias") : new float[d];
        double mean = 0;
        for (int i = 0; i < d; i++) {
            mean += gpt2 ? resid[p * d + i] / (double) d : 0;
        }
        double sq = 0;
        for (int i = 0; i < d; i++) {
            sq += Math.pow(resid[p * d + i] - mean, 2) / d;
        }
        double s = Math.sqrt(sq + c.normEps());
        double[] logits = new double[c.vocabSize()];
        for (int v = 0; v < logits.length; v++) {
            for (int i = 0; i < d; i++) {
                logits[v] += ((resid[p * d + i] - mean) / s * w[i] + b[i]) * head[v * d + i];
            }
        }
        return logits;
    }

    private static double[] softmax(float[] x, int from, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = x[from + i];
        }
        return softmax(d, 0, n);
    }

    private static double[] softmax(double[] x, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[from + i]);
        }
        double sum = 0;
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(x[from + i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
