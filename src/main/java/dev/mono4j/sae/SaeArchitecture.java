package dev.mono4j.sae;

import java.util.Locale;

/**
 * How an SAE picks its active latents while training, and the SAELens architecture it is saved as.
 * BatchTopK trains with a batch-wide top-k and infers with one learned threshold, so it is saved as a
 * JumpReLU SAE whose thresholds all equal that value (as SAELens converts it). GBA and BA train a ReLU SAE
 * with adapted biases and save it as a plain ReLU ("standard") SAE, or JumpReLU with {@code --gba-jumprelu}.
 */
public enum SaeArchitecture {
    /** ReLU with an L1 penalty weighted by decoder row norms (Bricken et al. 2023; Anthropic, April 2024). */
    RELU,
    /** Keep the k largest pre-activations per row, with the AuxK loss for dead latents (Gao et al. 2024). */
    TOPK,
    /** Keep the k·batch largest pre-activations of the whole batch (Bussmann et al. 2024). */
    BATCHTOPK,
    /** z·H(z − θ) with a learned threshold per latent, trained with straight-through estimators and an L0 penalty
     * (Rajamanoharan et al. 2024). */
    JUMPRELU,
    /** Group Bias Adaptation (Chen et al. 2025): reconstruction loss only; biases set by frequency targets of K groups. */
    GBA,
    /** Bias Adaptation: GBA with a single group and target frequency. */
    BA;

    public static SaeArchitecture parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown SAE architecture '" + s + "' (relu, topk, batchtopk, jumprelu, gba, ba)");
        }
    }

    public boolean adaptsBiases() {
        return this == GBA || this == BA;
    }

    public boolean keepsTopK() {
        return this == TOPK || this == BATCHTOPK;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
