package dev.mono4j.model;

/** Rotary position embeddings (RoPE) as HF computes them: inverse frequencies, optionally llama3-scaled. */
final class Rotary {
    private final int headDim;
    private final double[] invFreq;

    Rotary(ModelConfig config) {
        headDim = config.headDim();
        int half = headDim / 2;
        // HF computes inverse frequencies and angles in float32; rounding the same way keeps cos/sin
        // equal to HF's at long positions (in double they drift by ~1e-3 past 10⁵ tokens).
        double[] f = new double[half];
        for (int i = 0; i < half; i++) {
            f[i] = (float) (1.0 / (float) Math.pow(config.ropeTheta(), (float) (2 * i) / headDim));
        }
        double[] scaled = config.ropeScaling() == null ? f : config.ropeScaling().apply(f);
        invFreq = java.util.Arrays.stream(scaled).map(x -> (float) x).toArray();
    }

    /** cos and sin tables {@code [positions, headDim]}, both halves repeating the same frequencies. */
    float[][] tables(long[] positions) {
        int half = headDim / 2;
        float[] cos = new float[positions.length * headDim];
        float[] sin = new float[positions.length * headDim];
        for (int i = 0; i < positions.length; i++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) positions[i] * (float) invFreq[j];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[i * headDim + j] = c;
                cos[i * headDim + j + half] = c;
                sin[i * headDim + j] = s;
                sin[i * headDim + j + half] = s;
            }
        }
        return new float[][] {cos, sin};
    }
}
