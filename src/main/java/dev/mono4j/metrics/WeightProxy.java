package dev.mono4j.metrics;

import dev.mono4j.UserInputException;
import dev.mono4j.model.ParameterLayout;
import dev.mono4j.model.Gpt2Family;
import dev.mono4j.model.Transformer;
import java.util.Arrays;

/**
 * The weight proxy of monosemanticity that Yan et al. (EMNLP 2024, Figure 2) take from Wang et al.: per
 * MLP neuron j the product ‖W_in,j‖₂ · b_in,j of its input weight vector's norm and its input bias; per
 * layer the median over neurons, normalised by the largest |median| over layers. A strongly negative
 * bias on a large input vector makes a neuron fire only for inputs well aligned with it, which is what a
 * detector of one feature among many looks like.
 *
 * <p>Needs an MLP input bias: GPT-2 family only (Llama-family MLPs have none). As TransformerLens loads
 * GPT-2 by default (fold_ln), the LayerNorm before the MLP is folded in first, which is what the
 * reference code measured: W_in' = diag(γ) W_in and b_in' = b_in + βᵀ W_in, for LN gain γ and bias β.
 */
public final class WeightProxy {
    private WeightProxy() {
    }

    /**
     * @param medians    per layer, median_j ‖W'_in,j‖ b'_in,j
     * @param normalized medians / max_l |median_l|
     */
    public record Result(double[] medians, double[] normalized) {
    }

    public static Result of(Transformer model) {
        if (model.config().family() != Gpt2Family.GPT2) {
            throw new UserInputException("the weight proxy needs an MLP input bias, which only GPT-2-family models"
                    + " have (this model is " + model.config().family() + ")");
        }
        int layers = model.config().numLayers();
        int d = model.config().hiddenSize();
        int f = model.config().intermediateSize();
        double[] medians = new double[layers];
        for (int l = 0; l < layers; l++) {
            String p = ParameterLayout.layerPrefix(model.config(), l);
            float[] w = model.weight(p + "mlp.c_fc.weight"); // Conv1D: [d, f], neuron j is column j
            float[] b = model.weight(p + "mlp.c_fc.bias");
            float[] gamma = model.weight(p + "ln_2.weight");
            float[] beta = model.weight(p + "ln_2.bias");
            medians[l] = median(neuronProducts(w, b, gamma, beta, d, f));
        }
        double max = Arrays.stream(medians).map(Math::abs).max().orElse(0);
        return new Result(medians, Arrays.stream(medians).map(m -> max == 0 ? 0 : m / max).toArray());
    }

    /** ‖W'_in,j‖₂ · b'_in,j for each neuron j, with the LayerNorm folded in. */
    static double[] neuronProducts(float[] w, float[] b, float[] gamma, float[] beta, int d, int f) {
        double[] norms = new double[f];
        double[] bias = new double[f];
        for (int j = 0; j < f; j++) {
            bias[j] = b[j];
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < f; j++) {
                double wij = w[i * f + j];
                double folded = gamma[i] * wij;
                norms[j] += folded * folded;
                bias[j] += beta[i] * wij;
            }
        }
        double[] out = new double[f];
        for (int j = 0; j < f; j++) {
            out[j] = Math.sqrt(norms[j]) * bias[j];
        }
        return out;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return Quantiles.of(s, 0.5);
    }
}
