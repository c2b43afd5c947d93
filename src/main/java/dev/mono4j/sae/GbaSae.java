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

/**
 * GBA and BA (Chen et al. 2025; see {@link GbaConfig}): a ReLU SAE trained on reconstruction alone, whose encoder
 * bias b is not a parameter but set by {@link GroupBiasAdaptation} at the end of each window of steps. Tied by
 * default (encoder = decoderᵀ). With {@code jumpRelu} the adapted value gates instead of shifting:
 * f = z·H(z + b), i.e. a JumpReLU with θ = −b, which keeps the magnitudes of the latents that fire unshrunk. Both
 * fire on the same rows, so the adaptation is the same.
 */
final class GbaSae extends TrainableSae {
    private final GbaConfig gba;
    private final GroupBiasAdaptation adaptation;
    private final double inputNorm;
    /** The last step's peak pre-activation w·(x − b_dec) of each latent. */
    private float[] stepPeak;

    GbaSae(GbaConfig gba, SaeConfig cfg, int dIn, double inputNorm, float[] decoderBias, NDManager parent) {
        super(cfg, dIn, decoderBias, parent, gba.tied());
        this.gba = gba;
        this.inputNorm = inputNorm;
        this.adaptation = new GroupBiasAdaptation(gba, dSae, inputNorm, cfg.seed());
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
        NDArray recon = f.matMul(wDec).add(bDec);
        NDArray mse = mse(x, recon);
        float[] firing = fires.sum(new int[] {0}).toFloatArray();
        stepPeak = z.stopGradient().max(new int[] {0}).toFloatArray();
        return new Forward(mse, mse, m.zeros(new Shape()), recon, firing);
    }

    @Override
    String penaltyName() {
        return "penalty";
    }

    /**
     * Starts each latent's bias where it fires at its group's target frequency on the first sample: the
     * (1 − p_k) quantile of its pre-activations, within [−R, 0]. The paper does not say where b starts; from
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
        bEnc.set(bias);
    }

    @Override
    void afterStep(int step, float[] firing, int rows) {
        adaptation.record(firing, stepPeak, rows);
        if (adaptation.due(step)) {
            float[] b = bEnc.toFloatArray();
            adaptation.adapt(b);
            bEnc.set(b);
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

    /** Standard, or with {@code jumpRelu} a JumpReLU SAE with θ = −b and no encoder bias. */
    @Override
    SparseAutoencoder export(RawWeights w, ObjectNode saeLensConfig, NDManager parent) {
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
