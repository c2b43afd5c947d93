package dev.mono4j.lens;

import ai.djl.ndarray.NDArray;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import java.util.SplittableRandom;

/** Random tiny models whose final norm is not the identity, so its weight and bias enter every lens number. */
final class LensModels {
    private LensModels() {
    }

    /** A random model of {@code config} with final-norm weights in [0.5, 3.5) and bias in [−1, 1). */
    static TransformerLM withFinalNorm(ModelConfig config, long seed) {
        TransformerLM model = TransformerLM.random(config, seed);
        SplittableRandom rng = new SplittableRandom(seed);
        for (String key : new String[] {"transformer.ln_f.weight", "transformer.ln_f.bias", "model.norm.weight",
            "gpt_neox.final_layer_norm.weight", "gpt_neox.final_layer_norm.bias"}) {
            NDArray p = model.parameters().get(key);
            if (p != null) {
                float[] v = new float[Math.toIntExact(p.size())];
                for (int i = 0; i < v.length; i++) {
                    v[i] = key.endsWith("bias") ? (float) rng.nextDouble(-1, 1) : (float) rng.nextDouble(0.5, 3.5);
                }
                p.set(v);
            }
        }
        return model;
    }
}
