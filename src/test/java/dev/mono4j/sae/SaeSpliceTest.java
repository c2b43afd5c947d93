package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SAE splicing (SAELens' HookedSAETransformer semantics) and SAELens' input options, against plain-Java
 * recomputations of SAELens' formulas (sae_lens/saes/sae.py@62dca28).
 */
class SaeSpliceTest {
    private static final int D_IN = 64;
    private static final int D_SAE = 48;
    private static final String AT = HookPoint.residPost(0);
    private static final TokenBatch BATCH = TokenBatch.of(2, 4, new long[] {3, 17, 42, 8, 99, 5, 6, 7});

    @TempDir
    Path tmp;

    /** A random standard SAE with the given input options. */
    private static SparseAutoencoder sae(NDManager m, boolean applyBDec, SparseAutoencoder.Normalization norm) {
        SplittableRandom rng = new SplittableRandom(5);
        float[] wEnc = new float[D_IN * D_SAE];
        float[] wDec = new float[D_SAE * D_IN];
        float[] bEnc = new float[D_SAE];
        float[] bDec = new float[D_IN];
        for (int i = 0; i < wEnc.length; i++) {
            wEnc[i] = (float) rng.nextGaussian(0, 0.3);
            wDec[i] = (float) rng.nextGaussian(0, 0.3);
        }
        for (int i = 0; i < D_SAE; i++) {
            bEnc[i] = (float) rng.nextGaussian(0, 0.1);
        }
        for (int i = 0; i < D_IN; i++) {
            bDec[i] = (float) rng.nextGaussian(0, 0.1);
        }
        ObjectNode cfg = JsonNodeFactory.instance.objectNode().put("apply_b_dec_to_input", applyBDec)
                .put("normalize_activations", norm.saeLensName()).put("hook_name", AT);
        return new SparseAutoencoder(SparseAutoencoder.Kind.STANDARD, 0, wEnc, wDec, bEnc, bDec, null, D_IN, D_SAE, cfg, m);
    }

    @ParameterizedTest
    @EnumSource(SparseAutoencoder.Normalization.class)
    void encodeAndReconstructFollowSaeLensFormulas(SparseAutoencoder.Normalization norm) {
        for (boolean applyBDec : new boolean[] {true, false}) {
            try (NDManager m = NDManager.newBaseManager(); SparseAutoencoder sae = sae(m, applyBDec, norm)) {
                SplittableRandom rng = new SplittableRandom(9);
                float[] x = new float[3 * D_IN];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rng.nextGaussian(0.5, 2);
                }
                SparseAutoencoder.Output out = sae.run(m.create(x, new Shape(3, D_IN)));
                float[] wEnc = sae.encoderWeights();
                float[] wDec = sae.decoderRows();
                float[] bEnc = sae.encoderBias();
                float[] bDec = sae.decoderBias();
                float[] gotF = out.latents().toFloatArray();
                float[] gotR = out.reconstruction().toFloatArray();
                for (int r = 0; r < 3; r++) {
                    double[] v = new double[D_IN];
                    double mean = 0;
                    double norm2 = 0;
                    for (int i = 0; i < D_IN; i++) {
                        v[i] = x[r * D_IN + i];
                        mean += v[i] / D_IN;
                        norm2 += v[i] * v[i];
                    }
                    double scale = 1;
                    double shift = 0;
                    if (norm == SparseAutoencoder.Normalization.CONSTANT_NORM_RESCALE) {
                        scale = Math.sqrt(norm2) / Math.sqrt(D_IN);
                        for (int i = 0; i < D_IN; i++) {
                            v[i] /= scale;
                        }
                    } else if (norm == SparseAutoencoder.Normalization.LAYER_NORM) {
                        double ss = 0;
                        for (int i = 0; i < D_IN; i++) {
                            ss += (v[i] - mean) * (v[i] - mean);
                        }
                        double std = Math.sqrt(ss / (D_IN - 1));
                        for (int i = 0; i < D_IN; i++) {
                            v[i] = (v[i] - mean) / (std + 1e-5);
                        }
                        scale = std;
                        shift = mean;
                    }
                    double[] f = new double[D_SAE];
                    for (int j = 0; j < D_SAE; j++) {
                        double pre = bEnc[j];
                        for (int i = 0; i < D_IN; i++) {
                            pre += (v[i] - (applyBDec ? bDec[i] : 0)) * wEnc[i * D_SAE + j];
                        }
                        f[j] = Math.max(pre, 0);
                        assertEquals(f[j], gotF[r * D_SAE + j], 1e-3, norm + " latent " + j);
                    }
                    for (int i = 0; i < D_IN; i++) {
                        double rec = bDec[i];
                        for (int j = 0; j < D_SAE; j++) {
                            rec += f[j] * wDec[j * D_IN + i];
                        }
                        assertEquals(rec * scale + shift, gotR[r * D_IN + i], 2e-3 * (1 + Math.abs(rec * scale)),
                                norm + " reconstruction " + i);
                    }
                }
            }
        }
    }

    /** Spliced in, an SAE sees [batch, pos, d_in]: TopK picks each position's k largest, as on flat rows. */
    @Test
    void topKOnBatchByPositionEqualsTopKOnRows() {
        try (NDManager m = NDManager.newBaseManager()) {
            SplittableRandom rng = new SplittableRandom(4);
            float[] w = new float[D_IN * D_SAE];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rng.nextGaussian();
            }
            float[] x = new float[2 * 3 * D_IN];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            try (SparseAutoencoder sae = new SparseAutoencoder(SparseAutoencoder.Kind.TOPK, 5, w, w, new float[D_SAE],
                    new float[D_IN], null, D_IN, D_SAE, JsonNodeFactory.instance.objectNode(), m)) {
                float[] flat = sae.encode(m.create(x, new Shape(6, D_IN))).toFloatArray();
                float[] cube = sae.encode(m.create(x, new Shape(2, 3, D_IN))).toFloatArray();
                assertArrayEquals(flat, cube);
                int nonZero = 0;
                for (float v : flat) {
                    nonZero += v != 0 ? 1 : 0;
                }
                assertTrue(nonZero <= 6 * 5 && nonZero > 6, "at most k per row: " + nonZero);
            }
        }
    }

    @Test
    void inputOptionsRoundTripThroughASaeLensFolder() {
        try (NDManager m = NDManager.newBaseManager();
                SparseAutoencoder sae = sae(m, false, SparseAutoencoder.Normalization.LAYER_NORM)) {
            Path dir = tmp.resolve("sae");
            sae.save(dir, false);
            try (SparseAutoencoder back = SparseAutoencoder.load(dir, m)) {
                assertEquals(false, back.applyBDecToInput());
                assertEquals(SparseAutoencoder.Normalization.LAYER_NORM, back.normalization());
            }
        }
    }

    @Test
    void withTheErrorTermTheModelIsUnchangedAndLatentsAreCaptured() {
        try (TransformerLM model = Checkpoint.loadCausal(Fixtures.dir("gpt2-tiny"), "this test");
                NDManager step = model.manager().newSubManager();
                SparseAutoencoder sae = sae(model.manager(), true, SparseAutoencoder.Normalization.NONE)) {
            Hooks plain = Hooks.capture(AT);
            float[] expected = model.forward(step, BATCH, plain).toFloatArray();
            Hooks spliced = SaeSplice.attach(Hooks.capture("*hook_sae_*"), sae, AT, true);
            float[] got = model.forward(step, BATCH, spliced).toFloatArray();
            assertTrue(Fixtures.maxAbsDiff(expected, got) < 1e-4, "error term restores the output");
            NDArray latents = spliced.get(AT + ".hook_sae_acts_post");
            assertArrayEquals(new long[] {2, 4, D_SAE}, latents.getShape().getShape(), "[batch, pos, d_sae]");
            NDArray rows = plain.get(AT).reshape(-1, D_IN);
            assertTrue(Fixtures.maxAbsDiff(sae.encode(rows).toFloatArray(), latents.toFloatArray()) < 1e-5);
            assertEquals(java.util.List.of(AT + ".hook_sae_input", AT + ".hook_sae_acts_pre", AT + ".hook_sae_acts_post",
                    AT + ".hook_sae_recons", AT + ".hook_sae_error", AT + ".hook_sae_output"),
                    java.util.List.copyOf(spliced.captured().keySet()), "SAELens' hook order");

            // Without the error term the hook carries the reconstruction.
            Hooks lossy = SaeSplice.attach(new Hooks(), sae, AT, false).alsoCapture(AT + ".hook_sae_output");
            model.forward(step, BATCH, lossy);
            assertTrue(Fixtures.maxAbsDiff(sae.reconstruct(rows).toFloatArray(),
                    lossy.get(AT + ".hook_sae_output").toFloatArray()) < 1e-5);
        }
    }

    @Test
    void clampingALatentMovesTheHookByItsDecoderRow() {
        try (TransformerLM model = Checkpoint.loadCausal(Fixtures.dir("gpt2-tiny"), "this test");
                NDManager step = model.manager().newSubManager();
                SparseAutoencoder sae = sae(model.manager(), true, SparseAutoencoder.Normalization.NONE)) {
            Hooks plain = Hooks.capture(AT);
            model.forward(step, BATCH, plain);
            int latent = 7;
            float value = 3f;
            Hooks clamped = SaeSplice.attach(new Hooks(), sae, AT, true).alsoCapture(AT + ".hook_sae_output");
            SaeSplice.clampLatent(clamped, sae, AT, latent, value);
            model.forward(step, BATCH, clamped);
            float[] before = sae.encode(plain.get(AT).reshape(-1, D_IN)).toFloatArray();
            float[] x = plain.get(AT).toFloatArray();
            float[] got = clamped.get(AT + ".hook_sae_output").toFloatArray();
            float[] row = sae.decoderRows();
            for (int r = 0; r < 8; r++) {
                double delta = value - before[r * D_SAE + latent];
                for (int i = 0; i < D_IN; i++) {
                    assertEquals(x[r * D_IN + i] + delta * row[latent * D_IN + i], got[r * D_IN + i], 1e-4, "row " + r);
                }
            }
            // Steering by the same latent adds its decoder row: coefficient 2 moves the hook by 2 W_dec[7].
            Hooks steered = SaeSplice.steer(new Hooks(), sae, AT, latent, 2.0).alsoCapture(AT);
            model.forward(step, BATCH, steered);
            float[] s = steered.get(AT).toFloatArray();
            assertEquals(x[5] + 2 * row[latent * D_IN + 5], s[5], 1e-5);
        }
    }
}
