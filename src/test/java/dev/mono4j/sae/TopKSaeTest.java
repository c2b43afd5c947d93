package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.mono4j.train.Gradients;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TopK and BatchTopK training, sparse and dense, against the same losses written plainly for autograd. */
class TopKSaeTest {
    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    /**
     * Both TopK paths and both BatchTopK paths, with AuxK on, against the losses written the plain way and
     * differentiated by autograd: pre-activations (x − b_dec)·W_encᵀ + b_enc over all latents, ReLU, masks from
     * a top-k per row (or over the batch), AuxK among all latents with the live ones pushed to −∞. Rows 0 and 5
     * are ten times larger than the others, so that they hold most of BatchTopK's batch and their candidates must
     * grow. The second size has more pre-activations than one chunk (kernel.TopKSelection.CHUNK_FLOATS) holds. Values
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
}
