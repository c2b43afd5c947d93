package dev.mono4j.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The paired t-test against closed forms, textbook table values and scipy's numbers. */
class PairedTTestTest {
    @Test
    void oneAndTwoDegreesOfFreedomMatchTheClosedForms() {
        for (double t : new double[] {0.1, 0.5, 1, 2.5, 12.706, 40}) {
            // df = 1 is the Cauchy distribution: P(|T| ≥ t) = 1 − (2/π) atan t.
            assertEquals(1 - 2 / Math.PI * Math.atan(t), PairedTTest.twoSidedP(t, 1), 1e-12, "df 1, t " + t);
            // df = 2: P(|T| ≥ t) = 1 − t / √(2 + t²).
            assertEquals(1 - t / Math.sqrt(2 + t * t), PairedTTest.twoSidedP(t, 2), 1e-12, "df 2, t " + t);
        }
    }

    @Test
    void matchesTableAndScipyValues() {
        // Critical values from a t table: 2.228 (df 10) and 3.169 (df 10) are the 5% and 1% two-sided points;
        // the digits are scipy.stats.t.sf(t, df) * 2 (scipy 1.x).
        assertEquals(0.05001177181711132, PairedTTest.twoSidedP(2.228, 10), 1e-10);
        assertEquals(0.010004633364384856, PairedTTest.twoSidedP(3.169, 10), 1e-10);
        assertEquals(0.144065929128646, PairedTTest.twoSidedP(-1.5, 30), 1e-10);
        assertEquals(0.5184396023116179, PairedTTest.twoSidedP(0.7, 4.5), 1e-10);
        assertEquals(1.0, PairedTTest.twoSidedP(0, 7), 1e-12);
    }

    @Test
    void pairedTestOfAHandComputedCase() {
        // d = (1, 2, 3, 4): mean 2.5, s = √(5/3), t = 2.5 / (s/2) = 3.8730; scipy.stats.ttest_rel gives p 0.030466.
        PairedTTest r = PairedTTest.of(new double[] {3, 5, 7, 9}, new double[] {2, 3, 4, 5});
        assertEquals(4, r.n());
        assertEquals(2.5, r.meanDiff(), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3), r.sdDiff(), 1e-12);
        assertEquals(3.872983346207417, r.t(), 1e-12);
        assertEquals(0.030466291662170977, r.p(), 1e-10);
        assertEquals(-3.872983346207417, PairedTTest.of(new double[] {2, 3, 4, 5}, new double[] {3, 5, 7, 9}).t(), 1e-12);
    }

    @Test
    void degenerateSamples() {
        assertTrue(Double.isNaN(PairedTTest.of(new double[] {1}, new double[] {0}).p()), "one pair has no variance");
        assertTrue(Double.isNaN(PairedTTest.of(new double[] {1, 2}, new double[] {1, 2}).p()), "all differences zero");
        PairedTTest same = PairedTTest.of(new double[] {2, 3}, new double[] {1, 2});
        assertEquals(Double.POSITIVE_INFINITY, same.t());
        assertEquals(0, same.p());
    }
}
