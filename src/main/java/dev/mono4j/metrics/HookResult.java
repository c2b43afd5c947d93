package dev.mono4j.metrics;

/**
 * Every metric of one hook point of one model (see docs/metrics.md for the formulas).
 *
 * @param layer             the block the hook belongs to, -1 for hooks outside blocks
 * @param depth             relative depth layer / (layers − 1), as the papers plot it
 * @param neuronsTracked    neurons in the pairwise and per-concept metrics ({@code trackedNeurons} lists them
 *                          when they are a sample, null when all are tracked)
 * @param featureDecorrelation FD = 1 − meanCosine over pooled samples
 * @param tokenSelectivity  over tokens with concept labels, or null without them
 * @param textSelectivity   over pooled texts with labels, or null without them
 */
public record HookResult(String hook, int layer, double depth, int width, int neuronsTracked, long samples,
        double featureDecorrelation, double meanCosine, long tokens, double nearZeroFraction, double hoyer,
        double l1OverL2, double varianceAcrossDims, NeuronCorrelation.Result neuronCorrelation, double effectiveRank,
        int effectiveRankSamples, MonosemanticScale.Summary monosemanticScale,
        ConceptSelectivity.Result tokenSelectivity, ConceptSelectivity.Result textSelectivity, int[] trackedNeurons) {
}
