package dev.mono4j.monet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The ≥ 2 × runner-up rule of [P] App. D.1 on a hand-computed case. */
class SelectivityRuleTest {
    /**
     * Units 0–5, labels a, b, c. Unit 0: a 0.4 vs runner-up 0.2 (b): ratio exactly 2, belongs to a. Unit 1: a 0.39 vs
     * 0.2: 1.95, no. Unit 2: a 0.3, others 0: +∞, belongs. Unit 3: 0 everywhere: nobody's. Unit 4: c 0.9 vs 0.1: 9,
     * belongs to c (and a 0.1 is not a's). Unit 5: b 0.5 vs c 0.25 (a 0.1): 2, belongs to b.
     */
    private static final Map<String, double[]> MEANS = new TreeMap<>(Map.of(
            "a", new double[] {0.4, 0.39, 0.3, 0, 0.1, 0.1},
            "b", new double[] {0.2, 0.2, 0, 0, 0.1, 0.5},
            "c", new double[] {0.1, 0.1, 0, 0, 0.9, 0.25}));

    @Test
    void aUnitBelongsToALabelAtTwiceTheRunnerUp() {
        List<SelectivityRule.Unit> a = SelectivityRule.selective(MEANS, "a", 2.0);
        assertEquals(List.of(2, 0), a.stream().map(SelectivityRule.Unit::index).toList(), "by descending ratio");
        assertEquals(Double.POSITIVE_INFINITY, a.get(0).ratio());
        assertEquals(2.0, a.get(1).ratio(), 1e-12);
        assertEquals(List.of(5), SelectivityRule.selective(MEANS, "b", 2.0).stream().map(SelectivityRule.Unit::index).toList());
        assertEquals(List.of(4), SelectivityRule.selective(MEANS, "c", 2.0).stream().map(SelectivityRule.Unit::index).toList());
        assertEquals(List.of(2, 0, 1), SelectivityRule.selective(MEANS, "a", 1.5).stream()
                .map(SelectivityRule.Unit::index).toList(), "a lower ratio admits unit 1 (1.95)");
    }

    /** A fixed budget takes the best ratios whether or not they pass; units never seen on the label are not taken. */
    @Test
    void topTakesTheBestRatiosUpToTheBudget() {
        assertEquals(List.of(2, 0, 1), SelectivityRule.top(MEANS, "a", 3).stream().map(SelectivityRule.Unit::index).toList());
        assertEquals(List.of(2, 0, 1, 5, 4), SelectivityRule.top(MEANS, "a", 10).stream()
                .map(SelectivityRule.Unit::index).toList(), "unit 3 (0 on a) is never taken; then 5 (1/5) and 4 (1/9)");
    }
}
