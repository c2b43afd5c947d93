package dev.mono4j.model;

import java.util.List;

/**
 * Where LoRA adapters go and how large they are (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large
 * Language Models", arXiv:2106.09685). Names follow PEFT's {@code LoraConfig}.
 *
 * <p>The defaults are PEFT's ({@code r = 8}, {@code lora_dropout = 0}) except alpha: 16 rather than PEFT's 8,
 * as TRL's DPO example scripts use with r = 8 (stack-llama-2), so the update is scaled by alpha / r = 2.
 *
 * @param rank       r, the inner dimension of B·A
 * @param alpha      the update is scaled by alpha / rank (the paper's α)
 * @param dropout    dropout on the adapters' input while training, in [0, 1)
 * @param targets    module names, matched as PEFT does: a block's module whose path ends in {@code "." + target}
 *                   (so {@code c_proj} matches GPT-2's attention and MLP {@code c_proj}, {@code attn.c_proj}
 *                   only the first); Llama family q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj,
 *                   down_proj; GPT-2 c_attn, c_proj, c_fc
 * @param firstLayer first block that gets adapters
 * @param lastLayer  last block that gets adapters (inclusive), or -1 for the model's last
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targets, int firstLayer, int lastLayer) {
    public static final int DEFAULT_RANK = 8;
    public static final double DEFAULT_ALPHA = 16;
    public static final double DEFAULT_DROPOUT = 0.0;

    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be at least 1, got " + rank);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be a positive number, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoRA dropout must lie in [0, 1), got " + dropout);
        }
        if (targets == null || targets.isEmpty() || targets.stream().anyMatch(t -> t == null || t.isBlank())) {
            throw new IllegalArgumentException("LoRA needs at least one target module name (e.g. q_proj), got "
                    + targets);
        }
        targets = List.copyOf(targets);
        if (firstLayer < 0) {
            throw new IllegalArgumentException("LoRA first layer must be at least 0, got " + firstLayer);
        }
        if (lastLayer != -1 && lastLayer < firstLayer) {
            throw new IllegalArgumentException("LoRA last layer " + lastLayer + " comes before first layer " + firstLayer
                    + " (use -1 for the model's last layer)");
        }
    }

    /** The factor on B·A: alpha / rank. */
    public double scale() {
        return alpha / rank;
    }

    /** The family's default targets ({@link ModelFamily#defaultLoraTargets}). */
    public static List<String> defaultTargets(ModelConfig c) {
        return c.family().defaultLoraTargets();
    }

    /** The model's last adapted layer: {@link #lastLayer}, with -1 resolved against {@code numLayers}. */
    int lastLayerOf(int numLayers) {
        return lastLayer == -1 ? numLayers - 1 : lastLayer;
    }
}
