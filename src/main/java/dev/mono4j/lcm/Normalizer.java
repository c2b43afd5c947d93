package dev.mono4j.lcm;

/**
 * A per-channel affine map of embeddings, x ↦ (x − center) / scale, fitted on training sentences (the LCM's SONAR
 * normaliser, facebookresearch/large_concept_model@fd7db80 {@code lcm/models/sonar_normalizer}). Models train and
 * predict in the normalised space; decoding denormalises.
 *
 * @param center per channel
 * @param scale  per channel, positive
 */
public record Normalizer(String method, float[] center, float[] scale) {

    public Normalizer {
        if (center.length != scale.length) {
            throw new IllegalArgumentException("center and scale differ in width");
        }
    }

    /** The identity of width {@code dim}. */
    public static Normalizer identity(int dim) {
        float[] ones = new float[dim];
        java.util.Arrays.fill(ones, 1f);
        return new Normalizer("none", new float[dim], ones);
    }

    public float[] normalize(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (x[i] - center[i % center.length]) / scale[i % scale.length];
        }
        return y;
    }

    public float[] denormalize(float[] y) {
        float[] x = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            x[i] = y[i] * scale[i % scale.length] + center[i % center.length];
        }
        return x;
    }
}
