package dev.mono4j.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.TransformerLM;

/**
 * One forward pass over a {@link PreferenceBatch} (chosen and rejected rows together): each row's
 * completion log-probability summed over its completion tokens, and the hooks' captures for regularizers.
 * Works under a GradientCollector.
 */
public final class PolicyLogProbs {
    /** How a completion's token log-probs combine: summed (DPO), or averaged (the released DecPO code). */
    public enum Mode {
        SUM, MEAN;

        /** Per-row sums {@code [N]} combined this way, given the completion lengths {@code [N]}. */
        public NDArray of(NDArray sums, NDArray lengths) {
            return this == SUM ? sums : sums.div(lengths);
        }

        public double of(double sum, double length) {
            return this == SUM ? sum : sum / length;
        }
    }

    private PolicyLogProbs() {
    }

    /** Per-row summed completion log-probs {@code [2B]}: the B chosen rows, then the B rejected ones. */
    public static NDArray sums(TransformerLM model, NDManager step, PreferenceBatch b, Hooks hooks) {
        NDArray logits = model.forward(step, b.batch(), hooks);
        return LogProbs.sequence(LogProbs.nextToken(logits, b.batch()), b.targetMask());
    }
}
