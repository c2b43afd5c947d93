package dev.mono4j.data.factorgraph;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of a factor-graph split and its exact answer. Line positions (0-based, over the line's
 * space-separated tokens, without the BOS a tokenizer prepends): 0 … V−2 the observed pairs in {@code order},
 * V−1 the query, V the answer.
 *
 * @param order        the observed variables in line order (all but {@code masked})
 * @param values       the full sampled assignment, the masked variable's true value included
 * @param masked       the queried variable
 * @param conditional  the exact p(x_masked = · | the observed pairs), K values ({@link FactorGraph#conditional})
 * @param blanket      the masked variable's Markov blanket, ascending ({@link FactorGraph#markovBlanket})
 * @param root         whether the masked variable is a root (its conditional is the one the OOD split changes)
 */
public record FactorGraphSample(int[] order, int[] values, int masked, double[] conditional, int[] blanket, boolean root) {

    /** The masked variable's sampled value: the answer token's. */
    public int value() {
        return values[masked];
    }

    /** The Bayes-optimal loss on this line: −ln p(true value | the rest), nats. */
    public double bayesNll() {
        return -Math.log(conditional[value()]);
    }

    /** The exact conditional's entropy, nats: the expected Bayes loss given this line's observed pairs. */
    public double entropy() {
        double h = 0;
        for (double p : conditional) {
            h -= p > 0 ? p * Math.log(p) : 0;
        }
        return h;
    }

    /** Line position of the query token; the answer follows it. */
    public int queryPosition() {
        return order.length;
    }

    /** The variable observed at a line position, or −1 at the query and the answer. */
    public int variableAt(int position) {
        if (position < 0 || position > order.length + 1) {
            throw new IllegalArgumentException("line position " + position + " outside 0.." + (order.length + 1));
        }
        return position < order.length ? order[position] : -1;
    }

    /** The line as written to {@code SPLIT.txt}. */
    public String line() {
        List<String> tokens = new ArrayList<>();
        for (int v : order) {
            tokens.add(FactorGraphTokens.pair(v, values[v]));
        }
        tokens.add(FactorGraphTokens.query(masked));
        tokens.add(FactorGraphTokens.pair(masked, value()));
        return String.join(" ", tokens);
    }
}
