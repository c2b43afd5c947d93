package dev.mono4j.sae;

import dev.mono4j.data.Shuffle;
import java.util.Arrays;
import java.util.Random;

/**
 * The bias adaptation loop of GBA (Chen et al. 2025, Algorithm 2; BA, Algorithm 1, is the one-group case; gba.md §4,
 * [S1], consistent with [S4]). Latents are split into K groups at random ([S4]: a random permutation; [S1]: K groups
 * of M/K), group k aiming at firing frequency p_k. The biases get no gradient; over a window of T steps the loop
 * counts how often each latent m fires (p_m, the share of the window's rows with y_m > 0) and its peak r_m (the
 * largest y_m of the window, see {@link GbaConfig.Peak}); at the end of the window (gba.md §4 step 5):
 * <pre>
 *   if p_m > p_k:       b_m ← max(b_m − γ₋ r_m, −R)       (fires too often: raise its bar)
 *   else if p_m < ε:    b_m ← min(b_m + γ₊ r̄_k, 0)       (nearly dead: lower its bar by the group's mean peak)
 * </pre>
 * r̄_k is the mean of the group's positive peaks; then the window starts afresh (step 6). ([S3] notes that the
 * ICLR Algorithm 1 swaps min and max; this is the reading that keeps b in [−R, 0].) The paper bounds b in [−1, 0],
 * which suggests unit-norm inputs; R is that bound at the inputs' scale, their mean norm as the SAE sees them
 * (our choice, equivalent to the paper's bound for inputs scaled to mean norm 1), so the rule does not depend on
 * how activations are normalised.
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

    /** Adds one step's statistics: per-latent firing counts over {@code n} rows and peaks (only their positive part counts). */
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
                // Our choice where the paper is silent: a group with no positive peak has no mean; nothing to step by.
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
