package dev.mono4j.testing;

import dev.mono4j.model.LlamaFamily;
import dev.mono4j.model.ModelConfig;
import java.util.List;

/** Small configs of every supported family, for tests that need no reference outputs. */
public final class TinyModels {
    private TinyModels() {
    }

    public static ModelConfig gpt2() {
        return ModelConfig.gpt2(96, 32, 2, 4, 64);
    }

    public static ModelConfig llama() {
        return ModelConfig.llama(96, 32, 2, 4, 2, 64, 64, false);
    }

    /** Llama with attention_bias: biases on q, k, v and o. */
    public static ModelConfig llamaWithBias() {
        return new ModelConfig(LlamaFamily.LLAMA, 96, 32, 2, 4, 2, 8, 64, 64, 1e-5, "silu", 1e4, null, false, true, true,
                ModelConfig.fullAttention(2), 1, List.of(2L), 0);
    }

    /** Qwen2: q/k/v biases, tied embeddings. */
    public static ModelConfig qwen2() {
        return new ModelConfig(LlamaFamily.QWEN2, 96, 32, 2, 4, 2, 8, 64, 64, 1e-6, "silu", 1e6, null, true, true,
                false, ModelConfig.fullAttention(2), -1, List.of(95L), 0);
    }

    /** Mistral with a sliding window shorter than test sequences. */
    public static ModelConfig mistral(int layers, int window) {
        return new ModelConfig(LlamaFamily.MISTRAL, 96, 32, layers, 4, 2, 8, 64, 64, 1e-5, "silu", 1e4, null, false,
                false, false, java.util.Collections.nCopies(layers, window), 1, List.of(2L), 0);
    }

    public static List<ModelConfig> all() {
        return List.of(gpt2(), llama(), llamaWithBias(), qwen2(), mistral(2, 4));
    }
}
