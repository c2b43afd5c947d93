package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.mono4j.train.Gradients;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SparseTopKStepTest {
    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    /** The kernel against the formulas of its class comment, in double precision, one entry at a time. */
    @Test
    void kernelMatchesDirectComputation() {
        // More rows and latents than one parallel block, a width that is no multiple of the unrolling, and rows
        // with 0 to 9 candidates, a third of them below the threshold.
        int n = 130;
        int dIn = 7;
        int dSae = 70;
        float threshold = 0.5f;
        Random r = new Random(2);
        float[] xc = SaeTrainingTest.random(r, n * dIn);
        float[] dec = SaeTrainingTest.random(r, dSae * dIn);
        float[][] values = new float[n][];
        int[][] latents = new int[n][];
        for (int row = 0; row < n; row++) {
            values[row] = new float[row % 10];
            latents[row] = new int[row % 10];
            for (int j = 0; j < row % 10; j++) {
                latents[row][j] = (row * 7 + j * 11) % dSae; // distinct within the row
                values[row][j] = (row + j) % 3 == 0 ? r.nextFloat() * threshold : threshold + r.nextFloat();
            }
        }
        SparseTopKStep s = new SparseTopKStep(n, dIn, dSae);
        fill(s.xc, SaeTrainingTest.random(r, n * dIn));
        fill(s.dec, dec);
        s.run(values, latents, threshold); // a first run on other rows: the second must not depend on it
        fill(s.xc, xc);
        SparseTopKStep.Result result = s.run(values, latents, threshold);

        double[] residual = new double[n * dIn];
        double mse = 0;
        double[] gradDec = new double[dSae * dIn];
        double[] gradEnc = new double[dSae * dIn];
        double[] gradBEnc = new double[dSae];
        double[] gradRecon = new double[dIn];
        float[] firing = new float[dSae];
        for (int row = 0; row < n; row++) {
            for (int t = 0; t < dIn; t++) {
                residual[row * dIn + t] = xc[row * dIn + t];
            }
            for (int j = 0; j < values[row].length; j++) {
                for (int t = 0; values[row][j] >= threshold && t < dIn; t++) {
                    residual[row * dIn + t] -= values[row][j] * dec[latents[row][j] * dIn + t];
                }
            }
            double[] g = new double[dIn];
            for (int t = 0; t < dIn; t++) {
                double v = residual[row * dIn + t];
                mse += v * v / n;
                g[t] = -2 * v / n;
                gradRecon[t] += g[t];
            }
            for (int j = 0; j < values[row].length; j++) {
                if (values[row][j] < threshold) {
                    continue;
                }
                int i = latents[row][j];
                firing[i]++;
                double gradPre = 0;
                for (int t = 0; t < dIn; t++) {
                    gradPre += g[t] * dec[i * dIn + t];
                }
                gradBEnc[i] += gradPre;
                for (int t = 0; t < dIn; t++) {
                    gradDec[i * dIn + t] += values[row][j] * g[t];
                    gradEnc[i * dIn + t] += gradPre * xc[row * dIn + t];
                }
            }
        }
        assertArrayEquals(toFloats(residual), flat(s.residual), 1e-5f);
        assertEquals(mse, result.mse(), 1e-5 * mse);
        assertArrayEquals(toFloats(gradDec), flat(s.gradDec), 1e-5f);
        assertArrayEquals(toFloats(gradEnc), flat(s.gradEnc), 1e-5f);
        assertArrayEquals(toFloats(gradBEnc), result.gradBEnc(), 1e-5f);
        assertArrayEquals(toFloats(gradRecon), result.gradRecon(), 1e-5f);
        assertArrayEquals(firing, result.firing());
    }

    /** Each row's c largest values and their columns, as a sort finds them, stored under the row's number. */
    @Test
    void largestMatchesSorting() {
        int m = 300;
        Random r = new Random(6);
        float[] a = SaeTrainingTest.random(r, 5 * m);
        for (int c : new int[] {1, 7, 64, m}) {
            float[][] values = new float[5][];
            int[][] columns = new int[5][];
            float[] listed = new float[3 * m]; // rows 0, 3 and 4
            System.arraycopy(a, 0, listed, 0, m);
            System.arraycopy(a, 3 * m, listed, m, 2 * m);
            SparseTopKStep.largest(FloatBuffer.wrap(listed), m, c, new int[] {0, 3, 4}, values, columns);
            assertEquals(null, values[1]);
            for (int row : new int[] {0, 3, 4}) {
                float[] sorted = Arrays.copyOfRange(a, row * m, (row + 1) * m);
                Arrays.sort(sorted);
                float[] got = values[row].clone();
                Arrays.sort(got);
                assertArrayEquals(Arrays.copyOfRange(sorted, m - c, m), got, "row " + row + ", c " + c);
                for (int j = 0; j < c; j++) {
                    assertEquals(a[row * m + columns[row][j]], values[row][j]);
                }
            }
        }
    }

    /**
     * Both TopK paths and both BatchTopK paths, with AuxK on, against the losses written the plain way and
     * differentiated by autograd: pre-activations (x − b_dec)·W_encᵀ + b_enc over all latents, ReLU, masks from
     * a top-k per row (or over the batch), AuxK among all latents with the live ones pushed to −∞. Rows 0 and 5
     * are ten times larger than the others, so that they hold most of BatchTopK's batch and their candidates must
     * grow. The second size has more pre-activations than one chunk (TopKSelection.CHUNK_FLOATS) holds. Values
     * agree to 1e-4, relative where they exceed 1.
     */
    @Test
    void topKTrainingMatchesPlainAutograd() {
        topKTrainingMatchesPlainAutograd(16, 12, 48);
        topKTrainingMatchesPlainAutograd(100, 8, 65_536);
    }

    private static void topKTrainingMatchesPlainAutograd(int n, int dIn, int dSae) {
        Random r = new Random(4);
        float[] rows = SaeTrainingTest.random(r, n * dIn);
        for (int t = 0; t < dIn; t++) {
            rows[t] *= 10;
            rows[5 * dIn + t] *= 10;
        }
        float[] bDec = SaeTrainingTest.random(r, dIn);
        boolean[] dead = new boolean[dSae];
        for (int i = 0; i < dSae; i += 3) {
            dead[i] = true;
        }
        for (String a : List.of("topk", "batchtopk")) {
            for (boolean sparse : List.of(true, false)) {
                SaeConfig cfg = SaeTrainingTest.run(SaeTrainingTest.arch(a, 4, 8, sparse), dSae,
                        SaeConfig.DecoderBiasInit.MEAN, n, 1);
                try (NDManager m = NDManager.newBaseManager(); TrainableSae sae = TrainableSae.create(cfg, dIn, 1, bDec, m)) {
                    sae.bEnc.set(SaeTrainingTest.random(r, dSae)); // not all zero, so that its gradient is tested too
                    Map<String, float[]> got = lossAndGradients(sae, rows, n, dead, false);
                    Map<String, float[]> want = lossAndGradients(sae, rows, n, dead, true);
                    for (String key : want.keySet()) {
                        float[] w = want.get(key);
                        float[] g = got.get(key);
                        assertEquals(w.length, g.length, key);
                        for (int i = 0; i < w.length; i++) {
                            int at = i;
                            assertEquals(w[i], g[i], 1e-4 * Math.max(1, Math.abs(w[i])),
                                    () -> a + (sparse ? " sparse " : " dense ") + key + "[" + at + "], d_sae " + dSae);
                        }
                    }
                }
            }
        }
    }

    private static Map<String, float[]> lossAndGradients(TrainableSae sae, float[] rows, int n, boolean[] dead,
            boolean plain) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(rows, new Shape(n, sae.dIn));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                TrainableSae.Forward f = plain ? plainTopK(m, sae, x, dead) : sae.forward(m, x, dead);
                gc.backward(f.loss());
                out.put("loss", new float[] {f.loss().getFloat()});
                out.put("mse", new float[] {f.mse().getFloat()});
                out.put("aux", new float[] {f.penalty().getFloat()});
                out.put("recon", f.recon().toFloatArray());
                out.put("firing", f.firing());
            }
            for (Map.Entry<String, NDArray> e : sae.parameters().entrySet()) {
                out.put("grad " + e.getKey(), Gradients.of(e.getValue()).toFloatArray());
            }
            Gradients.zero(sae.parameters().values());
        }
        return out;
    }

    private static TrainableSae.Forward plainTopK(NDManager m, TrainableSae sae, NDArray x, boolean[] dead) {
        ArchitectureConfig a = sae.cfg.architecture();
        boolean rowTopK = a instanceof TopKConfig;
        TopKConfig cfg = rowTopK ? (TopKConfig) a : new TopKConfig(((BatchTopKConfig) a).k(), ((BatchTopKConfig) a).auxK(),
                ((BatchTopKConfig) a).auxCoefficient(), ((BatchTopKConfig) a).sparseDecode());
        NDArray pre = x.sub(sae.bDec).matMul(sae.wEnc.transpose()).add(sae.bEnc);
        NDArray preD = pre.stopGradient();
        NDArray keep;
        if (rowTopK) {
            keep = preD.gte(preD.topK(cfg.k(), 1, true, true).get(0).min(new int[] {1}, true));
        } else {
            float kth = preD.reshape(-1).topK((int) x.getShape().get(0) * cfg.k(), 0, true, true).get(0).min().getFloat();
            keep = preD.gte(Math.max(kth, Float.MIN_NORMAL));
        }
        NDArray f = Activation.relu(pre).mul(keep.toType(DataType.FLOAT32, false));
        NDArray recon = f.matMul(sae.wDec).add(sae.bDec);
        NDArray mse = recon.sub(x).square().sum(new int[] {1}).mean();
        int nDead = 0;
        float[] live = new float[sae.dSae];
        for (int i = 0; i < sae.dSae; i++) {
            nDead += dead[i] ? 1 : 0;
            live[i] = dead[i] ? 0 : Float.NEGATIVE_INFINITY;
        }
        NDArray auxPre = preD.add(m.create(live));
        NDArray auxKeep = auxPre.gte(auxPre.topK(Math.min(cfg.auxK(), nDead), 1, true, true).get(0).min(new int[] {1}, true));
        NDArray auxRecon = Activation.relu(pre).mul(auxKeep.toType(DataType.FLOAT32, false)).matMul(sae.wDec);
        NDArray aux = auxRecon.sub(x.sub(recon).stopGradient()).square().sum(new int[] {1}).mean()
                .mul(TrainableSae.scalar(m, Math.min(1.0, (double) nDead / cfg.auxK())));
        float[] firing = f.stopGradient().gt(0f).toType(DataType.FLOAT32, false).sum(new int[] {0}).toFloatArray();
        return new TrainableSae.Forward(mse.add(aux.mul(TrainableSae.scalar(m, cfg.auxCoefficient()))), mse, aux, recon, firing);
    }

    private static void fill(float[][] rows, float[] flat) {
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(flat, r * rows[r].length, rows[r], 0, rows[r].length);
        }
    }

    private static float[] flat(float[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * rows[r].length, rows[r].length);
        }
        return flat;
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
