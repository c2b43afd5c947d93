package dev.mono4j.sae;

import ai.djl.ndarray.NDManager;

/**
 * TopK SAE (Gao et al. 2024): the k largest pre-activations of each row are kept, with the AuxK loss for dead
 * latents.
 *
 * @param k              active latents per row (32: the benchmark's k)
 * @param auxK           k_aux of the AuxK loss: dead latents used to model the residual (512, Gao et al.); 0 disables
 * @param auxCoefficient α of the AuxK loss (1/32, Gao et al.)
 * @param sparseDecode   decode and back-propagate through the active latents only (same result as dense, faster;
 *                       false computes everything densely)
 */
public record TopKConfig(int k, int auxK, double auxCoefficient, boolean sparseDecode) implements ArchitectureConfig {
    public static final TopKConfig DEFAULT = new TopKConfig(32, 512, 1.0 / 32, true);

    public TopKConfig {
        check(k, auxK, auxCoefficient);
    }

    /** The checks TopK and BatchTopK share. */
    static void check(int k, int auxK, double auxCoefficient) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (auxCoefficient < 0 || auxK < 0) {
            throw new IllegalArgumentException("penalty coefficients and aux-k must be >= 0");
        }
    }

    /** k from a sweep value, which must be whole. */
    static int wholeK(double v) {
        if (v != Math.rint(v)) {
            throw new IllegalArgumentException("k must be a whole number, got " + SaeCompare.format(v));
        }
        return (int) v;
    }

    @Override
    public String architecture() {
        return "topk";
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
    public TopKConfig withKnob(double v) {
        return new TopKConfig(wholeK(v), auxK, auxCoefficient, sparseDecode);
    }

    @Override
    public TrainableSae newSae(SaeConfig run, int dIn, double inputNorm, float[] decoderBias, NDManager parent) {
        return new TopKSae(run, k, auxK, auxCoefficient, sparseDecode, dIn, decoderBias, parent);
    }
}
