package dev.mono4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MonosemanticScaleTest {
    private static final int HUGE_WINDOW = Integer.MAX_VALUE;

    /** Mean and unbiased variance (÷(n−1), Eq.7's S²) of column k over the first {@code upToBatch} batches, two-pass in double. */
    static double[] meanVar(List<float[]> batches, int width, int k, int upToBatch) {
        double sum = 0;
        long n = 0;
        for (int b = 0; b < upToBatch; b++) {
            float[] x = batches.get(b);
            for (int r = 0; r < x.length / width; r++) {
                sum += x[r * width + k];
                n++;
            }
        }
        double mean = sum / n;
        double ss = 0;
        for (int b = 0; b < upToBatch; b++) {
            float[] x = batches.get(b);
            for (int r = 0; r < x.length / width; r++) {
                double dv = x[r * width + k] - mean;
                ss += dv * dv;
            }
        }
        return new double[] {mean, ss / (n - 1)};
    }

    static List<float[]> randomBatches(long seed, int width, int... rows) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> out = new ArrayList<>();
        for (int n : rows) {
            float[] x = new float[n * width];
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < width; k++) {
                    x[r * width + k] = (float) (k - 1 + (0.5 + k) * rng.nextGaussian());
                }
            }
            out.add(x);
        }
        return out;
    }

    @Test
    void onlineMergeEqualsTheStatisticsOfAllData() {
        int width = 4;
        List<float[]> batches = randomBatches(3, width, 17, 64, 5, 1, 128, 33);
        MonosemanticScale s = new MonosemanticScale(width, HUGE_WINDOW, 0.01);
        for (float[] b : batches) {
            s.add(b, b.length / width);
        }
        double[] mean = s.mean();
        double[] var = s.variance();
        for (int k = 0; k < width; k++) {
            double[] mv = meanVar(batches, width, k, batches.size());
            assertEquals(mv[0], mean[k], 1e-12 * Math.max(1, Math.abs(mv[0])), "mean of neuron " + k);
            assertEquals(mv[1], var[k], 1e-12 * mv[1], "variance of neuron " + k);
        }
    }

    /**
     * Brute force of the documented score with an unbounded window: each batch after the first is scored
     * against the mean and variance of all earlier tokens, φ = max over the batch of (z − z̄)² / (S² + ε·mean_k S²_k),
     * averaged over batches.
     */
    @Test
    void scoresMatchBruteForceAgainstAllEarlierTokens() {
        int width = 3;
        double eps = 0.05;
        List<float[]> batches = randomBatches(8, width, 40, 25, 60, 10, 33);
        MonosemanticScale s = new MonosemanticScale(width, HUGE_WINDOW, eps);
        for (float[] b : batches) {
            s.add(b, b.length / width);
        }
        double[] expected = new double[width];
        for (int b = 1; b < batches.size(); b++) {
            double[][] mv = new double[width][];
            double meanVar = 0;
            for (int k = 0; k < width; k++) {
                mv[k] = meanVar(batches, width, k, b);
                meanVar += mv[k][1] / width;
            }
            float[] x = batches.get(b);
            for (int k = 0; k < width; k++) {
                double best = 0;
                for (int r = 0; r < x.length / width; r++) {
                    double dv = x[r * width + k] - mv[k][0];
                    best = Math.max(best, dv * dv / (mv[k][1] + eps * meanVar));
                }
                expected[k] += best / (batches.size() - 1);
            }
        }
        double[] got = s.scores();
        for (int k = 0; k < width; k++) {
            assertEquals(expected[k], got[k], 1e-9 * expected[k], "score of neuron " + k);
        }
        assertEquals(batches.size() - 1, s.summary(1).scoredBatches());
    }

    /**
     * Hand case with window 2: {0, 2} then {4, 4} (4 tokens, mean 2.5, unbiased variance 11/3), then {10}: the
     * history counts as m = 2 tokens, so by Eq.8–9 with b = 1 mean = (2·2.5 + 10)/3 = 5 and variance =
     * 2·1·7.5²/(2·3) + (0 + 1·11/3)/2 = 247/12. With an unbounded window it is all five tokens: mean 4,
     * variance 56/4 = 14.
     */
    @Test
    void windowCapsTheWeightOfHistory() {
        MonosemanticScale small = new MonosemanticScale(1, 2, 0);
        MonosemanticScale big = new MonosemanticScale(1, HUGE_WINDOW, 0);
        for (MonosemanticScale s : List.of(small, big)) {
            s.add(new float[] {0, 2}, 2);
            s.add(new float[] {4, 4}, 2);
        }
        assertEquals(2.5, small.mean()[0], 1e-12);
        assertEquals(11.0 / 3, small.variance()[0], 1e-12);
        small.add(new float[] {10}, 1);
        big.add(new float[] {10}, 1);
        assertEquals(5.0, small.mean()[0], 1e-12);
        assertEquals(247.0 / 12, small.variance()[0], 1e-12);
        assertEquals(4.0, big.mean()[0], 1e-12);
        assertEquals(14.0, big.variance()[0], 1e-12);
    }

    /**
     * Forgetting in batches against the authors' update, written as their code writes it (dominatorX/MEmeL-code
     * EmeL.py@b8ce373 L52–55; App. C.1's Alg. 1): once n_f batches are in, with b rows per batch,
     * υ ← (υ·(n_f − 1/b) + υ′ + (μ − μ′)²/(1 + 1/n_f)) / (n_f + 1 − 1/b), μ ← (μ·n_f + μ′)/(n_f + 1), from the
     * exact statistics of the first n_f batches.
     */
    @Test
    void batchForgettingFollowsTheAuthorsUpdateAfterTenBatches() {
        int width = 2;
        int rows = 7;
        int nf = 10;
        int[] sizes = new int[nf + 3];
        java.util.Arrays.fill(sizes, rows);
        List<float[]> batches = randomBatches(5, width, sizes);
        MonosemanticScale s = new MonosemanticScale(width, MonosemanticScale.Forgetting.batches(nf), 0.01);
        for (int b = 0; b < nf; b++) {
            assertTrue(!s.lateStartReached(), "late start not before " + nf + " batches");
            s.add(batches.get(b), rows);
        }
        assertTrue(s.lateStartReached(), "late start after " + nf + " batches");
        double[][] expected = new double[width][];
        for (int k = 0; k < width; k++) {
            expected[k] = meanVar(batches, width, k, nf);
        }
        double bInv = 1.0 / rows;
        for (int b = nf; b < batches.size(); b++) {
            s.add(batches.get(b), rows);
            for (int k = 0; k < width; k++) {
                double[] batch = meanVar(batches.subList(b, b + 1), width, k, 1);
                double mu = batch[0];
                double biased = batch[1] * (rows - 1) / rows;
                double[] e = expected[k];
                double var = (e[1] * (nf - bInv) + biased + (e[0] - mu) * (e[0] - mu) / (1 + 1.0 / nf)) / (nf + 1 - bInv);
                expected[k] = new double[] {(e[0] * nf + mu) / (nf + 1), var};
                assertEquals(expected[k][0], s.mean()[k], 1e-12, "mean of neuron " + k + " after batch " + b);
                assertEquals(expected[k][1], s.variance()[k], 1e-12 * expected[k][1], "variance of neuron " + k + " after batch " + b);
            }
        }
    }

    @Test
    void smallWindowFollowsAShiftInTheData() {
        SplittableRandom rng = new SplittableRandom(17);
        MonosemanticScale small = new MonosemanticScale(1, 64, 0.01);
        MonosemanticScale big = new MonosemanticScale(1, HUGE_WINDOW, 0.01);
        for (int b = 0; b < 40; b++) {
            float[] x = new float[32];
            for (int r = 0; r < 32; r++) {
                x[r] = (float) ((b < 20 ? 0 : 10) + rng.nextGaussian());
            }
            small.add(x, 32);
            big.add(x, 32);
        }
        assertEquals(10.0, small.mean()[0], 0.5, "forgets the first regime");
        assertTrue(small.variance()[0] < 2, "variance close to the new regime's 1: " + small.variance()[0]);
        assertEquals(5.0, big.mean()[0], 0.5, "remembers both regimes");
        assertTrue(big.variance()[0] > 20, "variance includes the shift (about 25): " + big.variance()[0]);
    }

    /**
     * Neuron 0 is Gaussian; neuron 1 is 0 except on ~1% of tokens, where it is 1. MEmeL's scale should put
     * the rare detector far above the Gaussian neuron (≈ (1−p)/p ≈ 99 against ≈ 10 for a max of 1,000 draws).
     */
    @Test
    void rareFiringNeuronScoresFarAboveAGaussianNeuron() {
        SplittableRandom rng = new SplittableRandom(23);
        int rows = 1000;
        MonosemanticScale s = new MonosemanticScale(2, 65_536, 1e-2);
        for (int b = 0; b < 20; b++) {
            float[] x = new float[rows * 2];
            for (int r = 0; r < rows; r++) {
                x[r * 2] = (float) rng.nextGaussian();
                x[r * 2 + 1] = rng.nextDouble() < 0.01 ? 1f : 0f;
            }
            s.add(x, rows);
        }
        double[] scores = s.scores();
        assertTrue(scores[0] > 5 && scores[0] < 20, "Gaussian neuron near 10: " + scores[0]);
        assertTrue(scores[1] > 5 * scores[0], "rare neuron " + scores[1] + " vs Gaussian " + scores[0]);
        assertEquals(1, s.summary(1).top().get(0).index());
    }

    /**
     * Neuron 0 is constant (variance 0) until it jumps; neuron 1 has (unbiased) variance 2. With ε = 0.01 the
     * jump of 2 is scored against S² = 0 + 0.01·(0 + 2)/2, i.e. 4 / 0.01 = 400: finite.
     */
    @Test
    void varianceCompensationKeepsAConstantNeuronFinite() {
        MonosemanticScale s = new MonosemanticScale(2, HUGE_WINDOW, 0.01);
        s.add(new float[] {5, 0, 5, 2}, 2); // neuron 0: {5, 5}; neuron 1: {0, 2}, mean 1, variance 2
        s.add(new float[] {7, 1, 5, 1}, 2); // neuron 0 jumps by 2; neuron 1 sits at its mean
        double[] scores = s.scores();
        assertEquals(400.0, scores[0], 1e-9);
        assertEquals(0.0, scores[1], 1e-12);
        assertTrue(Double.isFinite(scores[0]));
    }

    @Test
    void noScoresBeforeASecondBatch() {
        MonosemanticScale s = new MonosemanticScale(3, 10, 0.01);
        assertTrue(Double.isNaN(s.scores()[0]));
        s.add(new float[] {1, 2, 3}, 1);
        s.add(new float[0], 0);
        assertTrue(Double.isNaN(s.scores()[1]));
        assertEquals(0, s.summary(2).scoredBatches());
        assertEquals(1.0, s.mean()[0], 0.0);
    }

    /**
     * Scores built by hand: every neuron sees {0, 1, 2} (mean 1, unbiased variance 1), then one token 1 + a_k, so with
     * ε = 0 its score is a_k². a = (1, 3, 0, 2, 4) gives scores (1, 9, 0, 4, 16): sorted (0, 1, 4, 9, 16),
     * median 4, p90 at position 3.6 → 9 + 0.6·7 = 13.2, p99 at 3.96 → 15.72, max 16, top 3: 4, 1, 3.
     */
    @Test
    void summaryQuantilesAndTopNeurons() {
        double[] a = {1, 3, 0, 2, 4};
        int width = a.length;
        float[] first = new float[3 * width];
        float[] second = new float[width];
        for (int k = 0; k < width; k++) {
            first[k] = 0;
            first[width + k] = 1;
            first[2 * width + k] = 2;
            second[k] = (float) (1 + a[k]);
        }
        MonosemanticScale s = new MonosemanticScale(width, HUGE_WINDOW, 0);
        s.add(first, 3);
        s.add(second, 1);
        double[] scores = s.scores();
        for (int k = 0; k < width; k++) {
            assertEquals(a[k] * a[k], scores[k], 1e-12);
        }
        MonosemanticScale.Summary sum = s.summary(3);
        assertEquals(4.0, sum.median(), 1e-12);
        assertEquals(13.2, sum.p90(), 1e-12);
        assertEquals(15.72, sum.p99(), 1e-12);
        assertEquals(16.0, sum.max(), 0.0);
        assertEquals(List.of(new MonosemanticScale.Neuron(4, 16), new MonosemanticScale.Neuron(1, 9),
                new MonosemanticScale.Neuron(3, 4)), sum.top());
        assertEquals(1, sum.scoredBatches());
        assertEquals(width, s.summary(99).top().size(), "top is capped at the width");
        assertEquals(0, s.summary(0).top().size());
    }
}
