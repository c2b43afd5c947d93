package dev.mono4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PairedTTestTest {
    /** Two-sided 5% critical values of Student's t (any printed table, e.g. Abramowitz and Stegun Table 26.10). */
    @Test
    void criticalValuesOfTheTablesGiveFivePercent() {
        assertEquals(0.05, PairedTTest.twoSidedP(12.706, 1), 1e-4);
        assertEquals(0.05, PairedTTest.twoSidedP(4.303, 2), 1e-4);
        assertEquals(0.05, PairedTTest.twoSidedP(2.776, 4), 1e-4);
        assertEquals(0.05, PairedTTest.twoSidedP(2.228, 10), 1e-4);
        assertEquals(0.01, PairedTTest.twoSidedP(3.169, 10), 1e-4);
        assertEquals(0.05, PairedTTest.twoSidedP(1.960, 1e6), 1e-4);
        assertEquals(1.0, PairedTTest.twoSidedP(0, 5), 1e-12);
    }

    /** scipy.stats.t.sf(|t|, df) * 2 and scipy.stats.ttest_rel (scipy 1.x), computed independently. */
    @Test
    void matchesScipy() {
        assertEquals(0.05001177181711132, PairedTTest.twoSidedP(2.228, 10), 1e-10);
        assertEquals(0.010004633364384856, PairedTTest.twoSidedP(3.169, 10), 1e-10);
        assertEquals(0.144065929128646, PairedTTest.twoSidedP(-1.5, 30), 1e-10);
        assertEquals(0.5184396023116179, PairedTTest.twoSidedP(0.7, 4.5), 1e-10);
        // d = (1, 2, 3, 4): mean 2.5, s = √(5/3), t = 3.8730; ttest_rel gives p 0.030466.
        PairedTTest r = PairedTTest.of(new double[] {3, 5, 7, 9}, new double[] {2, 3, 4, 5});
        assertEquals(Math.sqrt(5.0 / 3), r.sdDiff(), 1e-12);
        assertEquals(3.872983346207417, r.t(), 1e-12);
        assertEquals(0.030466291662170977, r.p(), 1e-10);
        assertEquals(-3.872983346207417, PairedTTest.of(new double[] {2, 3, 4, 5}, new double[] {3, 5, 7, 9}).t(), 1e-12);
    }

    /** With one degree of freedom T is Cauchy: P(|T| ≥ t) = 1 − 2·atan(t)/π exactly. */
    @Test
    void oneDegreeOfFreedomIsCauchy() {
        for (double t : new double[] {0.1, 0.5, 1, 3, 30}) {
            assertEquals(1 - 2 * Math.atan(t) / Math.PI, PairedTTest.twoSidedP(t, 1), 1e-12);
        }
    }

    @Test
    void logGammaMatchesFactorialsAndHalfIntegers() {
        assertEquals(Math.log(24), PairedTTest.logGamma(5), 1e-12);
        assertEquals(0.5 * Math.log(Math.PI), PairedTTest.logGamma(0.5), 1e-12);
        assertEquals(Math.log(3628800), PairedTTest.logGamma(11), 1e-12);
    }

    /** Differences 1, 2, 3: mean 2, sd 1, t = 2√3 on 2 degrees of freedom. */
    @Test
    void pairedDifferencesByHand() {
        PairedTTest r = PairedTTest.of(List.of(11.0, 12.0, 13.0), List.of(10.0, 10.0, 10.0));
        assertEquals(3, r.n());
        assertEquals(2, r.meanDiff(), 1e-12);
        assertEquals(1, r.sdDiff(), 1e-12);
        assertEquals(2 * Math.sqrt(3), r.t(), 1e-12);
        // ν = 2: P(|T| ≥ t) = 1 − t/√(2 + t²) in closed form.
        assertEquals(1 - r.t() / Math.sqrt(2 + r.t() * r.t()), r.p(), 1e-12);
        assertFalse(r.significant(), "p = 0.074");
        assertTrue(PairedTTest.of(List.of(5.0, 5.1, 4.9, 5.0), List.of(1.0, 1.0, 1.0, 1.0)).significant());
    }

    @Test
    void theSameDifferenceOnEverySeedIsTheLimitOfNoSpread() {
        PairedTTest up = PairedTTest.of(List.of(2.0, 3.0, 4.0), List.of(1.0, 2.0, 3.0));
        assertEquals(0, up.p());
        assertTrue(up.significant());
        assertEquals("+1.0 on each of 3 seeds", up.describe(1, "%.1f"));
        PairedTTest same = PairedTTest.of(List.of(2.0, 3.0), List.of(2.0, 3.0));
        assertEquals(1, same.p());
        assertFalse(same.significant());
    }

    @Test
    void oneSeedHasNoSpreadToJudgeBy() {
        PairedTTest r = PairedTTest.of(List.of(0.855), List.of(0.79));
        assertTrue(Double.isNaN(r.p()));
        assertFalse(r.significant());
        assertTrue(r.describe(100, "%.1f").contains("one seed"), r.describe(100, "%.1f"));
        assertEquals("+6.5 (one seed: no spread to judge it by)", r.describe(100, "%.1f"));
    }
}
