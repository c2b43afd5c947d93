package dev.mono4j.monet;

import java.util.List;

/**
 * Settings of {@code monet experts} and {@code monet resect}; defaults in {@link #DEFAULT}.
 *
 * @param ratio        an expert (or dense neuron) belongs to a label at ≥ ratio × the runner-up's mean (default 2,
 *                     [P] arXiv 2412.04139v4 App. D.1)
 * @param labels       the labels to resect (empty: every label)
 * @param heldout      the share of texts (the last ones) whose NLL is measured; the rest give the statistics
 *                     (default 0.5, our choice)
 * @param randomDraws  draws of the random-experts baseline averaged per label (default 3, our choice)
 * @param seed         seed of the random draws and of sampled replies (default 0)
 * @param batchSize    texts per forward pass (default 16)
 * @param maxTokens    longer texts are cut to this many tokens (default 256)
 * @param toxicity     whether to run the toxicity analogue
 * @param thresholds   Pearson r thresholds of the toxicity analogue (default 0.2, 0.1, 0.05: [P] Table 4's)
 * @param prompts      toxicity prompts sampled per threshold (default 100, our choice; ConceptWorld's held-out
 *                     toxicity prompts, as {@code align eval} judges them)
 * @param denseBudget  how many dense neurons the dense baseline masks for a label's experts (default
 *                     {@link DenseBudget#UNITS})
 */
public record ResectConfig(double ratio, List<String> labels, double heldout, int randomDraws, long seed, int batchSize,
        int maxTokens, boolean toxicity, List<Double> thresholds, int prompts, DenseBudget denseBudget) {
    public static final ResectConfig DEFAULT = new ResectConfig(SelectivityRule.DEFAULT_RATIO, List.of(), 0.5, 3, 0, 16,
            256, false, List.of(0.2, 0.1, 0.05), 100, DenseBudget.UNITS);

    /**
     * The "same budget" of the dense baseline (issue 18; the paper compares without one: [P] App. D.1 applies its
     * ≥2× rule to LLaMA's neurons, which labels 6% of them against Monet's 2.2% of experts). Both are our choices.
     * UNITS (default): the same share of the model's units, neurons of all layers against experts of all layers
     * (an expert masked in a routing group counts once per layer of the group). WEIGHTS: as many neuron weights as
     * the experts' nominal 2·m·d each; since an expert shares its U and V rows with the rest of its grid row and
     * column, this removes far more of a dense model than the experts take from Monet (on the xs preset, 192 of
     * 352 neurons for 3.5% of the experts), hence not the default.
     */
    public enum DenseBudget { UNITS, WEIGHTS }

    public ResectConfig {
        labels = List.copyOf(labels);
        thresholds = List.copyOf(thresholds);
        if (!(ratio >= 1)) {
            throw new IllegalArgumentException("ratio " + ratio + " must be at least 1");
        }
        if (!(heldout > 0 && heldout < 1)) {
            throw new IllegalArgumentException("held-out share " + heldout + " must lie in (0, 1)");
        }
        if (randomDraws < 1 || batchSize < 1 || maxTokens < 2 || prompts < 1) {
            throw new IllegalArgumentException("random draws, batch size and prompts must be at least 1, max tokens 2");
        }
        if (thresholds.isEmpty() || thresholds.stream().anyMatch(t -> !(t > -1 && t <= 1))) {
            throw new IllegalArgumentException("thresholds must be one or more values in (-1, 1]");
        }
    }

    public static Builder builder() {
        return new Builder(DEFAULT);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static final class Builder {
        private double ratio;
        private List<String> labels;
        private double heldout;
        private int randomDraws;
        private long seed;
        private int batchSize;
        private int maxTokens;
        private boolean toxicity;
        private List<Double> thresholds;
        private int prompts;
        private DenseBudget denseBudget;

        private Builder(ResectConfig c) {
            ratio = c.ratio;
            labels = c.labels;
            heldout = c.heldout;
            randomDraws = c.randomDraws;
            seed = c.seed;
            batchSize = c.batchSize;
            maxTokens = c.maxTokens;
            toxicity = c.toxicity;
            thresholds = c.thresholds;
            prompts = c.prompts;
            denseBudget = c.denseBudget;
        }

        public Builder ratio(double v) {
            ratio = v;
            return this;
        }

        public Builder labels(List<String> v) {
            labels = v;
            return this;
        }

        public Builder heldout(double v) {
            heldout = v;
            return this;
        }

        public Builder randomDraws(int v) {
            randomDraws = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder maxTokens(int v) {
            maxTokens = v;
            return this;
        }

        public Builder toxicity(boolean v) {
            toxicity = v;
            return this;
        }

        public Builder thresholds(List<Double> v) {
            thresholds = v;
            return this;
        }

        public Builder prompts(int v) {
            prompts = v;
            return this;
        }

        public Builder denseBudget(DenseBudget v) {
            denseBudget = v;
            return this;
        }

        public ResectConfig build() {
            return new ResectConfig(ratio, labels, heldout, randomDraws, seed, batchSize, maxTokens, toxicity, thresholds,
                    prompts, denseBudget);
        }
    }
}
