package dev.mono4j.data.factorgraph;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * How well a set of selected tokens recovers the masked variable's Markov blanket (workspace.md §5: "the tokens HSW
 * writes recover MB(i) with higher F1 than TR's or STR's attention top-k"). Positions are line positions
 * ({@link FactorGraphSample}: 0-based over the line's tokens, no BOS; subtract 1 from a model position when the
 * tokenizer prepends a BOS). A selected observation token stands for its variable; selecting the query or the answer
 * selects no variable (the query names the masked variable, which is not in its own blanket), and a variable
 * selected twice counts once.
 */
public final class BlanketRecovery {
    private BlanketRecovery() {
    }

    /**
     * Precision, recall and F1 of the selected variables against the blanket. F1 is 2·hits / (selected + blanket),
     * which equals 2PR/(P + R) whenever both are defined; when nothing is selected and the blanket is empty it is 1
     * (nothing to find, nothing wrongly found; our choice), as are precision and recall; precision with nothing
     * selected, or recall with an empty blanket, is otherwise 0.
     */
    public record Score(int selected, int blanket, int hits, double precision, double recall, double f1) {
    }

    public static Score score(int[] selectedPositions, FactorGraphSample sample) {
        TreeSet<Integer> selected = new TreeSet<>();
        for (int p : selectedPositions) {
            int v = sample.variableAt(p);
            if (v >= 0) {
                selected.add(v);
            }
        }
        int hits = (int) Arrays.stream(sample.blanket()).filter(selected::contains).count();
        int s = selected.size();
        int b = sample.blanket().length;
        if (s == 0 && b == 0) {
            return new Score(0, 0, 0, 1, 1, 1);
        }
        return new Score(s, b, hits, s == 0 ? 0 : (double) hits / s, b == 0 ? 0 : (double) hits / b,
                2.0 * hits / (s + b));
    }

    /** {@link #score}'s F1. */
    public static double f1(int[] selectedPositions, FactorGraphSample sample) {
        return score(selectedPositions, sample).f1();
    }

    /**
     * The positions of the {@code k} largest weights (an attention row over line positions), largest first; ties go
     * to the earlier position, so the order is deterministic (our choice). NaN weights are never selected.
     */
    public static int[] topPositions(float[] weights, int k) {
        if (k < 0 || k > weights.length) {
            throw new IllegalArgumentException("k " + k + " must lie in 0.." + weights.length);
        }
        return java.util.stream.IntStream.range(0, weights.length).boxed().filter(i -> !Float.isNaN(weights[i]))
                .sorted((i, j) -> weights[i] != weights[j] ? Float.compare(weights[j], weights[i]) : Integer.compare(i, j))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }
}
