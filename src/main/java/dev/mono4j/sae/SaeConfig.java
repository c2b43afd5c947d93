package dev.mono4j.sae;

/**
 * Everything that defines an SAE training run; each field is one {@code ./mono4j sae train} flag. Defaults
 * follow the papers each architecture comes from (cited per field) and SAELens where the papers leave it open.
 *
 * @param architecture     how latents are chosen and which loss trains them
 * @param dSae             number of latents; 0 means {@code expansion × d_in}
 * @param expansion        d_sae / d_in when dSae is 0 (SAELens' expansion_factor)
 * @param k                active latents per row for TopK; average per row for BatchTopK (32: the benchmark's k)
 * @param l1Coefficient    λ of ReLU's L1 term Σᵢ fᵢ‖W_dec,ᵢ‖ (5, Anthropic April 2024, with inputs scaled to norm √d_in)
 * @param l0Coefficient    λ of JumpReLU's L0 term (Rajamanoharan et al. 2024 sweep it; 1 is a middle value at norm √d_in)
 * @param bandwidth        ε of JumpReLU's rectangle-kernel straight-through estimator (0.001, as the paper)
 * @param initThreshold    JumpReLU's initial θ (0.001, as the paper)
 * @param auxK             k_aux of the AuxK loss: dead latents used to model the residual (512, Gao et al.)
 * @param auxCoefficient   α of the AuxK loss (1/32, Gao et al.)
 * @param deadTokens       a latent that has not fired for this many training rows is dead (10M, Gao et al.)
 * @param denseThreshold   a latent firing on more than this share of rows is dense (0.1: log₁₀ density > −1)
 * @param gba              Group Bias Adaptation settings (GBA, BA)
 * @param sparseDecode     TopK/BatchTopK: decode and back-propagate through the active latents only (same
 *                         result as dense, faster; false computes everything densely)
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
 * @param logEvery         steps between lines of sae_log.jsonl
 * @param checkpointEvery  steps between checkpoints (written atomically; a killed run resumes from the last)
 */
public record SaeConfig(SaeArchitecture architecture, int dSae, int expansion, int k, double l1Coefficient,
        double l0Coefficient, double bandwidth, double initThreshold, int auxK, double auxCoefficient, long deadTokens,
        double denseThreshold, GbaConfig gba, boolean sparseDecode, boolean unitNormDecoder, boolean normalize,
        DecoderBiasInit decoderBiasInit, boolean freezeDecoderBias, double lr, int warmupSteps, double minLrRatio,
        int batchSize, int steps, long seed, int logEvery, int checkpointEvery) {

    public enum DecoderBiasInit { GEOMETRIC_MEDIAN, MEAN, ZERO }

    public static final SaeConfig DEFAULT = new SaeConfig(SaeArchitecture.TOPK, 0, 8, 32, 5.0, 1.0, 0.001, 0.001, 512,
            1.0 / 32, 10_000_000L, 0.1, GbaConfig.DEFAULT, true, true, true, DecoderBiasInit.GEOMETRIC_MEDIAN, false,
            3e-4, 100, 0.1, 4096, 5000, 1, 10, 500);

    public SaeConfig {
        if (dSae < 0 || expansion < 1) {
            throw new IllegalArgumentException("d_sae must be >= 0 (0: expansion × d_in) and expansion >= 1");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (l1Coefficient < 0 || l0Coefficient < 0 || auxCoefficient < 0 || auxK < 0) {
            throw new IllegalArgumentException("penalty coefficients and aux-k must be >= 0");
        }
        if (bandwidth <= 0 || initThreshold <= 0) {
            throw new IllegalArgumentException("JumpReLU bandwidth and initial threshold must be > 0");
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
        if (architecture == SaeArchitecture.BA && gba.groups() != 1) {
            gba = gba.singleGroup();
        }
    }

    /** The number of latents for inputs of width {@code dIn}. */
    public int latents(int dIn) {
        return dSae > 0 ? dSae : expansion * dIn;
    }

    public SaeConfig withArchitecture(SaeArchitecture a) {
        return toBuilder().architecture(a).build();
    }

    /** A builder holding this config's fields, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Changes some fields of a config and builds a new one (the record's checks run in {@link #build}). Setters
     * exist for the fields callers change; the others keep the values of the config it started from.
     */
    public static final class Builder {
        private SaeArchitecture architecture;
        private int dSae;
        private final int expansion;
        private int k;
        private double l1Coefficient;
        private double l0Coefficient;
        private final double bandwidth;
        private final double initThreshold;
        private final int auxK;
        private final double auxCoefficient;
        private final long deadTokens;
        private final double denseThreshold;
        private GbaConfig gba;
        private boolean sparseDecode;
        private final boolean unitNormDecoder;
        private final boolean normalize;
        private DecoderBiasInit decoderBiasInit;
        private boolean freezeDecoderBias;
        private double lr;
        private final int warmupSteps;
        private final double minLrRatio;
        private int batchSize;
        private int steps;
        private long seed;
        private int logEvery;
        private int checkpointEvery;

        private Builder(SaeConfig c) {
            architecture = c.architecture;
            dSae = c.dSae;
            expansion = c.expansion;
            k = c.k;
            l1Coefficient = c.l1Coefficient;
            l0Coefficient = c.l0Coefficient;
            bandwidth = c.bandwidth;
            initThreshold = c.initThreshold;
            auxK = c.auxK;
            auxCoefficient = c.auxCoefficient;
            deadTokens = c.deadTokens;
            denseThreshold = c.denseThreshold;
            gba = c.gba;
            sparseDecode = c.sparseDecode;
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

        public Builder architecture(SaeArchitecture v) {
            architecture = v;
            return this;
        }

        public Builder dSae(int v) {
            dSae = v;
            return this;
        }

        public Builder k(int v) {
            k = v;
            return this;
        }

        public Builder l1Coefficient(double v) {
            l1Coefficient = v;
            return this;
        }

        public Builder l0Coefficient(double v) {
            l0Coefficient = v;
            return this;
        }

        public Builder gba(GbaConfig v) {
            gba = v;
            return this;
        }

        public Builder sparseDecode(boolean v) {
            sparseDecode = v;
            return this;
        }

        public Builder decoderBias(DecoderBiasInit init, boolean freeze) {
            decoderBiasInit = init;
            freezeDecoderBias = freeze;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
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

        public SaeConfig build() {
            return new SaeConfig(architecture, dSae, expansion, k, l1Coefficient, l0Coefficient, bandwidth, initThreshold,
                    auxK, auxCoefficient, deadTokens, denseThreshold, gba, sparseDecode, unitNormDecoder, normalize,
                    decoderBiasInit, freezeDecoderBias, lr, warmupSteps, minLrRatio, batchSize, steps, seed, logEvery,
                    checkpointEvery);
        }
    }
}
