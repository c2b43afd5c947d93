package dev.mono4j.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Each loss against a case computed by hand (in double, here), and its gradient by finite differences. */
class LossesTest {
    static double softplus(double z) {
        return Math.log1p(Math.exp(z));
    }

    static float[] values(NDArray a) {
        return a.toType(DataType.FLOAT32, false).toFloatArray();
    }

    @Test
    void dpoMatchesTheFormula() {
        try (NDManager m = NDManager.newBaseManager()) {
            // pairs: (πw, πl, refw, refl) = (-1, -2, -1.5, -1.5) and (-3, -1, -2, -2)
            PreferenceLoss.Result r = PreferenceLoss.compute(PreferenceLoss.Type.DPO, 0.1, 0, PolicyLogProbs.Mode.SUM, m.create(new float[] {-1, -3}),
                    m.create(new float[] {-2, -1}), m.create(new float[] {-1.5f, -2}), m.create(new float[] {-1.5f, -2}),
                    null, null);
            float[] loss = values(r.losses());
            assertEquals(softplus(-0.1 * (0.5 + 0.5)), loss[0], 1e-6);
            assertEquals(softplus(-0.1 * (-1 - 1)), loss[1], 1e-6);
            assertEquals(0.05, values(r.chosenRewards())[0], 1e-6);
            assertEquals(-0.05, values(r.rejectedRewards())[0], 1e-6);
        }
    }

