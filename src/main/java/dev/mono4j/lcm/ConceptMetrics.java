package dev.mono4j.lcm;

import dev.mono4j.model.SentenceEmbeddings;

/**
 * Decoder-free metrics of next-concept predictions (/work/shared/papers/lcm.md §6–7), as pure functions over
 * vectors, in double precision.
 */
public final class ConceptMetrics {
    private ConceptMetrics() {
    }

    /** ‖a − b‖₂ ({@code lcm/evaluation/metrics/similarity.py} {@code l2_distance}). */
    public static double l2(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /**
     * Contrastive accuracy per prediction ({@code similarity.py} {@code mse_constrative_accuracy}): the share of
     * distractors strictly farther from prediction i than its own target, where the distractors are the targets of
     * the other documents in the batch ({@code group} names each target's document; the authors' batch is documents ×
     * positions and takes the other rows' targets). 0.5 is chance; NaN where a prediction has no distractor.
     */
    public static double[] contrastiveAccuracy(float[][] predictions, float[][] targets, int[] group) {
        double[] out = new double[predictions.length];
        for (int i = 0; i < predictions.length; i++) {
            double own = l2(predictions[i], targets[i]);
            int farther = 0;
            int distractors = 0;
            for (int j = 0; j < targets.length; j++) {
                if (group[j] != group[i]) {
                    distractors++;
                    if (l2(predictions[i], targets[j]) > own) {
                        farther++;
                    }
                }
            }
            out[i] = distractors == 0 ? Double.NaN : (double) farther / distractors;
        }
        return out;
    }

    /** Whether {@code truth} is among the first {@code k} of {@code retrieved} (R@k for one target). */
    public static boolean hit(int[] retrieved, int truth, int k) {
        for (int i = 0; i < Math.min(k, retrieved.length); i++) {
            if (retrieved[i] == truth) {
                return true;
            }
        }
        return false;
    }

    /** PAR: the largest cosine similarity of the prediction to a sentence of its context (lcm.md §6). */
    public static double paraphrase(float[] prediction, float[][] context) {
        double best = Double.NEGATIVE_INFINITY;
        for (float[] c : context) {
            best = Math.max(best, SentenceEmbeddings.cosine(prediction, c));
        }
        return best;
    }

    /**
     * The spread ratio √(Σ_c Var_c(predictions) / Σ_c Var_c(targets)): how widely predictions scatter compared with
     * the real embeddings they predict, 1 for matching spread, below 1 when predictions regress to the mean
     * (lcm.md §7; our definition: the ratio of root total variances, population variances per channel).
     */
    public static double spreadRatio(float[][] predictions, float[][] targets) {
        return Math.sqrt(totalVariance(predictions) / totalVariance(targets));
    }

    /** Σ over channels of the population variance over rows. */
    static double totalVariance(float[][] rows) {
        int dim = rows[0].length;
        double total = 0;
        for (int c = 0; c < dim; c++) {
            double mean = 0;
            for (float[] r : rows) {
                mean += r[c];
            }
            mean /= rows.length;
            double var = 0;
            for (float[] r : rows) {
                var += (r[c] - mean) * (r[c] - mean);
            }
            total += var / rows.length;
        }
        return total;
    }
}
