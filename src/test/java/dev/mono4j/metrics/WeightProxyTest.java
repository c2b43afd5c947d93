package dev.mono4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.TinyModels;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WeightProxyTest {
    /**
     * The fold and centring of TransformerLens' fold_layer_norm, computed here independently in plain Java on
     * the GPT-2 fixture (whose ln_2 gains and biases are not trivial, and whose c_fc columns do not have mean
     * 0): W″ = diag(γ) W_in, W′ = W″ minus its column means over d_model, b′ = b_in + βᵀW_in. With x̂ the
     * resid_mid standardised per token (the model's eps), x̂·W′ + b′ equals mlp.hook_pre: folding and centring
     * lose nothing. The proxy's products, medians, scale and normalised scores are then those computed here.
     */
    @Test
    void foldedAndCentredMlpInputReproducesThePreActivationAndGivesTheProxy() {
        try (TransformerLM model = Checkpoint.loadCausal(Fixtures.dir("gpt2-tiny"), "this test");
                NDManager step = model.manager().newSubManager()) {
            ModelConfig c = model.config();
            int d = c.hiddenSize();
            int f = c.intermediateSize();
            int layers = c.numLayers();
            long[] ids = new long[2 * 9];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (i * 37 + 5) % c.vocabSize();
            }
            Hooks hooks = Hooks.capture("blocks.*.hook_resid_mid, blocks.*.mlp.hook_pre");
            model.forward(step, TokenBatch.of(2, 9, ids), hooks);
            double[] medians = new double[layers];
            double scale = 0;
            for (int l = 0; l < layers; l++) {
                String p = "transformer.h." + l + ".";
                float[] gamma = model.weight(p + "ln_2.weight");
                float[] beta = model.weight(p + "ln_2.bias");
                float[] w = model.weight(p + "mlp.c_fc.weight");
                float[] b = model.weight(p + "mlp.c_fc.bias");
                double gammaSpread = 0;
                double betaSize = 0;
                for (int i = 0; i < d; i++) {
                    gammaSpread += Math.abs(gamma[i] - 1);
                    betaSize += Math.abs(beta[i]);
                }
                assertTrue(gammaSpread / d > 0.01 && betaSize / d > 0.01, "the fixture's LayerNorm is not trivial");

                double[][] wf = new double[d][f];
                double[] bf = new double[f];
                for (int j = 0; j < f; j++) {
                    bf[j] = b[j];
                    double mean = 0;
                    for (int i = 0; i < d; i++) {
                        wf[i][j] = gamma[i] * (double) w[i * f + j];
                        bf[j] += beta[i] * (double) w[i * f + j];
                        mean += wf[i][j];
                    }
                    mean /= d;
                    for (int i = 0; i < d; i++) {
                        wf[i][j] -= mean;
                    }
                }

                float[] mid = hooks.get("blocks." + l + ".hook_resid_mid").toFloatArray();
                float[] pre = hooks.get("blocks." + l + ".mlp.hook_pre").toFloatArray();
                int tokens = mid.length / d;
                assertEquals(tokens * f, pre.length);
                double maxErr = 0;
                double maxPre = 0;
                for (int t = 0; t < tokens; t++) {
                    double mean = 0;
                    for (int i = 0; i < d; i++) {
                        mean += mid[t * d + i] / (double) d;
                    }
                    double var = 0;
                    for (int i = 0; i < d; i++) {
                        var += (mid[t * d + i] - mean) * (mid[t * d + i] - mean) / d;
                    }
                    double inv = 1 / Math.sqrt(var + c.normEps());
                    for (int j = 0; j < f; j++) {
                        double s = bf[j];
                        for (int i = 0; i < d; i++) {
                            s += (mid[t * d + i] - mean) * inv * wf[i][j];
                        }
                        maxErr = Math.max(maxErr, Math.abs(s - pre[t * f + j]));
                        maxPre = Math.max(maxPre, Math.abs(pre[t * f + j]));
                    }
                }
                assertTrue(maxErr < 1e-4, "layer " + l + ": max |x̂W′ + b′ − hook_pre| = " + maxErr);
                assertTrue(maxPre > 0.1, "hook_pre is not trivially small");

                double[] products = new double[f];
                double[] absProducts = new double[f];
                double centringMoves = 0;
                for (int j = 0; j < f; j++) {
                    double norm = 0;
                    double uncentred = 0;
                    for (int i = 0; i < d; i++) {
                        norm += wf[i][j] * wf[i][j];
                        uncentred += Math.pow(gamma[i] * (double) w[i * f + j], 2);
                    }
                    products[j] = Math.sqrt(norm) * bf[j];
                    absProducts[j] = Math.abs(products[j]);
                    centringMoves = Math.max(centringMoves, Math.abs(Math.sqrt(uncentred) - Math.sqrt(norm)));
                }
                assertTrue(centringMoves > 1e-4, "centring changes some norm here (" + centringMoves + ")");
                double[] got = WeightProxy.FoldedMlpIn.of(model, l).products(IntStream.range(0, f).toArray());
                for (int j = 0; j < f; j++) {
                    assertEquals(products[j], got[j], 1e-9 * Math.max(1, Math.abs(products[j])), "neuron " + j);
                }
                Arrays.sort(products);
                Arrays.sort(absProducts);
                medians[l] = (products[f / 2 - 1] + products[f / 2]) / 2; // f is even
                scale = Math.max(scale, (absProducts[f / 2 - 1] + absProducts[f / 2]) / 2);
            }
            WeightProxy.ByLayer r = WeightProxy.byLayer(model);
            assertEquals(scale, r.scale(), 1e-9);
            for (int l = 0; l < layers; l++) {
                assertEquals(medians[l], r.medians()[l], 1e-9, "median of layer " + l);
                assertEquals(medians[l] / scale, r.normalized()[l], 1e-9, "normalised median of layer " + l);
                assertEquals((double) l / (layers - 1), r.depth()[l], 0.0, "relative depth of layer " + l);
            }
        }
    }

    /**
     * d = 2, f = 3, w row-major [d, f] (neuron j is column j), γ = (2, 0.5), β = (1, −1):
     * diag(γ)W has columns (2, 0), (4, −1), (0, 2); centred (1, −1), (2.5, −2.5), (−1, 1), norms √2, 2.5√2, √2;
     * b′ = b + βᵀW = (0.5 + 1 − 0, −1 + 2 + 2, 0 + 0 − 4) = (1.5, 3, −4); products 1.5√2, 7.5√2, −4√2.
     */
    @Test
    void foldAndCentreOnHandBuiltWeights() {
        float[] w = {1, 2, 0, 0, -2, 4};
        float[] b = {0.5f, -1, 0};
        WeightProxy.FoldedMlpIn in = WeightProxy.FoldedMlpIn.fold(w, b, new float[] {2, 0.5f}, new float[] {1, -1}, 2, 3);
        double[] p = in.products(new int[] {0, 1, 2});
        double r2 = Math.sqrt(2);
        assertArrayEquals(new double[] {1.5 * r2, 7.5 * r2, -4 * r2}, p, 1e-12);
        assertArrayEquals(new double[] {-4 * r2, 1.5 * r2}, in.products(new int[] {2, 0}), 1e-12, "in the order listed");

        assertEquals(1.5 * r2, WeightProxy.median(p), 1e-12, "odd count: the middle value");
        assertEquals(2.5, WeightProxy.median(new double[] {4, -1, 2, 3}), 1e-12, "even count: mean of the middle two");
        double[] unsorted = {5, 1, 3};
        WeightProxy.median(unsorted);
        assertEquals(5.0, unsorted[0], 0.0, "the input is not sorted in place");
    }

    /**
     * weight_stats.py divides each layer's median product by the largest median of |product| over layers,
     * not by the largest |median|. Identity LayerNorm and c_fc columns (1, 1, −1, −1, 0, …) (mean 0, norm 2)
     * make each product 2·b_j: layer 0 products (−5, 1, 4), median 1, median |·| 4; layer 1 (−2, −1, 6),
     * median −1, median |·| 2. Scale 4, scores (0.25, −0.25); dividing by max |median| = 1 would give (1, −1).
     */
    @Test
    void normalisesByTheLargestMedianOfAbsoluteProducts() {
        ModelConfig cfg = TinyModels.gpt2().toBuilder().intermediateSize(3).build();
        try (TransformerLM model = TransformerLM.random(cfg, 3)) {
            setMlpInput(model, 0, new float[] {1, 1, 1}, new float[] {-2.5f, 0.5f, 2});
            setMlpInput(model, 1, new float[] {1, 1, 1}, new float[] {-1, -0.5f, 3});
            WeightProxy.ByLayer r = WeightProxy.byLayer(model);
            assertArrayEquals(new double[] {1, -1}, r.medians(), 1e-6);
            assertEquals(4, r.scale(), 1e-6);
            assertArrayEquals(new double[] {0.25, -0.25}, r.normalized(), 1e-6);
            assertArrayEquals(new double[] {0, 1}, r.depth(), 0.0);
        }
    }

    /**
     * Figure 3 on a hand-made pair (identity LayerNorm, columns a_j·(1, 1, −1, −1, 0, …): norm 2|a_j|,
     * Σ_i |Δ| = 4|Δa_j|), top 2 neurons per layer.
     * Layer 0: base a = 1, b = (0.5, 1, 1.5, 2, 2.5, 3); tuned a = (1, 2, 1.25, 1, 0.5, 1) and b_3 = 10 (a bias
     * change, which the ranking ignores). Changes (0, 4, 1, 0, 2, 0): neurons 1, 4. Base products (2, 5): median
     * 3.5; tuned (4, 2.5): median 3.25.
     * Layer 1: base a = 1, b = (−1, 0.5, 0.5, 0.5, 0.5, 1.5); tuned a = (3, 1, 1.125, 1, 1, 0.5). Changes
     * (8, 0, 0.5, 0, 0, 2): neurons 0, 5. Base (−2, 3): median 0.5, median |·| 2.5; tuned (−6, 1.5): median
     * −2.25, median |·| 3.75.
     * Base scale 3.5: scores (1, 1/7); tuned scale 3.75: (13/15, −0.6). Change: (13/15 − 1)/1 = −40/3 %,
     * (−0.6 − 1/7)/(1/7) = −520 %.
     */
    @Test
    void changedNeuronsRanksByInputWeightChangeAndGivesTheRelativeChange() {
        ModelConfig cfg = TinyModels.gpt2().toBuilder().intermediateSize(6).build();
        try (TransformerLM base = TransformerLM.random(cfg, 5); TransformerLM tuned = TransformerLM.random(cfg, 5)) {
            float[] ones = {1, 1, 1, 1, 1, 1};
            setMlpInput(base, 0, ones, new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3});
            setMlpInput(base, 1, ones, new float[] {-1, 0.5f, 0.5f, 0.5f, 0.5f, 1.5f});
            setMlpInput(tuned, 0, new float[] {1, 2, 1.25f, 1, 0.5f, 1}, new float[] {0.5f, 1, 1.5f, 10, 2.5f, 3});
            setMlpInput(tuned, 1, new float[] {3, 1, 1.125f, 1, 1, 0.5f}, new float[] {-1, 0.5f, 0.5f, 0.5f, 0.5f, 1.5f});

            WeightProxy.Change r = WeightProxy.changedNeurons(base, tuned, 2);
            assertArrayEquals(new int[] {1, 4}, r.neurons()[0], "largest change first");
            assertArrayEquals(new int[] {0, 5}, r.neurons()[1]);
            assertArrayEquals(new double[] {1, 1.0 / 7}, r.baseScores(), 1e-6);
            assertArrayEquals(new double[] {13.0 / 15, -0.6}, r.tunedScores(), 1e-6);
            assertArrayEquals(new double[] {-40.0 / 3, -520}, r.percentChange(), 1e-4);
            assertArrayEquals(new double[] {0, 1}, r.depth(), 0.0);

            WeightProxy.Change same = WeightProxy.changedNeurons(base, base, 2);
            assertArrayEquals(new int[] {0, 1}, same.neurons()[0], "no change: ties in index order");
            assertArrayEquals(new double[] {0, 0}, same.percentChange(), 0.0);
        }
    }

    @Test
    void changedNeuronsRefusesAnOutOfRangeCountAndModelsOfDifferentShapes() {
        ModelConfig cfg = TinyModels.gpt2();
        try (TransformerLM a = TransformerLM.random(cfg, 1);
                TransformerLM wider = TransformerLM.random(cfg.toBuilder().intermediateSize(64).build(), 1)) {
            UserInputException tooMany = assertThrows(UserInputException.class,
                    () -> WeightProxy.changedNeurons(a, a, cfg.intermediateSize() + 1));
            assertTrue(tooMany.getMessage().contains("1.." + cfg.intermediateSize()), tooMany.getMessage());
            assertThrows(UserInputException.class, () -> WeightProxy.changedNeurons(a, a, 0));
            UserInputException shapes = assertThrows(UserInputException.class,
                    () -> WeightProxy.changedNeurons(a, wider, 2));
            assertTrue(shapes.getMessage().contains("one shape"), shapes.getMessage());
        }
    }

    /** A random GPT-2 has zero biases and unit gains: every product and so every median is 0, normalised to 0. */
    @Test
    void zeroBiasesGiveZeroMediansWithoutDividingByZero() {
        try (TransformerLM model = TransformerLM.random(TinyModels.gpt2(), 4)) {
            WeightProxy.ByLayer r = WeightProxy.byLayer(model);
            assertArrayEquals(new double[] {0, 0}, r.medians(), 0.0);
            assertEquals(0.0, r.scale(), 0.0);
            assertArrayEquals(new double[] {0, 0}, r.normalized(), 0.0);
        }
    }

    @Test
    void llamaModelsHaveNoMlpBiasAndAreRefused() {
        try (TransformerLM llama = TransformerLM.random(TinyModels.llama(), 1);
                TransformerLM gpt2 = TransformerLM.random(TinyModels.gpt2(), 1)) {
            UserInputException e = assertThrows(UserInputException.class, () -> WeightProxy.byLayer(llama));
            assertTrue(e.getMessage().contains("GPT-2"), e.getMessage());
            assertThrows(UserInputException.class, () -> WeightProxy.changedNeurons(gpt2, llama, 1));
        }
    }

    /**
     * Sets layer {@code l}'s ln_2 to the identity (γ = 1, β = 0), c_fc's bias to {@code bias} and its column j
     * to scale[j]·(1, 1, −1, −1, 0, …), whose mean over d_model is 0 and norm 2|scale[j]|.
     */
    private static void setMlpInput(TransformerLM model, int l, float[] scale, float[] bias) {
        ModelConfig c = model.config();
        int d = c.hiddenSize();
        int f = c.intermediateSize();
        float[] w = new float[d * f];
        for (int j = 0; j < f; j++) {
            w[0 * f + j] = scale[j];
            w[1 * f + j] = scale[j];
            w[2 * f + j] = -scale[j];
            w[3 * f + j] = -scale[j];
        }
        float[] gamma = new float[d];
        Arrays.fill(gamma, 1);
        String p = "transformer.h." + l + ".";
        model.parameters().get(p + "ln_2.weight").set(gamma);
        model.parameters().get(p + "ln_2.bias").set(new float[d]);
        model.parameters().get(p + "mlp.c_fc.weight").set(w);
        model.parameters().get(p + "mlp.c_fc.bias").set(bias);
    }
}
