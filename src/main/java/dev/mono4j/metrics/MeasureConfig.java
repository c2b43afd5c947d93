package dev.mono4j.metrics;

/**
 * How {@code measure} reads a model. Defaults follow DecPO (last-token pooling, the MLP's up-projection)
 * where the papers say; the rest are our choices, documented in docs/metrics.md.
 *
 * @param hooks                glob(s) of hook points; null picks the paper's MLP activation per family
 *                             ({@code mlp.hook_pre_linear} for gated MLPs, {@code mlp.hook_post} for GPT-2)
 * @param pool                 how texts are pooled for FD and effective rank
 * @param batchSize            texts per forward pass (memory bound)
 * @param maxTokens            longer texts are cut to this many tokens (DecPO trains on 256)
 * @param maxNeurons           neurons tracked per hook by the pairwise and per-neuron-per-concept metrics
 *                             (a seeded random sample when the hook is wider: their cost grows as m²)
 * @param rankSamples          pooled vectors kept for the effective rank
 * @param zeroEpsilon          |a| below this counts as zero in the near-zero fraction
 * @param selectivityThreshold AUROC a concept must reach for a neuron to count as selective for it
 * @param memelWindow          MEmeL's forgetting window: the running statistics count at most this many tokens
 * @param memelEpsilon         MEmeL's variance compensation ε (S² + ε·mean(S²))
 * @param topNeurons           how many top MEmeL neurons to list per hook
 * @param seed                 picks the tracked neuron sample
 */
public record MeasureConfig(String hooks, Pool pool, int batchSize, int maxTokens, int maxNeurons, int rankSamples,
        double zeroEpsilon, double selectivityThreshold, int memelWindow, double memelEpsilon, int topNeurons,
        long seed) {
    public static final MeasureConfig DEFAULT = new MeasureConfig(null, Pool.LAST, 16, 256, 256, 512, 1e-3, 0.9,
            65_536, 1e-2, 10, 0);

    public MeasureConfig {
        if (batchSize < 1 || maxTokens < 1 || maxNeurons < 2 || rankSamples < 1 || topNeurons < 0 || memelWindow < 1) {
            throw new IllegalArgumentException("batch size, max tokens, rank samples and the MEmeL window must be"
                    + " at least 1, max neurons at least 2");
        }
        if (!(zeroEpsilon >= 0) || !(memelEpsilon >= 0)) {
            throw new IllegalArgumentException("epsilons must be >= 0");
        }
        if (!(selectivityThreshold > 0.5 && selectivityThreshold <= 1)) {
            throw new IllegalArgumentException("the selectivity threshold is an AUROC in (0.5, 1]");
        }
    }

    /** These settings at other hook points (null: the default per model family). */
    public MeasureConfig withHooks(String globs) {
        return new MeasureConfig(globs, pool, batchSize, maxTokens, maxNeurons, rankSamples, zeroEpsilon,
                selectivityThreshold, memelWindow, memelEpsilon, topNeurons, seed);
    }
}