    @Test
    void dpoStaysFiniteForExtremeMargins() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] loss = values(PreferenceLoss.compute(PreferenceLoss.Type.DPO, 1, 0, PolicyLogProbs.Mode.SUM, m.create(new float[] {-500, 500}),
                    m.create(new float[] {500, -500}), m.create(new float[] {0, 0}), m.create(new float[] {0, 0}), null,
                    null).losses());
            assertEquals(1000, loss[0], 1e-3, "−log σ(−1000) = 1000");
            assertEquals(0, loss[1], 1e-6, "−log σ(1000) = 0");
        }
    }

    @Test
    void ipoAndSimpoMatchTheirFormulas() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pw = m.create(new float[] {-4});
            NDArray pl = m.create(new float[] {-9});
            NDArray rw = m.create(new float[] {-5});
            NDArray rl = m.create(new float[] {-7});
            double h = (-4 + 5) - (-9 + 7);
            assertEquals(Math.pow(h - 1 / (2 * 0.5), 2),
                    values(PreferenceLoss.compute(PreferenceLoss.Type.IPO, 0.5, 0, PolicyLogProbs.Mode.SUM, pw, pl, rw, rl, null, null).losses())[0], 1e-5);
            PreferenceLoss.Result s = PreferenceLoss.compute(PreferenceLoss.Type.SIMPO, 2.0, 0.2, PolicyLogProbs.Mode.SUM, pw, pl, null, null,
                    m.create(new float[] {2}), m.create(new float[] {3}));
            assertEquals(softplus(-(2.0 * -4 / 2 - 2.0 * -9 / 3 - 0.2)), values(s.losses())[0], 1e-5);
            assertEquals(-4.0, values(s.chosenRewards())[0], 1e-6);
        }
    }

    @Test
    void sftAndL1MatchTheirFormulas() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals((6.0 + 2.0) / (3 + 1), values(SftLoss.compute(m.create(new float[] {-6, -2}),
                    m.create(new float[] {3, 1})))[0], 1e-6);
            assertEquals((3 + 1.5) / 2.0, values(ActivationL1.compute(m.create(new float[] {1, -2, 0, 0.5f, -1, 0},
                    new Shape(2, 3))))[0], 1e-6);
        }
    }

    @Test
    void decorrelationModesOnHandCases() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray orthogonal = m.create(new float[] {2, 0, 0, 0, 3, 0}, new Shape(2, 3));
            NDArray parallel = m.create(new float[] {1, 2, 0, 2, 4, 0}, new Shape(2, 3));
            NDArray diagonal = m.create(new float[] {1, 0, 1, 1}, new Shape(2, 2)); // cos = 1/√2
            assertEquals(0, values(DecorrelationLoss.compute(DecorrelationLoss.Mode.SAMPLES, orthogonal))[0], 1e-6);
            assertEquals(1, values(DecorrelationLoss.compute(DecorrelationLoss.Mode.SAMPLES, parallel))[0], 1e-5);
            assertEquals(0.5, values(DecorrelationLoss.compute(DecorrelationLoss.Mode.SAMPLES, diagonal))[0], 1e-5);

            // Features: neurons 0 and 1 identical up to scale over 4 samples, neuron 2 uncorrelated with both.
            NDArray f = m.create(new float[] {1, 2, 1, -1, -2, 1, 1, 2, -1, -1, -2, -1}, new Shape(4, 3));
            // C01 = C10 = 1, C02 = C12 = 0 → Σ_{i≠j} C² / d = 2 / 3
            assertEquals(2.0 / 3, values(DecorrelationLoss.compute(DecorrelationLoss.Mode.FEATURES, f))[0], 1e-4);

            // Released code, one number: A = |a|, (Σ_ij a_i·a_j − n) / n²: [[1,1],[1,1]] gives (8 − 2) / 4.
            NDArray ones = m.create(new float[] {1, -1, 1, 1}, new Shape(2, 2));
            assertEquals(1.5, values(DecorrelationLoss.compute(DecorrelationLoss.Mode.RELEASED_CODE_LAST_TOKEN, ones))[0], 1e-6);
            assertEquals(0, values(DecorrelationLoss.compute(DecorrelationLoss.Mode.RELEASED_CODE_LAST_TOKEN,
                    m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2))))[0], 1e-6);
        }
    }

    /** A small matrix with signs, a near-parallel pair and unequal norms. */
    private static final double[][] A = {{0.3, -1.2, 0.8}, {0.5, -0.7, 1.1}, {-0.2, 0.4, 0.9}, {0.6, -1.0, 0.7}};

    /** Every form of L_dec against the same formula written out in plain double arithmetic. */
    @Test
    void decorrelationModesMatchPlainJava() {
        int n = A.length;
        int d = A[0].length;
        double[][] cos = new double[n][n];
        double[][] absGram = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                double ii = 0;
                double jj = 0;
                double abs = 0;
                for (int k = 0; k < d; k++) {
                    dot += A[i][k] * A[j][k];
                    ii += A[i][k] * A[i][k];
                    jj += A[j][k] * A[j][k];
                    abs += Math.abs(A[i][k]) * Math.abs(A[j][k]);
                }
                cos[i][j] = dot / Math.sqrt(ii * jj);
                absGram[i][j] = abs - (i == j ? 1 : 0);
            }
        }
        double paper = 0; // ‖ẐẐᵀ − I‖²_F with unit rows
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double e = cos[i][j] - (i == j ? 1 : 0);
                paper += e * e;
            }
        }
        double[] perRow = new double[n]; // (|A||A|ᵀ − I).mean(dim=0)
        double all = 0;
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                perRow[j] += absGram[i][j] / n;
                all += absGram[i][j] / ((double) n * n);
            }
        }
        double[][] z = new double[n][d]; // neurons standardised over the batch (population sd)
        for (int k = 0; k < d; k++) {
            double mean = 0;
            for (double[] row : A) {
                mean += row[k] / n;
            }
            double var = 0;
            for (double[] row : A) {
                var += (row[k] - mean) * (row[k] - mean) / n;
            }
            for (int i = 0; i < n; i++) {
                z[i][k] = (A[i][k] - mean) / Math.sqrt(var);
            }
        }
        double features = 0;
        for (int k = 0; k < d; k++) {
            for (int l = 0; l < d; l++) {
                if (k != l) {
                    double c = 0;
                    for (int i = 0; i < n; i++) {
                        c += z[i][k] * z[i][l] / n;
                    }
                    features += c * c / d;
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(A);
            assertEquals(paper, only(DecorrelationLoss.compute(DecorrelationLoss.Mode.PAPER, a)), 1e-6); // ε in the norms
            assertEquals(paper / (n * (n - 1)), only(DecorrelationLoss.compute(DecorrelationLoss.Mode.SAMPLES, a)), 1e-7);
            assertEquals(features, only(DecorrelationLoss.compute(DecorrelationLoss.Mode.FEATURES, a)), 1e-6);
            assertEquals(all, only(DecorrelationLoss.compute(DecorrelationLoss.Mode.RELEASED_CODE_LAST_TOKEN, a)), 1e-9);
            NDArray released = DecorrelationLoss.compute(DecorrelationLoss.Mode.RELEASED_CODE, a);
            assertEquals(new Shape(n), released.getShape(), "one value per row, added to each pair's loss");
            assertArrayEquals(perRow, released.toDoubleArray(), 1e-9);
        }
    }

    private static double only(NDArray scalar) {
        assertEquals(new Shape(), scalar.getShape());
        return scalar.toDoubleArray()[0];
    }

    /** Gradients under autograd equal central finite differences (in float64). */
    @Test
    void gradientsMatchFiniteDifferences() {
        double[] x0 = {0.3, -1.2, 0.8, 0.5, -0.7, 1.1, 0.2, -0.4, 0.9, -0.3, 0.6, 0.4};
        for (DecorrelationLoss.Mode mode : DecorrelationLoss.Mode.values()) {
            check(x0, a -> DecorrelationLoss.compute(mode, a.reshape(4, 3)).sum(), mode.toString());
        }
        check(x0, a -> ActivationL1.compute(a.reshape(4, 3)), "l1");
        check(new double[] {-1.0, -3.0, -2.0, -1.0}, a -> {
            NDArray ref = a.getManager().create(new double[] {-1.5, -2.5});
            return PreferenceLoss.compute(PreferenceLoss.Type.DPO, 0.7, 0, PolicyLogProbs.Mode.SUM, a.get("0:2"), a.get("2:4"), ref, ref, null, null)
                    .losses().sum();
        }, "dpo");
    }

    private static void check(double[] x0, Function<NDArray, NDArray> f, String what) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(x0);
            x.setRequiresGradient(true);
            double[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = f.apply(x);
                gc.backward(y);
            }
            grad = x.getGradient().toDoubleArray();
            double h = 1e-6;
            for (int i = 0; i < x0.length; i++) {
                double[] plus = x0.clone();
                double[] minus = x0.clone();
                plus[i] += h;
                minus[i] -= h;
                double fd = (f.apply(m.create(plus)).toDoubleArray()[0] - f.apply(m.create(minus)).toDoubleArray()[0]) / (2 * h);
                assertTrue(Math.abs(fd - grad[i]) < 1e-5 * Math.max(1, Math.abs(fd)),
                        what + " d/dx" + i + ": autograd " + grad[i] + ", finite difference " + fd);
            }
        }
    }
}
