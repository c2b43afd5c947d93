package dev.mono4j.sae;

import ai.djl.ndarray.NDManager;

/**
 * Group Bias Adaptation settings (Chen et al. 2025, "Taming Polysemanticity", arXiv 2506.14002, Algorithm GBA;
 * sources as tagged in /work/shared/papers/gba.md: [S1] the ICLR summary, [S2] the v1 catalogue, [S4] a third-party
 * reimplementation). Latents are split at random into {@code groups} groups with target firing frequencies spaced
 * geometrically from {@code htf} down to {@code ltf}; every {@code adaptEvery} steps each latent's encoder bias moves
 * towards its group's target ({@link GroupBiasAdaptation}). The SAE is trained on reconstruction alone
 * ({@link GbaSae}), saved as a plain ReLU ("standard") SAE, or JumpReLU with {@code jumpRelu}. {@link BaConfig} is
 * the one-group case.
 *
 * @param groups      K, the number of groups (BA: 1)
 * @param htf         the highest target frequency p₁ (BA's single target)
 * @param ltf         the lowest target frequency p_K
 * @param adaptEvery  T, steps between adaptations; statistics cover the rows of those T steps
 * @param gammaMinus  γ₋, step of a bias decrease as a fraction of the latent's peak pre-activation
 * @param gammaPlus   γ₊, step of a bias increase as a fraction of the group's mean peak
 * @param epsilon     ε, a latent firing less often than this (over the window) counts as dead and is raised
 * @param tied        encoder = decoderᵀ (default, see below); false trains a separate encoder
 * @param jumpRelu    gate with a threshold θ = −b instead of shifting by b (see {@link GbaSae})
 * @param peak        what the peak r_m is the maximum of, see {@link Peak}
 * @param outputScale whether the per-neuron output scale a_m trains, see {@link OutputScale}
 */
public record GbaConfig(int groups, double htf, double ltf, int adaptEvery, double gammaMinus, double gammaPlus,
        double epsilon, boolean tied, boolean jumpRelu, Peak peak, OutputScale outputScale)
        implements ArchitectureConfig {
    /**
     * r_m, the peak the rule steps a bias by: the largest value over the window of
     * <ul>
     * <li>{@code PRE_ACTIVATION} (default): y_m = w_m·(x − b_pre) + b_m, the pre-activation with its bias, as the
     * paper defines r_m (gba.md §3–4, [S1]); a latent that never fires then has no positive peak, which is why the
     * rule raises a dead latent by its group's mean peak instead of its own;</li>
     * <li>{@code PROJECTION}: w_m·(x − b_pre), without the bias. Our earlier choice (mono4j before this option),
     * kept so that run folders written then resume to the same result and the older tables of
     * docs/reproduction.md can be rerun.</li>
     * </ul>
     */
    public enum Peak { PRE_ACTIVATION, PROJECTION }

    /**
     * The per-neuron output scale a_m of f(x) = Σ_m a_m w_m φ(y_m) + b_pre (gba.md §3, [S1]):
     * <ul>
     * <li>{@code TRAINED} (default): a starts at 1 and Adam trains it with w ([S1]: "only w and a" get gradients);
     * with unit-norm tied rows it is what lets a latent's output differ from its encoder score, e.g. make up the
     * shrinkage of a negative bias;</li>
     * <li>{@code FIXED}: a = 1 throughout, as [S2] reads the v1 experiments (and mono4j before this option).</li>
     * </ul>
     * The sources disagree; the default follows the method as written ([S1]), which the issue also names.
     */
    public enum OutputScale { TRAINED, FIXED }

    /*
     * Defaults, each with its source (gba.md §5):
     * - K = 10 groups: [S2] (v1, LLM runs); [S1] "default 10".
     * - HTF 0.1, LTF 0.001: the v1 range [S2] (as [S4]); the ICLR text's HTF 0.5 [S1] is one flag away.
     * - T = 50 steps: [S1].  γ₋ = γ₊ = 0.01: [S1].
     * - ε = 1e-6: the paper's value was not found; [S4]'s, i.e. "never fired in the window" at our window sizes.
     * - tied: the paper's f(x;Θ) uses w_m as encoder and decoder row [S1]; its bias range [−1, 0] then reads as a
     *   cosine threshold. --gba-untied is our addition.
     * - ReLU: our choice for one default across data. The theory analyses a (smooth) ReLU; the paper's LLM runs use
     *   JumpReLU ([S1], [S2], [S3]), i.e. --gba-jumprelu for that setting.
     * - r_m of the pre-activation and a trained output scale: see Peak and OutputScale.
     */
    public static final GbaConfig DEFAULT = new GbaConfig(10, 0.1, 0.001, 50, 0.01, 0.01, 1e-6, true, false,
            Peak.PRE_ACTIVATION, OutputScale.TRAINED);

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
        // A config saved before these fields existed (they read as null) ran what the second constant names.
        peak = peak == null ? Peak.PROJECTION : peak;
        outputScale = outputScale == null ? OutputScale.FIXED : outputScale;
    }

    public static Builder builder() {
        return new Builder(DEFAULT);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** p_k for k = 0..K−1: geometric from HTF to LTF (p₁ > … > p_K, p_k/p_{k+1} constant, gba.md §4 step 1). */
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
        return toBuilder().htf(v).build();
    }

    @Override
    public TrainableSae newSae(SaeConfig run, int dIn, double inputNorm, float[] decoderBias, NDManager parent) {
        return new GbaSae(this, run, dIn, inputNorm, decoderBias, parent);
    }

    /** Settings from a starting config, changed field by field. */
    public static final class Builder {
        private int groups;
        private double htf;
        private double ltf;
        private int adaptEvery;
        private double gammaMinus;
        private double gammaPlus;
        private double epsilon;
        private boolean tied;
        private boolean jumpRelu;
        private Peak peak;
        private OutputScale outputScale;

        private Builder(GbaConfig c) {
            groups = c.groups;
            htf = c.htf;
            ltf = c.ltf;
            adaptEvery = c.adaptEvery;
            gammaMinus = c.gammaMinus;
            gammaPlus = c.gammaPlus;
            epsilon = c.epsilon;
            tied = c.tied;
            jumpRelu = c.jumpRelu;
            peak = c.peak;
            outputScale = c.outputScale;
        }

        public Builder groups(int v) {
            groups = v;
            return this;
        }

        public Builder htf(double v) {
            htf = v;
            return this;
        }

        public Builder ltf(double v) {
            ltf = v;
            return this;
        }

        public Builder adaptEvery(int v) {
            adaptEvery = v;
            return this;
        }

        public Builder gammaMinus(double v) {
            gammaMinus = v;
            return this;
        }

        public Builder gammaPlus(double v) {
            gammaPlus = v;
            return this;
        }

        public Builder epsilon(double v) {
            epsilon = v;
            return this;
        }

        public Builder tied(boolean v) {
            tied = v;
            return this;
        }

        public Builder jumpRelu(boolean v) {
            jumpRelu = v;
            return this;
        }

        public Builder peak(Peak v) {
            peak = v;
            return this;
        }

        public Builder outputScale(OutputScale v) {
            outputScale = v;
            return this;
        }

        public GbaConfig build() {
            return new GbaConfig(groups, htf, ltf, adaptEvery, gammaMinus, gammaPlus, epsilon, tied, jumpRelu, peak,
                    outputScale);
        }
    }
}
