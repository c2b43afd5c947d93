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
}
