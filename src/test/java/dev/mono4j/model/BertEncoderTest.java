package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.testing.Fixtures;
import java.util.Arrays;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny random BERT against BertModel's forward pass written out in plain Java loops. */
class BertEncoderTest {
    private static final int VOCAB = 40;
    private static final int D = 12;
    private static final int HEADS = 3;
    private static final int INNER = 20;
    private static final double EPS = 1e-12;

    @TempDir
    Path tmp;

    /** Every weight random (LayerNorm scales around 1), so biases and norms all matter. */
    private static TransformerEncoder randomBert(int layers) {
        TransformerEncoder model = TransformerEncoder.random(ModelConfig.bert(VOCAB, D, layers, HEADS, INNER, 16, 2, 1e-12), 7);
        SplittableRandom rng = new SplittableRandom(11);
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            float[] v = new float[Math.toIntExact(e.getValue().size())];
            boolean scale = e.getKey().endsWith("LayerNorm.weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((scale ? 1 : 0) + (scale ? 0.1 : 0.3) * rng.nextGaussian());
            }
            e.getValue().set(v);
        }
        return model;
    }

    /** Right-padded: the second row has two padding tokens (id 0, mask 0). */
    private static final TokenBatch BATCH = new TokenBatch(2, 5, new long[] {5, 17, 3, 39, 8, 22, 9, 31, 0, 0},
            new long[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0});

    @Test
    void oneLayerMatchesPlainLoopsWithPaddingMask() {
        try (TransformerEncoder model = randomBert(1); NDManager step = model.manager().newSubManager()) {
            Hooks hooks = Hooks.capture("*");
            float[] out = model.forward(step, BATCH, hooks).toFloatArray();
            float[][] resid = new float[2][];
            float[][] mid = new float[2][];
            for (int b = 0; b < 2; b++) {
                int real = (int) Arrays.stream(BATCH.mask(), b * 5, b * 5 + 5).sum();
                long[] ids = Arrays.copyOfRange(BATCH.ids(), b * 5, b * 5 + real);
                float[][] x = embeddings(model, ids);
                float[][] h = new float[real][];
                float[][] attn = attention(model, x);
                for (int t = 0; t < real; t++) {
                    h[t] = layerNorm(add(x[t], attn[t]), model, "encoder.layer.0.attention.output.LayerNorm");
                }
                mid[b] = flatten(h);
                float[][] y = new float[real][];
                for (int t = 0; t < real; t++) {
                    float[] inner = linear(model, "encoder.layer.0.intermediate.dense", h[t]);
                    for (int i = 0; i < inner.length; i++) {
                        inner[i] = (float) (0.5 * inner[i] * (1 + erf(inner[i] / Math.sqrt(2))));
                    }
                    y[t] = layerNorm(add(h[t], linear(model, "encoder.layer.0.output.dense", inner)), model,
                            "encoder.layer.0.output.LayerNorm");
                }
                resid[b] = flatten(y);
            }
            float[] midHook = hooks.get("blocks.0.hook_resid_mid").toFloatArray();
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < resid[b].length; i++) {
                    assertEquals(resid[b][i], out[b * 5 * D + i], 1e-4, "last_hidden_state row " + b + " at " + i);
                    assertEquals(mid[b][i], midHook[b * 5 * D + i], 1e-4, "resid_mid row " + b + " at " + i);
                }
            }
            NDArray post = hooks.get("blocks.0.hook_resid_post");
            assertEquals(new Shape(2, 5, D), post.getShape());
            assertArrayEquals(out, post.toFloatArray(), "the output is the last block's resid_post");
        }
    }

    @Test
    void hookNamesFollowTheDecoderVocabularyWithoutFinalNorm() {
        try (TransformerEncoder model = randomBert(2)) {
            List<String> names = model.hookNames();
            // Attention hooks as the decoders' (no rotary: no hook_rot_q/k).
            assertEquals(List.of("hook_embed", "hook_pos_embed", "blocks.0.hook_resid_pre", "blocks.0.attn.hook_q",
                    "blocks.0.attn.hook_k", "blocks.0.attn.hook_v", "blocks.0.attn.hook_attn_scores",
                    "blocks.0.attn.hook_pattern", "blocks.0.attn.hook_z", "blocks.0.attn.hook_result",
                    "blocks.0.hook_attn_out", "blocks.0.hook_resid_mid", "blocks.0.mlp.hook_pre", "blocks.0.mlp.hook_post",
                    "blocks.0.hook_mlp_out", "blocks.0.hook_resid_post"), names.subList(0, 16));
            assertEquals(2 + 2 * 14, names.size());
            assertFalse(names.contains("ln_final.hook_normalized"));
            try (NDManager step = model.manager().newSubManager()) {
                Hooks all = Hooks.capture("*");
                model.forward(step, BATCH, all);
                assertEquals(names, List.copyOf(all.captured().keySet()), "every listed hook is reached, in order");
            }
        }
    }

    @Test
    void savesLoadsBackAndRefusesCausalWork() {
        Path dir = tmp.resolve("bert");
        try (TransformerEncoder model = randomBert(2); NDManager step = model.manager().newSubManager()) {
            Checkpoint.save(model, dir, null, false);
            float[] expected = model.forward(step, BATCH, Hooks.none()).toFloatArray();
            try (TransformerEncoder loaded = Checkpoint.loadEncoder(dir, "this test"); NDManager s2 = loaded.manager().newSubManager()) {
                assertEquals(model.config(), loaded.config());
                float[] got = loaded.forward(s2, BATCH, Hooks.none()).toFloatArray();
                assertEquals(0, Fixtures.maxAbsDiff(expected, got));
            }
        }
        UserInputException e = assertThrows(UserInputException.class, () -> Checkpoint.loadCausal(dir, "generation"));
        assertEquals(dir.resolve("config.json") + ": BertModel is an encoder without an LM head; generation needs a"
                + " causal language model", e.getMessage());
    }

    private static float[][] embeddings(TransformerEncoder m, long[] ids) {
        float[] word = m.weight("embeddings.word_embeddings.weight");
        float[] pos = m.weight("embeddings.position_embeddings.weight");
        float[] type = m.weight("embeddings.token_type_embeddings.weight");
        float[][] x = new float[ids.length][D];
        for (int t = 0; t < ids.length; t++) {
            for (int i = 0; i < D; i++) {
                x[t][i] = word[(int) ids[t] * D + i] + pos[t * D + i] + type[i];
            }
            x[t] = layerNorm(x[t], m, "embeddings.LayerNorm");
        }
        return x;
    }

    /** Bidirectional multi-head attention over the real tokens only (padding keys never exist here). */
    private static float[][] attention(TransformerEncoder m, float[][] x) {
        String p = "encoder.layer.0.attention.";
        int n = x.length;
        int hd = D / HEADS;
        float[][] q = new float[n][];
        float[][] k = new float[n][];
        float[][] v = new float[n][];
        for (int t = 0; t < n; t++) {
            q[t] = linear(m, p + "self.query", x[t]);
            k[t] = linear(m, p + "self.key", x[t]);
            v[t] = linear(m, p + "self.value", x[t]);
        }
        float[][] out = new float[n][];
        for (int t = 0; t < n; t++) {
            float[] ctx = new float[D];
            for (int h = 0; h < HEADS; h++) {
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < hd; i++) {
                        s[j] += q[t][h * hd + i] * k[j][h * hd + i];
                    }
                    s[j] /= Math.sqrt(hd);
                    max = Math.max(max, s[j]);
                }
                double z = 0;
                for (int j = 0; j < n; j++) {
                    s[j] = Math.exp(s[j] - max);
                    z += s[j];
                }
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < hd; i++) {
                        ctx[h * hd + i] += (float) (s[j] / z * v[j][h * hd + i]);
                    }
                }
            }
            out[t] = linear(m, p + "output.dense", ctx);
        }
        return out;
    }

    /** nn.Linear: weight [out, in]. */
    private static float[] linear(TransformerEncoder m, String module, float[] x) {
        float[] w = m.weight(module + ".weight");
        float[] b = m.weight(module + ".bias");
        float[] y = new float[b.length];
        for (int o = 0; o < y.length; o++) {
            double s = b[o];
            for (int i = 0; i < x.length; i++) {
                s += w[o * x.length + i] * x[i];
            }
            y[o] = (float) s;
        }
        return y;
    }

    private static float[] layerNorm(float[] x, TransformerEncoder m, String key) {
        float[] w = m.weight(key + ".weight");
        float[] b = m.weight(key + ".bias");
        double mean = 0;
        for (float f : x) {
            mean += f;
        }
        mean /= x.length;
        double var = 0;
        for (float f : x) {
            var += (f - mean) * (f - mean);
        }
        var /= x.length;
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) ((x[i] - mean) / Math.sqrt(var + EPS) * w[i] + b[i]);
        }
        return y;
    }

    private static float[] add(float[] a, float[] b) {
        float[] c = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i] + b[i];
        }
        return c;
    }

    private static float[] flatten(float[][] rows) {
        float[] f = new float[rows.length * D];
        for (int t = 0; t < rows.length; t++) {
            System.arraycopy(rows[t], 0, f, t * D, D);
        }
        return f;
    }

    /** Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7). */
    private static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
                * Math.exp(-x * x);
        return Math.signum(x) * y;
    }
}
