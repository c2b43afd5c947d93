package dev.mono4j.sae;

import ai.djl.ndarray.NDManager;

/**
 * ReLU SAE with an L1 penalty weighted by decoder row norms (Bricken et al. 2023; Anthropic, April 2024).
 *
 * @param l1Coefficient λ of the L1 term Σᵢ fᵢ‖W_dec,ᵢ‖ (5, Anthropic April 2024, with inputs scaled to norm √d_in)
 */
public record ReluConfig(double l1Coefficient) implements ArchitectureConfig {
    public static final ReluConfig DEFAULT = new ReluConfig(5.0);

    public ReluConfig {
        if (l1Coefficient < 0) {
            throw new IllegalArgumentException("penalty coefficients and aux-k must be >= 0");
        }
    }

    @Override
    public String architecture() {
        return "relu";
    }

    @Override
    public String knob() {
        return "l1";
    }

    @Override
    public double knobValue() {
        return l1Coefficient;
    }

    @Override
    public ReluConfig withKnob(double v) {
        return new ReluConfig(v);
    }

    @Override
    public TrainableSae newSae(SaeConfig run, int dIn, double inputNorm, float[] decoderBias, NDManager parent) {
        return new ReluSae(this, run, dIn, decoderBias, parent);
    }
}
