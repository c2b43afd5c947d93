package dev.mono4j.monet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Pearson's r from running sums against the plain two-pass formula; thresholds; the random baseline's draws. */
class ExpertToxicityTest {
    @Test
    void pearsonFromSumsEqualsTheTwoPassFormula() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 200;
        double[] x = new double[n];
        double[] y = new double[n];
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (int k = 0; k < n; k++) {
            y[k] = rng.nextInt(5) == 0 ? 1 : 0;
            x[k] = 0.3 * y[k] + rng.nextDouble() * 0.5;
            sx += x[k];
            sy += y[k];
            sxx += x[k] * x[k];
            syy += y[k] * y[k];
            sxy += x[k] * y[k];
        }
        double mx = sx / n, my = sy / n, cov = 0, vx = 0, vy = 0;
        for (int k = 0; k < n; k++) {
            cov += (x[k] - mx) * (y[k] - my);
            vx += (x[k] - mx) * (x[k] - mx);
            vy += (y[k] - my) * (y[k] - my);
        }
        double want = cov / Math.sqrt(vx * vy);
        assertTrue(want > 0.3, "a correlated sample: " + want);
        assertEquals(want, ExpertToxicity.pearson(n, sx, sy, sxx, syy, sxy), 1e-12);
        assertTrue(Double.isNaN(ExpertToxicity.pearson(3, 3, 1, 3, 1, 1)), "a constant x has no r");
    }

    @Test
    void thresholdsKeepCellsAtOrAboveAndNeverNaN() {
        Map<Integer, double[]> r = Map.of(0, new double[] {0.2, 0.19, Double.NaN, 0.5, -0.3});
        assertEquals(Map.of(0, List.of(0, 3)), ExpertToxicity.atLeast(r, 0.2));
        assertEquals(Map.of(0, List.of(0, 1, 3)), ExpertToxicity.atLeast(r, 0.1));
    }

    @Test
    void randomDrawsMatchTheCountPerGroupWithoutRepeatsFromRoutedCells() {
        Map<Integer, List<Integer>> like = Map.of(0, List.of(1, 2, 3), 2, List.of(7));
        Map<Integer, int[]> routed = Map.of(0, new int[] {0, 4, 5, 9, 11}, 2, new int[] {3, 15});
        Map<Integer, List<Integer>> drawn = Resection.randomCells(like, routed, new SplittableRandom(1));
        assertEquals(3, drawn.get(0).size());
        assertEquals(3, drawn.get(0).stream().distinct().count());
        assertEquals(1, drawn.get(2).size());
        assertTrue(drawn.get(0).stream().allMatch(c -> List.of(0, 4, 5, 9, 11).contains(c)), "only routed cells");
        assertTrue(List.of(3, 15).contains(drawn.get(2).get(0)));
        assertEquals(drawn, Resection.randomCells(like, routed, new SplittableRandom(1)), "seeded");
    }
}
