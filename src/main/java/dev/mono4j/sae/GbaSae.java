package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import java.util.Map;

/**
 * GBA and BA (Chen et al. 2025; see {@link GbaConfig}): the SAE of gba.md §3 [S1],
 * <pre>
 *   f(x) = Σ_m a_m w_m φ(y_m) + b_pre,    y_m = w_mᵀ(x − b_pre) + b_m,
 * </pre>
 * w_m the tied encoder/decoder row (by default), a_m the per-neuron output scale ({@link GbaConfig.OutputScale}),
 * b_pre our b_dec. It is trained on reconstruction alone, no sparsity term ([S1]; we minimise SAELens' MSE, Σ over
 * d_in averaged over rows, where [S1] writes ½‖f(x) − x‖²: a constant factor, which Adam's update does not see).
 * The encoder bias b is not a parameter (no gradient, [S1]) but set by {@link GroupBiasAdaptation} at the end of
 * each window of steps. With {@code jumpRelu} the adapted value gates instead of shifting: φ(y) = z·H(y),
 * z = y − b, a JumpReLU with θ = −b, which keeps the magnitudes of the latents that fire unshrunk. Both fire on
 * the same rows (y > 0), so the adaptation is the same.
 */
final class GbaSae extends TrainableSae {
    /** The name of a_m among the parameters (and in checkpoints). */
    static final String OUTPUT_SCALE = "a";
    private final GbaConfig gba;
    private final GroupBiasAdaptation adaptation;
    private final double inputNorm;
    /** a_m, one per latent, starting at 1; null when {@link GbaConfig.OutputScale#FIXED} (a = 1). */
    private final NDArray outputScale;
    /** The last step's peak of each latent: of y_m or of w_m·(x − b_dec), as {@link GbaConfig#peak} says. */
    private float[] stepPeak;

    GbaSae(GbaConfig gba, SaeConfig cfg, int dIn, double inputNorm, float[] decoderBias, NDManager parent) {
        super(cfg, dIn, decoderBias, parent, gba.tied());
        this.gba = gba;
        this.inputNorm = inputNorm;
        this.adaptation = new GroupBiasAdaptation(gba, dSae, inputNorm, cfg.seed());
        this.outputScale = gba.outputScale() == GbaConfig.OutputScale.TRAINED ? manager.ones(new Shape(dSae)) : null;
    }

    @Override
    Map<String, NDArray> ownParameters() {
        return outputScale == null ? Map.of() : Map.of(OUTPUT_SCALE, outputScale);
    }

    @Override
    boolean trainsEncoderBias() {
        return false;
    }

    @Override
    Forward forward(NDManager m, NDArray x, boolean[] dead) {
        NDArray xc = x.sub(bDec);
        NDArray z = xc.matMul(inStep(m, wEnc.transpose()));
        NDArray shifted = z.add(bEnc);
        NDArray fires = shifted.stopGradient().gt(0f).toType(DataType.FLOAT32, false);
        NDArray f = gba.jumpRelu() ? z.mul(fires) : Activation.relu(shifted);
        NDArray scaled = outputScale == null ? f : f.mul(outputScale);
        NDArray recon = scaled.matMul(wDec).add(bDec);
        NDArray mse = mse(x, recon);
        float[] firing = fires.sum(new int[] {0}).toFloatArray();
        NDArray peakOf = gba.peak() == GbaConfig.Peak.PRE_ACTIVATION ? shifted : z;
        stepPeak = peakOf.stopGradient().max(new int[] {0}).toFloatArray();
        return new Forward(mse, mse, m.zeros(new Shape()), recon, firing);
    }

    @Override
    String penaltyName() {
        return "penalty";
    }

    /**
     * Starts each latent's bias where it fires at its group's target frequency on the first sample: the
     * (1 − p_k) quantile of its pre-activations, within [−R, 0] (our choice). The paper does not say where b starts
     * (gba.md §3: not found; [S1-zh]'s HTF 0.5 "≈50% activation at zero-bias random init" hints at b = 0); from
     * b = 0 half the latents fire on every row, and the reconstruction of thousands of active tied latents
     * blows up long before the slow adaptation steps (γ = 1% of a peak per window) bring the frequencies down.
     */
    @Override
    void start(float[] sample) {
        int n = sample.length / dIn;
        float[] bias = new float[dSae];
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(sample, new Shape(n, dIn)).sub(bDec);
            float[] sorted = x.matMul(wEnc.transpose()).sort(0).toFloatArray(); // ascending per latent
            for (int i = 0; i < bias.length; i++) {
                double p = gba.target(adaptation.groupOf(i));
                int row = (int) Math.min(n - 1, Math.floor((1 - p) * n));
                bias[i] = (float) Math.max(-inputNorm, Math.min(0, -sorted[row * dSae + i]));
            }
        }
        overwrite(bEnc, bias);
    }

    @Override
    void afterStep(int step, float[] firing, int rows) {
        adaptation.record(firing, stepPeak, rows);
        if (adaptation.due(step)) {
            float[] b = bEnc.toFloatArray();
            adaptation.adapt(b);
            overwrite(bEnc, b);
        }
    }

    @Override
    void saveState(SafetensorsWriter w, ObjectNode fields) {
        w.addI64("gba_fired", new long[] {dSae}, adaptation.windowFired());
        w.addF32("gba_peak", new long[] {dSae}, adaptation.windowPeak());
        fields.put("gbaWindowRows", adaptation.windowRows());
    }

    @Override
    void restoreState(SafetensorsReader r, JsonNode fields) {
        adaptation.restoreWindow(fields.path("gbaWindowRows").asLong(), r.readLongs("gba_fired"), r.readFloats("gba_peak"));
    }

    /**
     * Standard, or with {@code jumpRelu} a JumpReLU SAE with θ = −b and no encoder bias; a_m is folded into the
     * decoder rows (a_m w_m), which SAELens' layout keeps apart from the encoder's.
     */
    @Override
    SparseAutoencoder export(RawWeights raw, ObjectNode saeLensConfig, NDManager parent) {
        RawWeights w = raw;
        if (outputScale != null) {
            float[] a = outputScale.toFloatArray();
            float[] dec = raw.wDec().clone();
            for (int i = 0; i < dSae; i++) {
                for (int j = 0; j < dIn; j++) {
                    dec[i * dIn + j] *= a[i];
                }
            }
            w = new RawWeights(raw.wEnc(), dec, raw.bEnc(), raw.bDec());
        }
        if (!gba.jumpRelu()) {
            return saved(SparseAutoencoder.Kind.STANDARD, 0, w, w.bEnc(), null, saeLensConfig, parent);
        }
        float[] thr = new float[dSae];
        for (int i = 0; i < dSae; i++) {
            thr[i] = -w.bEnc()[i];
        }
        return saved(SparseAutoencoder.Kind.JUMPRELU, 0, w, new float[dSae], thr, saeLensConfig, parent);
    }
}
