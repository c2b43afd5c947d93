package dev.mono4j.lens;

import dev.mono4j.UserInputException;
import dev.mono4j.model.Gpt2Family;
import dev.mono4j.model.LlamaFamily;
import dev.mono4j.model.ModelFamily;
import dev.mono4j.model.MonetFamily;
import dev.mono4j.model.TransformerLM;

/**
 * A decoder's final norm with its scale frozen, for direct logit attribution: y = P(c) / s ⊙ w, where P centres
 * the vector for LayerNorm (and is the identity for RMSNorm), s is the <em>full</em> residual's scale
 * sqrt(mean(P(x)²) + eps), w the norm's weight; the bias b is kept apart, since it belongs to no component.
 * Summed over the components of x this gives norm(x) − b exactly. This is TransformerLens'
 * {@code ActivationCache.apply_ln_to_stack} with the cached {@code ln_final.hook_scale} (TransformerLensOrg/
 * TransformerLens transformer_lens/ActivationCache.py@0033815, {@code logit_attrs}), with w and b not folded into
 * the unembedding. Arithmetic in doubles on the Java heap: a handful of d_model vectors per text.
 *
 * <p>The norms' keys and kinds repeat what {@code Gpt2Family.finalNorm} and {@code LlamaFamily.finalNorm} compute
 * (the families do not describe their final norm yet); {@code LogitAttributionTest} checks them against the
 * model's {@code ln_final.hook_normalized} for both.
 */
record FinalNorm(boolean centres, double[] weight, double[] bias, double eps) {

    /** The final norm of {@code model}'s family; a family whose norm this class does not know is refused. */
    static FinalNorm of(TransformerLM model) {
        ModelFamily family = model.config().family();
        double eps = model.config().normEps();
        if (family instanceof Gpt2Family) {
            return new FinalNorm(true, weight(model, "transformer.ln_f.weight"), weight(model, "transformer.ln_f.bias"),
                    eps);
        }
        if (family instanceof LlamaFamily || family instanceof MonetFamily) {
            return new FinalNorm(false, weight(model, "model.norm.weight"), new double[model.config().hiddenSize()], eps);
        }
        throw new UserInputException("direct logit attribution does not know the final norm of " + family
                + " models (it knows GPT-2, Llama, Qwen2, Mistral and Monet)");
    }

    private static double[] weight(TransformerLM model, String key) {
        float[] w = model.weight(key);
        double[] d = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            d[i] = w[i];
        }
        return d;
    }

    /** s = sqrt(mean(P(x)²) + eps): LayerNorm's sqrt(var + eps), RMSNorm's sqrt(mean(x²) + eps). */
    double scale(double[] x) {
        double[] p = centred(x);
        double sq = 0;
        for (double v : p) {
            sq += v * v;
        }
        return Math.sqrt(sq / p.length + eps);
    }

    /** P(c) / s ⊙ w: what component {@code c} adds to the norm's output when the residual's scale is {@code s}. */
    double[] frozen(double[] c, double s) {
        double[] p = centred(c);
        double[] y = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            y[i] = p[i] / s * weight[i];
        }
        return y;
    }

    private double[] centred(double[] x) {
        if (!centres) {
            return x;
        }
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double[] p = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            p[i] = x[i] - mean;
        }
        return p;
    }
}
