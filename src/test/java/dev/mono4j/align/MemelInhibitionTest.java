package dev.mono4j.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.io.Json;
import dev.mono4j.metrics.MonosemanticScale;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MemelInhibitionTest {
    private static final double EPS = 0.01;

    private static MemelInhibition perSample(int width, int k, double delta, int batches) {
        return new MemelInhibition("h", width, MemelInhibition.Selection.PER_SAMPLE, k, delta,
                MonosemanticScale.Forgetting.batches(batches), EPS);
    }

    private static long[] allReal(int n) {
        long[] mask = new long[n];
        Arrays.fill(mask, 1);
        return mask;
    }

    /** Per channel, the mean and unbiased variance (Eq.7) of {@code rows} (each {@code [d]}), in double. */
    private static double[][] meanVar(double[][] rows) {
        int d = rows[0].length;
        double[][] out = new double[d][];
        for (int c = 0; c < d; c++) {
            double sum = 0;
            for (double[] r : rows) {
                sum += r[c];
            }
            double mean = sum / rows.length;
            double ss = 0;
            for (double[] r : rows) {
                ss += (r[c] - mean) * (r[c] - mean);
            }
            out[c] = new double[] {mean, ss / (rows.length - 1)};
        }
        return out;
    }

    private static NDArray batch(NDManager m, double[][][] z) {
        int b = z.length;
        int t = z[0].length;
        int d = z[0][0].length;
        float[] flat = new float[b * t * d];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                for (int c = 0; c < d; c++) {
                    flat[(i * t + j) * d + c] = (float) z[i][j][c];
                }
            }
        }
        return m.create(flat, new Shape(b, t, d));
    }

    /**
     * Warm-up batch (n_f = 1) of 4 real rows, then 2 samples × 3 positions × 3 channels, the last position of
     * sample 1 padding (value 100). With the history m = min(4, 1·5) = 4, the statistics are exactly those of
     * the 9 real rows (computed here in double), and per sample the one unit with the largest
     * φ = (z − μ)²/(υ + ε·mean υ) over its real positions × channels is replaced by μ; nothing else changes.
     */
    @Test
    void perSampleInhibitsEachSamplesTopUnitOverPositionsAndNeuronsLeavingPaddingOut() {
        double[][] warm = {{0, 1, 2}, {1, 0, 2}, {2, 1, 0}, {1, 2, 2}};
        double[][][] z = {
                {{1, 1, 2}, {1, 6, 1}, {0.5, 1, 2}},   // sample 0: channel 1 at position 1 stands out
                {{5, 1, 1}, {1, 1, 2}, {100, 100, 100}}}; // sample 1: channel 0 at position 0; position 2 is padding
        long[] mask = {1, 1, 1, 1, 1, 0};
        double[][] real = new double[9][];
        System.arraycopy(warm, 0, real, 0, 4);
        for (int p = 0; p < 5; p++) {
            real[4 + p] = z[p / 3][p % 3];
        }
        double[][] stats = meanVar(real);
        double meanVar = (stats[0][1] + stats[1][1] + stats[2][1]) / 3;
        int[][] top = new int[2][]; // per sample: position, channel
        for (int s = 0; s < 2; s++) {
            double best = -1;
            for (int p = 0; p < 3; p++) {
                for (int c = 0; c < 3 && mask[s * 3 + p] != 0; c++) {
                    double phi = Math.pow(z[s][p][c] - stats[c][0], 2) / (stats[c][1] + EPS * meanVar);
                    if (phi > best) {
                        best = phi;
                        top[s] = new int[] {p, c};
                    }
                }
            }
        }
        assertArrayEquals(new int[] {1, 1}, top[0], "the hand-made case is what it says");
        assertArrayEquals(new int[] {0, 0}, top[1], "the hand-made case is what it says");
        try (NDManager m = NDManager.newBaseManager()) {
            MemelInhibition memel = perSample(3, 1, 1, 1);
            double[][][] warmBatch = {warm};
            NDArray w = batch(m, warmBatch);
            assertEquals(w, memel.inhibit(w, allReal(4)), "no inhibition before the late start");
            float[] out = memel.inhibit(batch(m, z), mask).toFloatArray();
            for (int s = 0; s < 2; s++) {
                for (int p = 0; p < 3; p++) {
                    for (int c = 0; c < 3; c++) {
                        boolean hit = top[s][0] == p && top[s][1] == c;
                        double want = hit ? stats[c][0] : z[s][p][c];
                        assertEquals(want, out[(s * 3 + p) * 3 + c], 1e-5, "sample " + s + " position " + p + " channel " + c);
                    }
                }
            }
            assertArrayEquals(new int[] {0, 1}, memel.lastInhibited());
        }
    }

    /**
     * The statistics learn the batch before it is scored (EmeL.py@b8ce373 L45–59). Warm-up {0, 2} in both
     * channels; then (10, 0), (10, 3). Against the warm-up alone channel 0's 10s deviate most; with the batch
     * learnt, channel 0's mean is 5.5 (υ = 83/3, φ(10) ≈ 0.73) and channel 1's is 1.25 (υ = 2.25,
     * φ(3) ≈ 1.36), so channel 1 at position 1 is inhibited.
     */
    @Test
    void perSampleScoresAgainstStatisticsThatIncludeTheBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            MemelInhibition memel = perSample(2, 1, 1, 1);
            memel.inhibit(m.create(new float[] {0, 0, 2, 2}, new Shape(1, 2, 2)), allReal(2));
            float[] out = memel.inhibit(m.create(new float[] {10, 0, 10, 3}, new Shape(1, 2, 2)), allReal(2)).toFloatArray();
            assertArrayEquals(new float[] {10, 0, 10, 1.25f}, out, 1e-5f);
            assertArrayEquals(new int[] {1}, memel.lastInhibited());
        }
    }

    /**
     * The paper's order (Alg. 1: score, then update), offered as per-sample-paper-order: the same batches as
     * above, scored against the warm-up alone (mean 1, υ = 2 in both channels), pick channel 0 at both positions
     * (φ = 81/2.02, a tie, both taken) and set it to the warm-up's mean 1.
     */
    @Test
    void paperOrderScoresAgainstTheStatisticsBeforeTheBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            MemelInhibition memel = new MemelInhibition("h", 2, MemelInhibition.Selection.PER_SAMPLE_PAPER_ORDER, 1, 1,
                    MonosemanticScale.Forgetting.batches(1), EPS);
            memel.inhibit(m.create(new float[] {0, 0, 2, 2}, new Shape(1, 2, 2)), allReal(2));
            float[] out = memel.inhibit(m.create(new float[] {10, 0, 10, 3}, new Shape(1, 2, 2)), allReal(2)).toFloatArray();
            assertArrayEquals(new float[] {1, 0, 1, 3}, out, 1e-5f);
            assertArrayEquals(new int[] {0}, memel.lastInhibited());
        }
    }

    /**
     * Generalised RD with Δ = 3 (App. E.3): the selected unit's forward value is z̄ (−Δz + (z̄ + Δz), up to
     * rounding) and its gradient −Δ; the other units pass z and gradient 1.
     */
    @Test
    void deltaSetsTheReversedGradientAndKeepsTheForwardValueAtTheMean() {
        double delta = 3;
        try (NDManager m = NDManager.newBaseManager()) {
            MemelInhibition memel = perSample(2, 1, delta, 1);
            memel.inhibit(m.create(new float[] {0, 0, 2, 2}, new Shape(1, 2, 2)), allReal(2));
            NDArray z = m.create(new float[] {10, 0, 10, 3}, new Shape(1, 2, 2));
            z.setRequiresGradient(true);
            float[] value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = memel.inhibit(z, allReal(2));
                value = out.toFloatArray();
                gc.backward(out.sum());
            }
            assertArrayEquals(new float[] {10, 0, 10, 1.25f}, value, 1e-5f);
            assertArrayEquals(new float[] {1, 1, 1, (float) -delta}, z.getGradient().toFloatArray(), 0f);
        }
    }

    /** With the defaults (per-sample, n_f = l_s = 10 batches), batches 1–10 pass untouched and the 11th is inhibited. */
    @Test
    void inhibitionStartsAfterTenBatches() {
        AlignConfig cfg = AlignConfig.builder(AlignConfig.Method.MEMEL).build();
        assertEquals(MemelInhibition.Selection.PER_SAMPLE, cfg.memelSelect());
        assertEquals(1, cfg.inhibitK());
        assertEquals(1.0, cfg.memelDelta());
        MemelInhibition memel = MemelInhibition.of("h", 2, cfg);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int b = 1; b <= 11; b++) {
                NDArray z = m.create(new float[] {b, -b, 2 * b, b % 3}, new Shape(2, 1, 2));
                NDArray out = memel.inhibit(z, allReal(2));
                if (b <= 10) {
                    assertEquals(z, out, "batch " + b + " is before the late start");
                    assertEquals(0, memel.lastInhibited().length);
                } else {
                    assertTrue(memel.lastInhibited().length > 0, "batch 11 is inhibited");
                }
            }
        }
    }

    /**
     * The per-batch option as before: warm-up {0, 2} in channel 0 and {0, 4} in channel 1 (window 2 tokens),
     * then (1, 2), (3, 2). Against the warm-up (μ = (1, 2)) channel 0's 3 deviates and channel 1 sits at its
     * mean, so channel 0 is inhibited at every position, replaced by the pre-batch mean 1.
     */
    @Test
    void perBatchOptionIsUnchanged() {
        try (NDManager m = NDManager.newBaseManager()) {
            MemelInhibition memel = new MemelInhibition("h", 2, MemelInhibition.Selection.PER_BATCH, 1, 1,
                    MonosemanticScale.Forgetting.tokens(2), EPS);
            memel.inhibit(m.create(new float[] {0, 0, 2, 4}, new Shape(1, 2, 2)), allReal(2));
            NDArray z = m.create(new float[] {1, 2, 3, 2}, new Shape(1, 2, 2));
            z.setRequiresGradient(true);
            float[] value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = memel.inhibit(z, allReal(2));
                value = out.toFloatArray();
                gc.backward(out.sum());
            }
            assertArrayEquals(new float[] {1, 2, 1, 2}, value, 1e-6f);
            assertArrayEquals(new float[] {-1, 1, -1, 1}, z.getGradient().toFloatArray(), 0f);
            assertArrayEquals(new int[] {0}, memel.lastInhibited());
        }
    }

    /** A run saved before the per-sample selection resumes as it began: per-batch, Δ = 1; its MEmeL state loads. */
    @Test
    void configsAndStatesSavedBeforeTheSelectionStillLoad() throws Exception {
        ObjectNode old = (ObjectNode) Json.MAPPER.valueToTree(AlignConfig.builder(AlignConfig.Method.MEMEL).inhibitK(8).build());
        old.remove(java.util.List.of("memelSelect", "memelDelta", "memelBatches"));
        AlignConfig cfg = Json.MAPPER.treeToValue(old, AlignConfig.class);
        assertEquals(MemelInhibition.Selection.PER_BATCH, cfg.memelSelect());
        assertEquals(1.0, cfg.memelDelta());
        assertEquals(8, cfg.inhibitK());
        String oldState = "{\"count\": 4.0, \"scoredBatches\": 1, \"mean\": [1.0], \"variance\": [2.0], \"maxSum\": [3.0]}";
        MonosemanticScale.State s = Json.MAPPER.readValue(oldState, MonosemanticScale.State.class);
        assertEquals(0, s.batches());
        assertEquals(4.0, s.count());
    }
}
