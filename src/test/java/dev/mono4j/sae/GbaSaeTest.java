package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.io.Json;
import dev.mono4j.train.Gradients;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GBA's SAE against hand-computed cases (gba.md §3–4): two tied latents w₀ = (1, 0), w₁ = (0, 1) in d_in = 2, biases
 * set by hand, b_pre = 0, so every pre-activation y_m = w_m·x + b_m can be read off the rows.
 */
class GbaSaeTest {
    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    /** One group aiming at 0.1, adapting after every step, γ₋ = 0.5, γ₊ = 0.25; R = 10 keeps the floor out of the way. */
    private static final GbaConfig RULE = GbaConfig.builder().groups(1).htf(0.1).ltf(0.1).adaptEvery(1)
            .gammaMinus(0.5).gammaPlus(0.25).build();

    private static TrainableSae twoLatents(GbaConfig gba, float b0, float b1, NDManager m) {
        SaeConfig run = SaeTrainingTest.run(gba, 2, SaeConfig.DecoderBiasInit.ZERO, 3, 1);
        TrainableSae sae = TrainableSae.create(run, 2, 10, new float[2], m);
        TrainableSae.overwrite(sae.wDec, new float[] {1, 0, 0, 1});
        TrainableSae.overwrite(sae.bEnc, new float[] {b0, b1});
        return sae;
    }

    /**
     * Rows (2, 0), (1, 0), (0, 1.5) with b = (−0.5, −2). Latent 0 fires on 2 of 3 rows (> 0.1): its peak pre-activation
     * is r₀ = 2 − 0.5 = 1.5, so b₀ ← −0.5 − 0.5·1.5 = −1.25. Latent 1 never fires (y₁ ≤ −0.5): the group's only
     * positive peak is r₀, so b₁ ← −2 + 0.25·1.5 = −1.625. (Peaks of the projection w·x, without the bias, would give
     * r₀ = 2 and a mean peak (2 + 1.5)/2: −1.5 and −1.5625, which {@code --gba-peak projection} still does.)
     */
    @Test
    void biasStepsByThePeakOfThePreActivationWithItsBias() {
        float[] rows = {2, 0, 1, 0, 0, 1.5f};
        assertArrayEquals(new float[] {-1.25f, -1.625f}, adaptedOnce(RULE, rows), 1e-6f);
        GbaConfig projection = RULE.toBuilder().peak(GbaConfig.Peak.PROJECTION).build();
        assertArrayEquals(new float[] {-1.5f, -1.5625f}, adaptedOnce(projection, rows), 1e-6f);
    }

    private static float[] adaptedOnce(GbaConfig gba, float[] rows) {
        try (NDManager m = NDManager.newBaseManager(); TrainableSae sae = twoLatents(gba, -0.5f, -2f, m)) {
            TrainableSae.Forward f = sae.forward(m, m.create(rows, new Shape(3, 2)), null);
            assertArrayEquals(new float[] {2, 0}, f.firing());
            sae.afterStep(1, f.firing(), 3);
            return sae.bEnc.toFloatArray();
        }
    }

    /**
     * The output scale a_m is a parameter (gba.md §3: Adam trains w and a) starting at 1. Row x = (2, 0), b₀ = −0.5:
     * f₀ = 1.5, x̂ = a₀·1.5·w₀, loss (1.5·a₀ − 2)² = 0.25 at a = 1 and ∂/∂a₀ = 2·(1.5 − 2)·1.5 = −1.5; latent 1 is
     * off, so ∂/∂a₁ = 0. With {@code --gba-output-scale fixed} there is no a.
     */
    @Test
    void theOutputScaleTrainsAndItsGradientIsTheHandComputedOne() {
        try (NDManager m = NDManager.newBaseManager(); TrainableSae sae = twoLatents(RULE, -0.5f, -2f, m)) {
            NDArray a = sae.parameters().get(GbaSae.OUTPUT_SCALE);
            assertArrayEquals(new float[] {1, 1}, a.toFloatArray());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                TrainableSae.Forward f = sae.forward(m, m.create(new float[] {2, 0}, new Shape(1, 2)), null);
                assertEquals(0.25f, f.loss().getFloat(), 1e-6f);
                gc.backward(f.loss());
            }
            assertArrayEquals(new float[] {-1.5f, 0}, Gradients.of(a).toFloatArray(), 1e-6f);
        }
        GbaConfig fixed = RULE.toBuilder().outputScale(GbaConfig.OutputScale.FIXED).build();
        try (NDManager m = NDManager.newBaseManager(); TrainableSae sae = twoLatents(fixed, -0.5f, -2f, m)) {
            assertEquals(null, sae.parameters().get(GbaSae.OUTPUT_SCALE));
        }
    }

    /** The saved SAE folds a_m into its decoder rows: with a₀ = 4/3 it reconstructs (2, 0) exactly, as training does. */
    @Test
    void theSavedSaeFoldsTheOutputScaleIntoTheDecoder() {
        ObjectNode fields = Json.MAPPER.createObjectNode().put("hook_name", "h").put("model_name", "toy");
        try (NDManager m = NDManager.newBaseManager(); TrainableSae sae = twoLatents(RULE, -0.5f, -2f, m)) {
            TrainableSae.overwrite(sae.parameters().get(GbaSae.OUTPUT_SCALE), new float[] {4f / 3, 1});
            NDArray x = m.create(new float[] {2, 0}, new Shape(1, 2));
            assertArrayEquals(new float[] {2, 0}, sae.forward(m, x, null).recon().toFloatArray(), 1e-6f);
            try (SparseAutoencoder saved = sae.export(1.0, fields, m)) {
                assertArrayEquals(new float[] {2, 0}, saved.decode(saved.encode(x)).toFloatArray(), 1e-6f);
            }
        }
    }
}
