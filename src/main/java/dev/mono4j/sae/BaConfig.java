package dev.mono4j.sae;

import ai.djl.ndarray.NDManager;

/**
 * Bias Adaptation (Chen et al. 2025, Algorithm 1): GBA with a single group whose target frequency is {@code htf}
 * (gba.md §4: "BA = one group with one target p"). The other fields are {@link GbaConfig}'s, with its defaults.
 */
public record BaConfig(double htf, int adaptEvery, double gammaMinus, double gammaPlus, double epsilon, boolean tied,
        boolean jumpRelu, GbaConfig.Peak peak, GbaConfig.OutputScale outputScale) implements ArchitectureConfig {
    public static final BaConfig DEFAULT = of(GbaConfig.DEFAULT);

    public BaConfig {
        GbaConfig g = asGba(htf, adaptEvery, gammaMinus, gammaPlus, epsilon, tied, jumpRelu, peak, outputScale);
        peak = g.peak(); // GbaConfig's checks, and its reading of a config saved without these fields
        outputScale = g.outputScale();
    }

    /** BA with {@code g}'s settings, aiming at its highest target frequency. */
    public static BaConfig of(GbaConfig g) {
        return new BaConfig(g.htf(), g.adaptEvery(), g.gammaMinus(), g.gammaPlus(), g.epsilon(), g.tied(), g.jumpRelu(),
                g.peak(), g.outputScale());
    }

    /** The one-group GBA this is. */
    public GbaConfig asGba() {
        return asGba(htf, adaptEvery, gammaMinus, gammaPlus, epsilon, tied, jumpRelu, peak, outputScale);
    }

    private static GbaConfig asGba(double htf, int adaptEvery, double gammaMinus, double gammaPlus, double epsilon,
            boolean tied, boolean jumpRelu, GbaConfig.Peak peak, GbaConfig.OutputScale outputScale) {
        return new GbaConfig(1, htf, htf, adaptEvery, gammaMinus, gammaPlus, epsilon, tied, jumpRelu, peak, outputScale);
    }

    @Override
    public String architecture() {
        return "ba";
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
    public BaConfig withKnob(double v) {
        return new BaConfig(v, adaptEvery, gammaMinus, gammaPlus, epsilon, tied, jumpRelu, peak, outputScale);
    }

    @Override
    public TrainableSae newSae(SaeConfig run, int dIn, double inputNorm, float[] decoderBias, NDManager parent) {
        return new GbaSae(asGba(), run, dIn, inputNorm, decoderBias, parent);
    }
}
