package dev.mono4j.sae;

import java.util.Objects;

/**
 * Everything that defines an SAE training run; each field is one {@code ./mono4j sae train} flag. The chosen
 * architecture's own settings are one record ({@link ArchitectureConfig}, see {@link SaeArchitectures}); the
 * fields here apply to every architecture. Defaults (in {@link Builder}, one place) follow the papers cited per
 * field and SAELens where the papers leave it open.
 *
 * @param architecture     how latents are chosen and which loss trains them, with that architecture's settings
 * @param dSae             number of latents; 0 means {@code expansion × d_in}
 * @param expansion        d_sae / d_in when dSae is 0 (SAELens' expansion_factor)
 * @param deadTokens       a latent that has not fired for this many training rows is dead (10M, Gao et al.)
 * @param denseThreshold   a latent firing on more than this share of rows is dense (0.1: log₁₀ density > −1)
 * @param unitNormDecoder  keep decoder rows at unit norm, removing the gradient's component along each row
 * @param normalize        scale inputs so their mean norm is √d_in while training; folded into the weights on save
 * @param decoderBiasInit  how b_dec starts: the geometric median or mean of a sample, or zero
 * @param freezeDecoderBias keep b_dec where it started instead of training it (SAELens trains it). GBA on the
 *                         paper's synthetic data needs it held: a trained b_dec drifts (to the norm of a typical
 *                         row, ten times the data mean's) and moves every tied latent's threshold by −w·b_dec, out
 *                         of the adaptation's reach, killing the latents that point along it (docs/reproduction.md)
 * @param lr               Adam's peak learning rate (3e-4, SAELens)
 * @param warmupSteps      linear warm-up steps (capped at the run's length)
 * @param minLrRatio       cosine decay ends at lr × this
 * @param batchSize        rows per step (4,096, Gao et al. and Bricken et al.)
 * @param steps            optimizer steps
 * @param seed             initialisation, group partition and data order
 * @param logEvery         steps between lines of the run's log (and one after the last step)
 * @param checkpointEvery  steps between checkpoints (and one after the last step; written atomically, a killed run
 *                         resumes from the last)
 */
public record SaeConfig(ArchitectureConfig architecture, int dSae, int expansion, long deadTokens,
        double denseThreshold, boolean unitNormDecoder, boolean normalize, DecoderBiasInit decoderBiasInit,
        boolean freezeDecoderBias, double lr, int warmupSteps, double minLrRatio, int batchSize, int steps, long seed,
        int logEvery, int checkpointEvery) {

    public enum DecoderBiasInit { GEOMETRIC_MEDIAN, MEAN, ZERO }

    /** Every default: TopK with its paper defaults. */
    public static final SaeConfig DEFAULT = builder().build();

    public SaeConfig {
        Objects.requireNonNull(architecture, "architecture");
        if (dSae < 0 || expansion < 1) {
            throw new IllegalArgumentException("d_sae must be >= 0 (0: expansion × d_in) and expansion >= 1");
        }
        if (deadTokens < 1 || !(denseThreshold > 0 && denseThreshold <= 1)) {
            throw new IllegalArgumentException("dead-tokens must be >= 1 and 0 < dense-threshold <= 1");
        }
        if (!(lr > 0) || warmupSteps < 0 || minLrRatio < 0 || minLrRatio > 1) {
            throw new IllegalArgumentException("need lr > 0, warmup >= 0 and 0 <= min-lr-ratio <= 1");
        }
        if (batchSize < 1 || steps < 1 || logEvery < 1 || checkpointEvery < 1) {
            throw new IllegalArgumentException("batch size, steps, log-every and checkpoint-every must be >= 1");
        }
    }

    /** The number of latents for inputs of width {@code dIn}. */
    public int latents(int dIn) {
        return dSae > 0 ? dSae : expansion * dIn;
    }

    public SaeConfig withArchitecture(ArchitectureConfig a) {
        return toBuilder().architecture(a).build();
    }

    /** A builder holding every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's fields, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Sets some fields and builds a config (the record's checks run in {@link #build}); the defaults live here. */
    public static final class Builder {
        private ArchitectureConfig architecture = TopKConfig.DEFAULT;
        private int dSae = 0;
        private int expansion = 8;
        private long deadTokens = 10_000_000L;
        private double denseThreshold = 0.1;
        private boolean unitNormDecoder = true;
        private boolean normalize = true;
        private DecoderBiasInit decoderBiasInit = DecoderBiasInit.GEOMETRIC_MEDIAN;
        private boolean freezeDecoderBias = false;
        private double lr = 3e-4;
        private int warmupSteps = 100;
        private double minLrRatio = 0.1;
        private int batchSize = 4096;
        private int steps = 5000;
        private long seed = 1;
        private int logEvery = 10;
        private int checkpointEvery = 500;

        private Builder() {
        }

        private Builder(SaeConfig c) {
            architecture = c.architecture;
            dSae = c.dSae;
            expansion = c.expansion;
            deadTokens = c.deadTokens;
            denseThreshold = c.denseThreshold;
            unitNormDecoder = c.unitNormDecoder;
            normalize = c.normalize;
            decoderBiasInit = c.decoderBiasInit;
            freezeDecoderBias = c.freezeDecoderBias;
            lr = c.lr;
            warmupSteps = c.warmupSteps;
            minLrRatio = c.minLrRatio;
            batchSize = c.batchSize;
            steps = c.steps;
            seed = c.seed;
            logEvery = c.logEvery;
            checkpointEvery = c.checkpointEvery;
        }

        public Builder architecture(ArchitectureConfig v) {
            architecture = v;
            return this;
        }

        public Builder dSae(int v) {
            dSae = v;
            return this;
        }

        public Builder expansion(int v) {
            expansion = v;
            return this;
        }

        public Builder deadTokens(long v) {
            deadTokens = v;
            return this;
        }

        public Builder denseThreshold(double v) {
            denseThreshold = v;
            return this;
        }

        public Builder unitNormDecoder(boolean v) {
            unitNormDecoder = v;
            return this;
        }

        public Builder normalize(boolean v) {
            normalize = v;
            return this;
        }

        public Builder decoderBiasInit(DecoderBiasInit v) {
            decoderBiasInit = v;
            return this;
        }

        public Builder freezeDecoderBias(boolean v) {
            freezeDecoderBias = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder warmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        public Builder minLrRatio(double v) {
            minLrRatio = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder logEvery(int v) {
            logEvery = v;
            return this;
        }

        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        /** b_dec's start and whether it stays there. */
        public Builder decoderBias(DecoderBiasInit init, boolean freeze) {
            return decoderBiasInit(init).freezeDecoderBias(freeze);
        }

        public SaeConfig build() {
            return new SaeConfig(architecture, dSae, expansion, deadTokens, denseThreshold, unitNormDecoder, normalize, decoderBiasInit, freezeDecoderBias, lr, warmupSteps, minLrRatio, batchSize, steps, seed, logEvery, checkpointEvery);
        }
    }
}
