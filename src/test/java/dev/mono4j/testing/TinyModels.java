package dev.mono4j.testing;

import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.Gemma2Family;
import dev.mono4j.model.LlamaFamily;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.NeoxFamily;
import dev.mono4j.model.TransformerLM;
import java.nio.file.Path;
import java.util.List;

/** Small configs of every supported family, for tests that need no reference outputs. */
public final class TinyModels {
    private TinyModels() {
    }

    /**
     * Saves a random model of {@code config} (weights from {@code seed}) into {@code dir} as a checkpoint folder with a
     * 40-word word-level tokenizer ({@link WordLevelTokenizers#words}), written beside it first; returns {@code dir}.
     */
    public static Path save(ModelConfig config, long seed, Path dir) {
        Path tokenizer = WordLevelTokenizers.write(dir.resolveSibling(dir.getFileName() + "-tokenizer.json"),
                WordLevelTokenizers.words(40));
        try (TransformerLM lm = TransformerLM.random(config, seed)) {
            Checkpoint.save(lm, dir, tokenizer, false);
        }
        return dir;
    }

    public static ModelConfig gpt2() {
        return ModelConfig.gpt2(96, 32, 2, 4, 64);
    }

    public static ModelConfig llama() {
        return ModelConfig.llama(96, 32, 2, 4, 2, 64, 64, false);
    }

    /** Llama with attention_bias: biases on q, k, v and o. */
    public static ModelConfig llamaWithBias() {
        return ModelConfig.llama(96, 32, 2, 4, 2, 64, 64, false).toBuilder().qkvBias(true).outputBias(true).build();
    }

    /** Qwen2: q/k/v biases, tied embeddings. */
    public static ModelConfig qwen2() {
        return ModelConfig.builder(LlamaFamily.QWEN2, 96, 32, 2, 4).numKvHeads(2).intermediateSize(64).maxPositions(64)
                .normEps(1e-6).ropeTheta(1e6).tieEmbeddings(true).qkvBias(true).specialTokens(-1, List.of(95L)).build();
    }

    /** Mistral with a sliding window shorter than test sequences. */
    public static ModelConfig mistral(int layers, int window) {
        return ModelConfig.builder(LlamaFamily.MISTRAL, 96, 32, layers, 4).numKvHeads(2).intermediateSize(64)
                .maxPositions(64).ropeTheta(1e4).layerWindows(java.util.Collections.nCopies(layers, window))
                .specialTokens(1, List.of(2L)).build();
    }

    /** GPT-NeoX as Pythia has it: parallel residual, rotary on a quarter of each head (2 of 8 dims), biases. */
    public static ModelConfig neox() {
        return ModelConfig.builder(NeoxFamily.NEOX, 96, 32, 2, 4).intermediateSize(128).maxPositions(64)
                .activation("gelu").ropeTheta(1e4).qkvBias(true).outputBias(true).specialTokens(0, List.of(0L))
                .familySettings(new NeoxFamily.NeoxSettings(0.25, true)).build();
    }

    /**
     * Gemma-2 with what sets it apart within reach of short test sequences: head_dim 16 (not hidden / heads),
     * query_pre_attn_scalar 32 (not head_dim), soft caps 3 (attention) and 6 (logits), a window of 4 on layer 0.
     */
    public static ModelConfig gemma2() {
        return ModelConfig.builder(Gemma2Family.GEMMA2, 96, 32, 2, 4).numKvHeads(2).headDim(16).intermediateSize(64)
                .maxPositions(64).normEps(1e-6).activation("gelu_pytorch_tanh").ropeTheta(1e4).tieEmbeddings(true)
                .layerWindows(List.of(4, 0)).familySettings(new Gemma2Family.Settings(32, 3.0, 6.0))
                .specialTokens(2, List.of(1L)).build();
    }

    public static List<ModelConfig> all() {
        return List.of(gpt2(), llama(), llamaWithBias(), qwen2(), mistral(2, 4), neox(), gemma2());
    }
}
