package dev.mono4j.sae;

import dev.mono4j.data.Shuffle;
import java.util.Arrays;
import java.util.Random;

/**
 * The bias adaptation loop of GBA (Chen et al. 2025, Algorithm 2; BA, Algorithm 1, is the one-group case).
 * Latents are split into K groups at random, group k aiming at firing frequency p_k. Over a window of T
 * steps the loop counts how often each latent m fires (p_m) and its peak positive pre-activation r_m; at the
 * end of the window:
 * <pre>
 *   if p_m > p_k:       b_m ← max(b_m − γ₋ r_m, −R)       (fires too often: raise its bar)
 *   else if p_m < ε:    b_m ← min(b_m + γ₊ r̄_k, 0)       (dead: lower its bar by the group's mean peak)
 * </pre>
 * The paper bounds b in [−1, 0] for unit-norm inputs; R is that bound at the inputs' scale (their mean norm),
 * so the rule does not depend on how activations are normalised. The peak r_m is taken of w_m·(x − b_dec),
 * without the bias, so it measures how strongly the latent's direction is present, not its margin.
 */
final class GroupBiasAdaptation {
    private final GbaConfig cfg;
    private final int[] group;
    private final double bound;
    /** Window statistics: rows seen, each latent's firing count and peak pre-activation. */
    private long rows;
    private final long[] fired;
    private final float[] peak;

    GroupBiasAdaptation(GbaConfig cfg, int latents, double inputNorm, long seed) {
        this.cfg = cfg;
        this.bound = inputNorm;
        this.group = partition(latents, cfg.groups(), seed);
        this.fired = new long[latents];
        this.peak = new float[latents];
    }

    /** A random partition into groups as equal as sizes allow: a shuffled 0,1,…,K−1,0,1,… */
    static int[] partition(int latents, int groups, long seed) {
        int[] g = new int[latents];
        for (int i = 0; i < latents; i++) {
            g[i] = i % groups;
        }
        Shuffle.inPlace(g, new Random(seed ^ 0x9E3779B97F4A7C15L));
        return g;
    }

    int groupOf(int latent) {
        return group[latent];
    }

    /** Adds one step's statistics: per-latent firing counts over {@code n} rows and peak pre-activations. */
    void record(float[] firing, float[] stepPeak, int n) {
        rows += n;
        for (int i = 0; i < fired.length; i++) {
            fired[i] += (long) firing[i];
            peak[i] = Math.max(peak[i], stepPeak[i]);
        }
    }

    /** Whether step {@code step} (1-based) ends a window. */
    boolean due(int step) {
        return step % cfg.adaptEvery() == 0;
    }

    /** Applies the rule to {@code bias} in place and starts a new window. */
    void adapt(float[] bias) {
        int groups = cfg.groups();
        double[] peakSum = new double[groups];
        int[] peakCount = new int[groups];
        for (int i = 0; i < bias.length; i++) {
            if (peak[i] > 0) {
                peakSum[group[i]] += peak[i];
                peakCount[group[i]]++;
            }
        }
        for (int i = 0; i < bias.length; i++) {
            int k = group[i];
            double p = (double) fired[i] / rows;
            if (p > cfg.target(k)) {
                bias[i] = (float) Math.max(bias[i] - cfg.gammaMinus() * peak[i], -bound);
            } else if (p < cfg.epsilon() && peakCount[k] > 0) {
                // A group whose latents never pre-activate positively has no mean peak; nothing to step by.
                bias[i] = (float) Math.min(bias[i] + cfg.gammaPlus() * peakSum[k] / peakCount[k], 0);
            }
        }
        rows = 0;
        Arrays.fill(fired, 0);
        Arrays.fill(peak, 0);
    }

    /** The window statistics, for checkpoints: rows, then per latent fired and peak. */
    long windowRows() {
        return rows;
    }

    long[] windowFired() {
        return fired;
    }

    float[] windowPeak() {
        return peak;
    }

    void restoreWindow(long rows, long[] fired, float[] peak) {
        this.rows = rows;
        System.arraycopy(fired, 0, this.fired, 0, fired.length);
        System.arraycopy(peak, 0, this.peak, 0, peak.length);
    }
}
