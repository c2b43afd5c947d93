package dev.mono4j.data.factorgraph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Markov-blanket F1 of selected line positions, by hand. */
class BlanketRecoveryTest {
    /** Line "v3_0 v1_0 v4_0 v0_0 v5_0 v2? v2_1": masked 2 with blanket {1, 3, 5}; positions 0..4 hold 3, 1, 4, 0, 5. */
    static FactorGraphSample sample(int[] blanket) {
        return new FactorGraphSample(new int[] {3, 1, 4, 0, 5}, new int[] {0, 0, 1, 0, 0, 0}, 2,
                new double[] {0.5, 0.5}, blanket, false);
    }

    @Test
    void f1ByHand() {
        FactorGraphSample s = sample(new int[] {1, 3, 5});
        assertEquals("v3_0 v1_0 v4_0 v0_0 v5_0 v2? v2_1", s.line());
        // Positions 0, 2 → variables 3, 4: one hit of 2 selected, 3 in the blanket: P 1/2, R 1/3, F1 2·1/(2+3) = 0.4.
        BlanketRecovery.Score sc = BlanketRecovery.score(new int[] {0, 2}, s);
        assertEquals(new BlanketRecovery.Score(2, 3, 1, 0.5, 1.0 / 3, 0.4), sc);
        assertEquals(2 * 0.5 * (1.0 / 3) / (0.5 + 1.0 / 3), sc.f1(), 1e-15, "the harmonic mean of P and R");
        // The query (5) and the answer (6) select no variable; position 1 twice counts once: {1, 3, 5} exactly.
        assertEquals(1.0, BlanketRecovery.f1(new int[] {1, 0, 4, 1, 5, 6}, s));
        assertEquals(0.0, BlanketRecovery.f1(new int[] {2, 3}, s));
        assertEquals(new BlanketRecovery.Score(0, 3, 0, 0, 0, 0), BlanketRecovery.score(new int[] {5}, s));
        FactorGraphSample isolated = sample(new int[] {});
        assertEquals(1.0, BlanketRecovery.f1(new int[] {}, isolated), "nothing to find, nothing selected");
        assertEquals(0.0, BlanketRecovery.f1(new int[] {0}, isolated));
        assertThrows(IllegalArgumentException.class, () -> BlanketRecovery.f1(new int[] {7}, s));
    }

    @Test
    void topPositionsAreDeterministicOnTies() {
        float[] w = {0.1f, 0.3f, Float.NaN, 0.3f, 0.2f};
        assertArrayEquals(new int[] {1, 3, 4}, BlanketRecovery.topPositions(w, 3));
        assertArrayEquals(new int[] {1}, BlanketRecovery.topPositions(w, 1));
        assertArrayEquals(new int[] {}, BlanketRecovery.topPositions(w, 0));
    }

    @Test
    void selectionAtTheQueryRanksOnlyObservationsAndTakesTheBlanketsSize() {
        FactorGraphSample s = sample(new int[] {1, 3, 5});
        // Model positions: BOS, the 5 observations (line 0..4 = variables 3, 1, 4, 0, 5), the query. The BOS and
        // the query get the largest weights but do not compete; among the observations line positions 2 (0.4), 0
        // (0.3) and 1 / 4 (0.2, tie to the earlier) are the top 3 = |MB|.
        float[] row = {0.9f, 0.3f, 0.2f, 0.4f, 0.1f, 0.2f, 0.8f};
        int[] picked = BlanketRecovery.selectAtQuery(row, 1, s);
        assertArrayEquals(new int[] {2, 0, 1}, picked);
        // Variables 4, 3, 1 against {1, 3, 5}: 2 hits of 3, so P = R = F1 = 2/3.
        assertEquals(new BlanketRecovery.Score(3, 3, 2, 2.0 / 3, 2.0 / 3, 2.0 / 3), BlanketRecovery.score(picked, s));
        // Chance: 3 of the 5 observations at random, each a blanket member with probability 3/5.
        assertEquals(0.6, BlanketRecovery.chanceF1(s), 1e-15);
        FactorGraphSample isolated = sample(new int[] {});
        assertArrayEquals(new int[] {}, BlanketRecovery.selectAtQuery(row, 1, isolated));
        assertEquals(1.0, BlanketRecovery.chanceF1(isolated));
        assertThrows(IllegalArgumentException.class, () -> BlanketRecovery.selectAtQuery(new float[5], 1, s));
    }
}
