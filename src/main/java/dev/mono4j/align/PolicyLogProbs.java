package dev.mono4j.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.TransformerLM;

/**
 * One forward pass over a {@link PreferenceBatch} (chosen and rejected rows together): each row's
 * completion log-probability, summed over completion tokens or averaged (the released DecPO code averaged,
 * {@code mean}), and the hooks' captures for regularizers. Works under a GradientCollector.
 */
public final class PolicyLogProbs {
    /** How a completion's token log-probs combine. */
    public enum Mode { SUM, MEAN }

    private PolicyLogProbs() {
    }

    /** Per-row completion log-probs {@code [2B]}: the B chosen rows, then the B rejected ones. */
    public static NDArray of(TransformerLM model, NDManager step, PreferenceBatch b, Mode mode, Hooks hooks) {
        NDArray logits = model.forward(step, b.batch(), hooks);
        NDArray perRow = LogProbs.sequence(LogProbs.nextToken(logits, b.batch()), b.targetMask());
        return mode == Mode.SUM ? perRow : perRow.div(step.create(b.completionLengths()));
    }
}
