package dev.mono4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** The tally behind every non-finite check: counts and the first index across pieces, against hand-made arrays. */
class NonFiniteTest {
    @Test
    void countsAcrossPiecesAndRemembersTheFirst() {
        // Pieces of 4 and 3 floats; non-finite at global indices 5 (NaN), 6 (-Inf); 3.4e38 is finite.
        FloatBuffer first = FloatBuffer.wrap(new float[] {9, 1, 2, 3.4e38f, 4, 9});
        first.position(1); // a buffer's floats count from its position: 1, 2, 3.4e38, 4
        first.limit(5);
        NonFinite.Tally t = new NonFinite.Tally().add(first);
        assertEquals(1, first.position(), "the position is left as it was");
        t.add(new float[] {7, 0, Float.NaN, Float.NEGATIVE_INFINITY, 8}, 1, 3); // 0, NaN, -Inf
        assertEquals(2, t.count());
        assertEquals(5, t.firstIndex());
        assertEquals("2 non-finite values (the first, NaN, at element 5)", t.describe("element " + t.firstIndex()));
    }

    @Test
    void refuseNamesWhatAndTheFlagAllowScansNothing() {
        float[] v = {1, Float.POSITIVE_INFINITY};
        UserInputException e = assertThrows(UserInputException.class, () -> NonFinite.REFUSE.check(v, "f: tensor 'w'"));
        assertEquals("f: tensor 'w' has 1 non-finite value (the first, Infinity, at element 1); pass --allow-nonfinite"
                + " to use them anyway", e.getMessage());
        NonFinite.ALLOW.check(v, "f: tensor 'w'");
        assertNull(NonFinite.ALLOW.tally());
        NonFinite.REFUSE.check(new float[] {0, -1, Float.MAX_VALUE}, "finite");
        assertTrue(NonFinite.allowIf(true) == NonFinite.ALLOW && NonFinite.allowIf(false) == NonFinite.REFUSE);
    }
}
