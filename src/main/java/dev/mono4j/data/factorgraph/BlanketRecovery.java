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
     * The observations a model selects at the query position, as line positions: the {@code |MB|} observation
     * positions with the largest weights, ties to the earlier position. {@code modelWeights} is a row over model
     * positions (the query's row of an attention pattern, or of a workspace's write pattern summed over heads and
     * slots); {@code bosShift} is the model position of line position 0 (1 when the tokenizer prepends a BOS). Only
     * the V − 1 observation positions compete (our choice): the BOS, which softmax attention often uses as a sink,
     * and the query itself name no variable and would only shrink every model's selection alike. Taking k = |MB|
     * (our choice; the fact sheet's §5 names "top-k" without a k) makes precision = recall = F1, so no model gains by
     * selecting more or fewer tokens, and a uniformly random choice scores |MB|/(V − 1) in expectation
     * ({@link #chanceF1}).
     */
    public static int[] selectAtQuery(float[] modelWeights, int bosShift, FactorGraphSample sample) {
        int observations = sample.queryPosition();
        if (bosShift < 0 || bosShift + observations > modelWeights.length) {
            throw new IllegalArgumentException("a row of " + modelWeights.length + " positions cannot hold " + observations
                    + " observations from position " + bosShift);
        }
        float[] atObservations = Arrays.copyOfRange(modelWeights, bosShift, bosShift + observations);
        return topPositions(atObservations, sample.blanket().length);
    }

    /**
     * The expected F1 of {@link #selectAtQuery}'s rule when the |MB| positions are drawn uniformly: each pick is a
     * blanket member with probability |MB|/(V − 1), so E[hits]/|MB| = |MB|/(V − 1); 1 for an empty blanket.
     */
    public static double chanceF1(FactorGraphSample sample) {
        int b = sample.blanket().length;
        return b == 0 ? 1 : (double) b / sample.queryPosition();
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
