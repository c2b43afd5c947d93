package dev.mono4j.sae;

import ai.djl.ndarray.NDManager;

/**
 * JumpReLU SAE (Rajamanoharan et al. 2024): z·H(z − θ) with a learned threshold per latent, trained with
 * straight-through estimators and an L0 penalty.
 *
 * @param l0Coefficient λ of the L0 term (the paper sweeps it; 1 is a middle value at norm √d_in)
 * @param bandwidth     ε of the rectangle-kernel straight-through estimator (0.001, as the paper)
 * @param initThreshold the initial θ (0.001, as the paper)
 */
public record JumpReluConfig(double l0Coefficient, double bandwidth, double initThreshold) implements ArchitectureConfig {
    public static final JumpReluConfig DEFAULT = new JumpReluConfig(1.0, 0.001, 0.001);

    public JumpReluConfig {
        if (l0Coefficient < 0) {
            throw new IllegalArgumentException("penalty coefficients and aux-k must be >= 0");
        }
        if (bandwidth <= 0 || initThreshold <= 0) {
            throw new IllegalArgumentException("JumpReLU bandwidth and initial threshold must be > 0");
        }
    }

    @Override
    public String architecture() {
        return "jumprelu";
    }

    @Override
    public String knob() {
        return "l0";
    }

    @Override
    public double knobValue() {
        return l0Coefficient;
    }

    @Override
    public JumpReluConfig withKnob(double v) {
        return new JumpReluConfig(v, bandwidth, initThreshold);
    }

    @Override
    public TrainableSae newSae(SaeConfig run, int dIn, double inputNorm, float[] decoderBias, NDManager parent) {
        return new JumpReluSae(this, run, dIn, decoderBias, parent);
    }
}
