package dev.mono4j.sae;

import ai.djl.ndarray.NDManager;

/**
 * Group Bias Adaptation settings (Chen et al. 2025, "Taming Polysemanticity", Algorithm GBA). Latents are
 * split at random into {@code groups} groups with target firing frequencies spaced geometrically from
 * {@code htf} down to {@code ltf}; every {@code adaptEvery} steps each latent's encoder bias moves towards
 * its group's target. The paper's first version uses HTF 0.1, its later version HTF 0.5; both are one flag.
 * The SAE is a ReLU SAE trained on reconstruction alone ({@link GbaSae}), saved as a plain ReLU ("standard") SAE,
 * or JumpReLU with {@code jumpRelu}. {@link BaConfig} is the one-group case.
 *
 * @param groups      K, the number of groups (BA: 1)
 * @param htf         the highest target frequency p₁ (BA's single target)
 * @param ltf         the lowest target frequency p_K
 * @param adaptEvery  T, steps between adaptations; statistics cover the rows of those T steps
 * @param gammaMinus  γ₋, step of a bias decrease as a fraction of the latent's peak pre-activation
 * @param gammaPlus   γ₊, step of a bias increase as a fraction of the group's mean peak
 * @param epsilon     ε, a latent firing less often than this (over the window) counts as dead and is raised
 * @param tied        encoder = decoderᵀ (default, see below); false trains a separate encoder
 * @param jumpRelu    gate with a threshold θ = −b instead of shifting by b (see {@link TrainableSae})
 */
public record GbaConfig(int groups, double htf, double ltf, int adaptEvery, double gammaMinus, double gammaPlus,
        double epsilon, boolean tied, boolean jumpRelu) implements ArchitectureConfig {
    /*
     * Tied by default: the paper's analysis (and its bias range [−1, 0] for unit-norm inputs) assumes each
     * latent's encoder row is its unit-norm decoder row, so that a bias is a cosine threshold; with a free
     * encoder the bias scale is arbitrary and the range means nothing. --gba-untied trains W_enc freely.
     */
    public static final GbaConfig DEFAULT = new GbaConfig(10, 0.1, 0.001, 50, 0.01, 0.01, 1e-6, true, false);

    public GbaConfig {
        if (groups < 1) {
            throw new IllegalArgumentException("GBA groups must be >= 1, got " + groups);
        }
        if (!(htf > 0 && htf <= 1 && ltf > 0 && ltf <= htf)) {
            throw new IllegalArgumentException("need 0 < LTF <= HTF <= 1, got HTF " + htf + ", LTF " + ltf);
        }
        if (adaptEvery < 1) {
            throw new IllegalArgumentException("GBA adapt-every must be >= 1 step, got " + adaptEvery);
        }
        if (gammaMinus <= 0 || gammaPlus <= 0 || epsilon < 0) {
            throw new IllegalArgumentException("GBA γ₋, γ₊ must be > 0 and ε >= 0");
        }
    }

    /** p_k for k = 0..K−1: geometric from HTF to LTF (p₁ > … > p_K). */
    public double target(int group) {
        return groups == 1 ? htf : htf * Math.pow(ltf / htf, (double) group / (groups - 1));
    }

    @Override
    public String architecture() {
        return "gba";
    }

    @Override
    public String knob() {
        return "htf";
    }

    @Override
    public double knobValue() {
        return htf;
    }

    @Override
    public GbaConfig withKnob(double v) {
        return new GbaConfig(groups, v, ltf, adaptEvery, gammaMinus, gammaPlus, epsilon, tied, jumpRelu);
    }

    @Override
    public TrainableSae newSae(SaeConfig run, int dIn, double inputNorm, float[] decoderBias, NDManager parent) {
        return new GbaSae(this, run, dIn, inputNorm, decoderBias, parent);
    }
}
