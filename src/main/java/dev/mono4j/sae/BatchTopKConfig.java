package dev.mono4j.sae;

import ai.djl.ndarray.NDManager;

/**
 * BatchTopK SAE (Bussmann et al. 2024): the k·batch largest pre-activations of the whole batch are kept while
 * training; inference uses one learned threshold, so it is saved as a JumpReLU SAE whose thresholds all equal it
 * (as SAELens converts it). AuxK as TopK's.
 *
 * @param k              average active latents per row (32: the benchmark's k)
 * @param auxK           k_aux of the AuxK loss (512, Gao et al. 2024); 0 disables
 * @param auxCoefficient α of the AuxK loss (1/32, Gao et al. 2024)
 * @param sparseDecode   decode and back-propagate through the active latents only (same result as dense, faster)
 */
public record BatchTopKConfig(int k, int auxK, double auxCoefficient, boolean sparseDecode)
        implements ArchitectureConfig {
    public static final BatchTopKConfig DEFAULT = new BatchTopKConfig(32, 512, 1.0 / 32, true);

    public BatchTopKConfig {
        TopKConfig.check(k, auxK, auxCoefficient);
    }

    @Override
    public String architecture() {
        return "batchtopk";
    }

    @Override
    public String knob() {
        return "k";
    }

    @Override
    public double knobValue() {
        return k;
    }

    @Override
    public BatchTopKConfig withKnob(double v) {
        return new BatchTopKConfig(TopKConfig.wholeK(v), auxK, auxCoefficient, sparseDecode);
    }

    @Override
    public TrainableSae newSae(SaeConfig run, int dIn, double inputNorm, float[] decoderBias, NDManager parent) {
        return new BatchTopKSae(run, k, auxK, auxCoefficient, sparseDecode, dIn, decoderBias, parent);
    }
}
