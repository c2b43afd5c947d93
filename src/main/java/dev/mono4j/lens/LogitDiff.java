package dev.mono4j.lens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.mono4j.UserInputException;
import dev.mono4j.model.TransformerLM;

/**
 * The metric of direct logit attribution and activation patching: logit(answer) − logit(wrong) at the last
 * position, as in TransformerLens' Exploratory Analysis Demo and Wang et al. 2022 (IOI), who compare the logits of
 * a right and a wrong answer rather than one probability.
 */
public record LogitDiff(long answer, long wrong) {
    public LogitDiff {
        if (answer < 0 || wrong < 0) {
            throw new IllegalArgumentException("token ids are non-negative (answer " + answer + ", wrong " + wrong + ")");
        }
    }

    /** Refuses ids outside the model's vocabulary (one line, exit code 2). */
    void check(TransformerLM model) {
        long vocab = model.config().vocabSize();
        for (long id : new long[] {answer, wrong}) {
            if (id >= vocab) {
                throw new UserInputException("token id " + id + " is outside the model's vocabulary [0, " + vocab + ")");
            }
        }
    }

    /** Per row of {@code logits [B, T, vocab]}: the logit difference at the last position, in double. */
    double[] lastPosition(NDArray logits) {
        long last = logits.getShape().get(1) - 1;
        float[] a = logits.get(new NDIndex(":, {}, {}", last, answer)).toFloatArray();
        float[] w = logits.get(new NDIndex(":, {}, {}", last, wrong)).toFloatArray();
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = (double) a[i] - w[i];
        }
        return d;
    }
}
