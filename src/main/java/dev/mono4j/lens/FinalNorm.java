package dev.mono4j.lens;

import dev.mono4j.model.DecoderFamily;
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
 * <p>The family describes its norm ({@code DecoderFamily.finalNormSpec}); {@code LogitAttributionTest} checks that
 * description against the model's own {@code ln_final.hook_normalized}.
 */
record FinalNorm(boolean centres, double[] weight, double[] bias, double eps) {

    /** The final norm of {@code model}'s family, as the family describes it ({@code DecoderFamily.finalNormSpec}). */
    static FinalNorm of(TransformerLM model) {
        DecoderFamily.FinalNormSpec spec = ((DecoderFamily) model.config().family()).finalNormSpec(model.config());
        double[] w = weight(model, spec.weightKey());
        for (int i = 0; i < w.length; i++) {
            w[i] += spec.weightOffset();
        }
        double[] b = spec.biasKey() == null ? new double[w.length] : weight(model, spec.biasKey());
        return new FinalNorm(spec.centres(), w, b, model.config().normEps());
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
