package dev.mono4j.metrics;

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
import org.junit.jupiter.api.Test;

class WeightProxyTest {
    /**
     * The folding identity the proxy relies on, checked against the real forward pass of the GPT-2 fixture
     * (whose ln_2 gains and biases are not trivial): with x̂ the resid_mid standardised per token (mean 0,
     * variance 1, the model's eps), x̂·W' + b' equals mlp.hook_pre for W' = diag(γ) W_in and b' = b_in + βᵀW_in.
     * Then the proxy's per-layer medians are the medians of ‖W'_j‖·b'_j computed here.
     */
    @Test
    void layerNormFoldingReproducesTheMlpPreActivation() {
        try (TransformerLM model = Checkpoint.loadCausal(Fixtures.dir("gpt2-tiny"), "this test");
                NDManager step = model.manager().newSubManager()) {
            ModelConfig c = model.config();
            int d = c.hiddenSize();
            int f = c.intermediateSize();
            double[] medians = new double[c.numLayers()];
            long[] ids = new long[2 * 9];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (i * 37 + 5) % c.vocabSize();
            }
            Hooks hooks = Hooks.capture("blocks.*.hook_resid_mid, blocks.*.mlp.hook_pre");
            model.forward(step, TokenBatch.of(2, 9, ids), hooks);
            for (int l = 0; l < c.numLayers(); l++) {
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
                }
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < f; j++) {
                        wf[i][j] = gamma[i] * (double) w[i * f + j];
                        bf[j] += beta[i] * (double) w[i * f + j];
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
                assertTrue(maxErr < 1e-4, "layer " + l + ": max |x̂W' + b' − hook_pre| = " + maxErr);
                assertTrue(maxPre > 0.1, "hook_pre is not trivially small");

                double[] products = new double[f];
                for (int j = 0; j < f; j++) {
                    double norm = 0;
                    for (int i = 0; i < d; i++) {
                        norm += wf[i][j] * wf[i][j];
                    }
                    products[j] = Math.sqrt(norm) * bf[j];
                }
                double[] got = WeightProxy.neuronProducts(w, b, gamma, beta, d, f);
                for (int j = 0; j < f; j++) {
                    assertEquals(products[j], got[j], 1e-9 * Math.max(1, Math.abs(products[j])), "neuron " + j);
                }
                double[] sorted = products.clone();
                java.util.Arrays.sort(sorted);
                medians[l] = (sorted[f / 2 - 1] + sorted[f / 2]) / 2; // f is even
            }
            WeightProxy.Result r = WeightProxy.of(model);
            double max = 0;
            for (double m : medians) {
                max = Math.max(max, Math.abs(m));
            }
            for (int l = 0; l < c.numLayers(); l++) {
                assertEquals(medians[l], r.medians()[l], 1e-9, "median of layer " + l);
                assertEquals(medians[l] / max, r.normalized()[l], 1e-9, "normalised median of layer " + l);
            }
        }
    }

    /**
     * d = 2, f = 3, w row-major [d, f] (neuron j is column j), γ = (2, 0.5), β = (1, −1):
     * W' columns (2·1, 0.5·0) = (2, 0), (2·2, 0.5·(−2)) = (4, −1), (2·0, 0.5·4) = (0, 2) with norms 2, √17, 2;
     * b' = b + βᵀW = (0.5 + 1 − 0, −1 + 2 + 2, 0 + 0 − 4) = (1.5, 3, −4); products 3, 3√17, −8.
     */
    @Test
    void neuronProductsAndMedianOnHandBuiltWeights() {
        float[] w = {1, 2, 0, 0, -2, 4};
        float[] b = {0.5f, -1, 0};
        float[] gamma = {2, 0.5f};
        float[] beta = {1, -1};
        double[] p = WeightProxy.neuronProducts(w, b, gamma, beta, 2, 3);
        assertEquals(3.0, p[0], 1e-12);
        assertEquals(3 * Math.sqrt(17), p[1], 1e-12);
        assertEquals(-8.0, p[2], 1e-12);
        assertEquals(3.0, WeightProxy.median(p), 1e-12, "odd count: the middle value");
        assertEquals(2.5, WeightProxy.median(new double[] {4, -1, 2, 3}), 1e-12, "even count: mean of the middle two");
        assertEquals(-7.0, WeightProxy.median(new double[] {-7}), 0.0);
        double[] unsorted = {5, 1, 3};
        WeightProxy.median(unsorted);
        assertEquals(5.0, unsorted[0], 0.0, "the input is not sorted in place");

        // identity LayerNorm: plain ‖W_j‖·b_j
        double[] plain = WeightProxy.neuronProducts(w, b, new float[] {1, 1}, new float[] {0, 0}, 2, 3);
        assertEquals(0.5, plain[0], 1e-12);
        assertEquals(-Math.sqrt(8), plain[1], 1e-12);
        assertEquals(0.0, plain[2], 1e-12);
    }

    /** A random GPT-2 has zero biases and unit gains: every product and so every median is 0, normalised to 0. */
    @Test
    void zeroBiasesGiveZeroMediansWithoutDividingByZero() {
        try (TransformerLM model = TransformerLM.random(TinyModels.gpt2(), 4)) {
            WeightProxy.Result r = WeightProxy.of(model);
            assertEquals(2, r.medians().length);
            for (int l = 0; l < 2; l++) {
                assertEquals(0.0, r.medians()[l], 0.0);
                assertEquals(0.0, r.normalized()[l], 0.0);
            }
        }
    }

    @Test
    void llamaModelsHaveNoMlpBiasAndAreRefused() {
        try (TransformerLM model = TransformerLM.random(TinyModels.llama(), 1)) {
            UserInputException e = assertThrows(UserInputException.class, () -> WeightProxy.of(model));
            assertTrue(e.getMessage().contains("GPT-2"), e.getMessage());
        }
    }
}
