package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import java.util.List;
import java.util.Map;

/**
 * A loss a family adds to the language-modelling loss when its models are trained from scratch, computed from
 * hook points of the training forward pass ({@link ModelFamily#auxiliaryLoss}); Monet's routing losses are
 * one ({@link MonetRoutingLoss}). The trainer captures {@link #hooks()}, adds λ · {@link Value#loss()} to the
 * objective and logs {@link Value#metrics()}.
 */
public interface AuxiliaryLoss {
    /** The hook points {@link #compute} reads; the trainer captures exactly these. */
    List<String> hooks();

    /**
     * The loss of one forward pass over {@code batch}, from its captured {@code hooks}, and what to log of it.
     * Padding (mask 0) takes no part.
     */
    Value compute(Hooks hooks, TokenBatch batch);

    /**
     * @param loss    a scalar in the graph of the forward pass (its gradient reaches the weights), unweighted
     * @param metrics what the step's log line records, by JSONL field name, in order
     */
    record Value(NDArray loss, Map<String, Double> metrics) {
    }
}
