package dev.mono4j.lcm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each metric against a hand computation. */
class ConceptMetricsTest {
    @Test
    void l2IsTheEuclideanDistance() {
        assertEquals(5, ConceptMetrics.l2(new float[] {0, 0}, new float[] {3, 4}), 1e-12);
    }

    @Test
    void contrastiveAccuracyCountsOtherDocumentsTargetsStrictlyFarther() {
        // targets t0 = (0,0) [doc 0], t1 = (1,0) [doc 0], t2 = (3,0) [doc 1], t3 = (0.5,0) [doc 2]
        float[][] targets = {{0, 0}, {1, 0}, {3, 0}, {0.5f, 0}};
        // p0 = (0.4,0): own distance 0.4; distractors (other docs) t2 at 2.6 (farther), t3 at 0.1 (nearer) → 1/2.
        //   t1 is the same document's target and does not count.
        // p1 = (1,0): own 0; t2 at 2, t3 at 0.5: both farther → 1.
        // p2 = (0,0): own 3; t0 0, t1 1, t3 0.5: none farther → 0.
        // p3 = (1.5,0): own 1; t0 1.5, t1 0.5, t2 1.5 → 2/3. A tie (equal distance) would not count.
        float[][] predictions = {{0.4f, 0}, {1, 0}, {0, 0}, {1.5f, 0}};
        double[] ca = ConceptMetrics.contrastiveAccuracy(predictions, targets, new int[] {0, 0, 1, 2});
        assertArrayEquals(new double[] {0.5, 1, 0, 2.0 / 3}, ca, 1e-9);
        assertTrue(Double.isNaN(ConceptMetrics.contrastiveAccuracy(predictions, targets, new int[4])[0]),
                "one document: no distractors");
        // a tie is not farther: p = (0.5,0) own target (0,0) at 0.5, distractor (1,0) at 0.5
        assertEquals(0, ConceptMetrics.contrastiveAccuracy(new float[][] {{0.5f, 0}, {0, 0}},
                new float[][] {{0, 0}, {1, 0}}, new int[] {0, 1})[0]);
    }

    @Test
    void hitLooksAtTheFirstK() {
        int[] retrieved = {7, 3, 9, 1, 4};
        assertTrue(ConceptMetrics.hit(retrieved, 7, 1));
        assertFalse(ConceptMetrics.hit(retrieved, 3, 1));
        assertTrue(ConceptMetrics.hit(retrieved, 4, 5));
        assertFalse(ConceptMetrics.hit(retrieved, 4, 4));
    }

    @Test
    void paraphraseIsTheLargestCosineToTheContext() {
        float[][] context = {{1, 0}, {1, 1}, {0, -1}};
        // cosines of (2,2): 1/√2, 1, −1/√2
        assertEquals(1, ConceptMetrics.paraphrase(new float[] {2, 2}, context), 1e-9);
        assertEquals(Math.cos(Math.atan(0.5)), ConceptMetrics.paraphrase(new float[] {2, 1}, new float[][] {{1, 0}}),
                1e-7);
    }

    @Test
    void spreadRatioIsTheRootOfTotalVariances() {
        // targets: channel 0 {−1, 1} var 1, channel 1 {−2, 2} var 4 → total 5
        // predictions: channel 0 {−0.5, 0.5} var 0.25, channel 1 {0, 0} var 0 → total 0.25; ratio √(0.25/5)
        float[][] targets = {{-1, -2}, {1, 2}};
        float[][] predictions = {{-0.5f, 7}, {0.5f, 7}};
        assertEquals(Math.sqrt(0.05), ConceptMetrics.spreadRatio(predictions, targets), 1e-9);
        assertEquals(1, ConceptMetrics.spreadRatio(targets, targets), 1e-12);
    }
}
