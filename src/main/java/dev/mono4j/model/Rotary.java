package dev.mono4j.model;

/**
 * Rotary position embeddings (RoPE) as HF computes them: inverse frequencies, optionally llama3-scaled, over the
 * family's rotary dimensions ({@link ModelFamily#rotaryDim}: the whole head, or GPT-NeoX's partial share).
 */
final class Rotary {
    /** The rotated dimensions per head; the frequencies are base^(-2i / this), as HF's {@code dim}. */
    private final int dim;
    private final double[] invFreq;

    Rotary(ModelConfig config) {
        dim = config.family().rotaryDim(config);
        int half = dim / 2;
        // HF computes inverse frequencies and angles in float32; rounding the same way keeps cos/sin
        // equal to HF's at long positions (in double they drift by ~1e-3 past 10⁵ tokens).
        double[] f = new double[half];
        for (int i = 0; i < half; i++) {
            f[i] = (float) (1.0 / (float) Math.pow(config.ropeTheta(), (float) (2 * i) / dim));
        }
        double[] scaled = config.ropeScaling() == null ? f : config.ropeScaling().apply(f);
        invFreq = java.util.Arrays.stream(scaled).map(x -> (float) x).toArray();
    }

    /** cos and sin tables {@code [positions, rotaryDim]}, both halves repeating the same frequencies. */
    float[][] tables(long[] positions) {
        int half = dim / 2;
        float[] cos = new float[positions.length * dim];
        float[] sin = new float[positions.length * dim];
        for (int i = 0; i < positions.length; i++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) positions[i] * (float) invFreq[j];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[i * dim + j] = c;
                cos[i * dim + j + half] = c;
                sin[i * dim + j] = s;
                sin[i * dim + j + half] = s;
            }
        }
        return new float[][] {cos, sin};
    }
}
