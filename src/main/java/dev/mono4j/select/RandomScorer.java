package dev.mono4j.select;

import dev.mono4j.data.LabelledText;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The random baseline: each pool sample gets a uniform score in [0, 1) that is a pure function of (seed, pool
 * index), so the top-n is a uniform random subset, the same whichever batch a sample falls in or wherever a run
 * resumes.
 */
final class RandomScorer implements PoolScorer {
    private final long seed;

    RandomScorer(long seed) {
        this.seed = seed;
    }

    @Override
    public float[] score(long first, List<LabelledText> batch) {
        float[] s = new float[batch.size()];
        for (int i = 0; i < s.length; i++) {
            // SplittableRandom's seed is mixed before use, so consecutive indices give independent draws.
            s[i] = (float) new SplittableRandom(seed * 0x9E3779B97F4A7C15L + first + i).nextDouble();
        }
        return s;
    }
}
