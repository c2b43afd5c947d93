package dev.mono4j.align;

import ai.djl.ndarray.NDManager;
import dev.mono4j.data.PreferencePairs.Pair;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.util.List;

/**
 * Summed completion log-probs of pairs under a model, computed without gradient in batches: the
 * reference model's (once, before training) and the policy's on held-out pairs.
 */
public record PairLogProbs(float[] chosen, float[] rejected, float[] chosenLengths, float[] rejectedLengths) {

    public static PairLogProbs of(TransformerLM model, Tokenizer tok, List<Pair> pairs, AlignConfig cfg) {
        int n = pairs.size();
        PairLogProbs out = new PairLogProbs(new float[n], new float[n], new float[n], new float[n]);
        for (int from = 0; from < n; from += cfg.batchSize()) {
            List<Pair> part = pairs.subList(from, Math.min(n, from + cfg.batchSize()));
            PreferenceBatch b = PreferenceBatch.encode(tok, part, cfg.maxPromptTokens(), cfg.maxLength());
            float[] sums;
            try (NDManager step = model.manager().newSubManager()) {
                sums = PolicyLogProbs.sums(model, step, b, Hooks.none()).toFloatArray();
            }
            out.put(from, b, sums);
        }
        return out;
    }

    /** Stores a batch's [2B] sums (chosen rows, then rejected) and lengths at pair {@code from}. */
    void put(int from, PreferenceBatch b, float[] sums) {
        int k = b.size();
        System.arraycopy(sums, 0, chosen, from, k);
        System.arraycopy(sums, k, rejected, from, k);
        System.arraycopy(b.completionLengths(), 0, chosenLengths, from, k);
        System.arraycopy(b.completionLengths(), k, rejectedLengths, from, k);
    }

    /** The pairs {@code [from, from + count)}. */
    PairLogProbs slice(int from, int count) {
        return new PairLogProbs(java.util.Arrays.copyOfRange(chosen, from, from + count),
                java.util.Arrays.copyOfRange(rejected, from, from + count),
                java.util.Arrays.copyOfRange(chosenLengths, from, from + count),
                java.util.Arrays.copyOfRange(rejectedLengths, from, from + count));
    }

    /**
     * DPO's implicit rewards r = β(log π − log π_ref) of this policy against {@code ref}, log-probs combined as
     * {@code mode}, averaged over pairs. Every method is scored this way, so curves compare across methods.
     *
     * @return accuracy (share of pairs with r_w > r_l), margin mean(r_w − r_l), mean r_w, mean r_l,
     *         and the mean per-token log-prob of the chosen completions
     */
    public Rewards rewards(PairLogProbs ref, double beta, PolicyLogProbs.Mode mode) {
        int n = chosen.length;
        double acc = 0;
        double margin = 0;
        double rw = 0;
        double rl = 0;
        double tokens = 0;
        double chosenLogp = 0;
        for (int i = 0; i < n; i++) {
            double w = beta * (mode.of(chosen[i], chosenLengths[i]) - mode.of(ref.chosen[i], ref.chosenLengths[i]));
            double l = beta * (mode.of(rejected[i], rejectedLengths[i]) - mode.of(ref.rejected[i], ref.rejectedLengths[i]));
            acc += w > l ? 1 : 0;
            margin += w - l;
            rw += w;
            rl += l;
            chosenLogp += chosen[i];
            tokens += chosenLengths[i];
        }
        return new Rewards(acc / n, margin / n, rw / n, rl / n, chosenLogp / tokens);
    }

    public record Rewards(double accuracy, double margin, double chosen, double rejected, double chosenLogpPerToken) {
    }
}
