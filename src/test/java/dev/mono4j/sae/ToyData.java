package dev.mono4j.sae;

import java.util.Random;

/** Rows that are sparse non-negative mixes of a few random unit directions: a small superposition for tests. */
final class ToyData implements ActivationSource {
    final int dIn;
    final int features;
    final float[] directions;
    private final int active;
    private Random rnd;
    private final long seed;
    private long served;
    /** Fails once this many rows were handed out (simulates a killed run); Long.MAX_VALUE: never. */
    long failAfter = Long.MAX_VALUE;
    /** Rows from this index on are NaN (a run that goes non-finite); Long.MAX_VALUE: none. */
    long nanFrom = Long.MAX_VALUE;

    ToyData(int dIn, int features, int active, long seed) {
        this.dIn = dIn;
        this.features = features;
        this.active = active;
        this.seed = seed;
        Random r = new Random(1234);
        directions = new float[features * dIn];
        for (int f = 0; f < features; f++) {
            double n = 0;
            for (int j = 0; j < dIn; j++) {
                directions[f * dIn + j] = (float) r.nextGaussian();
                n += directions[f * dIn + j] * directions[f * dIn + j];
            }
            for (int j = 0; j < dIn; j++) {
                directions[f * dIn + j] /= (float) Math.sqrt(n);
            }
        }
        rnd = new Random(seed);
    }

    @Override
    public int dIn() {
        return dIn;
    }

    @Override
    public float[] next(int rows) {
        if (served + rows > failAfter) {
            throw new IllegalStateException("killed");
        }
        long first = served;
        served += rows;
        float[] x = new float[rows * dIn];
        for (int r = 0; r < rows; r++) {
            if (first + r >= nanFrom) {
                java.util.Arrays.fill(x, r * dIn, (r + 1) * dIn, Float.NaN);
                continue;
            }
            for (int a = 0; a < active; a++) {
                int f = rnd.nextInt(features);
                float h = 0.5f + rnd.nextFloat();
                for (int j = 0; j < dIn; j++) {
                    x[r * dIn + j] += h * directions[f * dIn + j];
                }
            }
        }
        return x;
    }
}
