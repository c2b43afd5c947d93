package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** JumpReLU SAE (see {@link JumpReluConfig}): a learned threshold per latent; saved as SAELens' "jumprelu". */
final class JumpReluSae extends TrainableSae {
    private final JumpReluConfig arch;
    /** log θ (θ stays positive). */
    final NDArray logThreshold;

    JumpReluSae(JumpReluConfig arch, SaeConfig cfg, int dIn, float[] decoderBias, NDManager parent) {
        super(cfg, dIn, decoderBias, parent, false);
        this.arch = arch;
        this.logThreshold = manager.full(new Shape(dSae), (float) Math.log(arch.initThreshold()));
    }

    @Override
    Map<String, NDArray> ownParameters() {
        return Map.of("log_threshold", logThreshold);
    }

    /**
     * JumpReLU (Rajamanoharan et al. 2024, eqs. 4-11): f = z·H(z − θ), L0 = Σ H(z − θ). H has no useful
     * derivative, so θ gets the straight-through pseudo-derivatives ∂f/∂θ = −(θ/ε)K((z − θ)/ε) and
     * ∂H/∂θ = −(1/ε)K((z − θ)/ε) with the rectangle kernel K(u) = 1[|u| < ½]. Each is added as
     * c·(θ − stop(θ)): zero in value, gradient c.
     */
    @Override
    Forward forward(NDManager m, NDArray x, boolean[] dead) {
        NDArray xc = x.sub(bDec);
        NDArray z = encode(m, xc, wEnc, bEnc);
        NDArray theta = inStep(m, logThreshold.exp());
        NDArray zd = z.stopGradient();
        NDArray thetaD = theta.stopGradient();
        float eps = (float) arch.bandwidth();
        NDArray gate = zd.gt(thetaD).toType(DataType.FLOAT32, false);
        NDArray kernel = zd.sub(thetaD).abs().lt(eps / 2).toType(DataType.FLOAT32, false).div(eps);
        NDArray dTheta = theta.sub(thetaD); // zero, with gradient 1 towards θ
        NDArray f = z.mul(gate).add(dTheta.mul(kernel.mul(thetaD).neg()));
        NDArray l0 = gate.add(dTheta.mul(kernel.neg())).sum(new int[] {1}).mean();
        NDArray recon = f.matMul(wDec).add(bDec);
        NDArray mse = mse(x, recon);
        return new Forward(mse.add(l0.mul(scalar(m, arch.l0Coefficient()))), mse, l0, recon,
                gate.sum(new int[] {0}).toFloatArray());
    }

    @Override
    String penaltyName() {
        return "l0_penalty";
    }

    @Override
    SparseAutoencoder export(RawWeights w, ObjectNode saeLensConfig, NDManager parent) {
        return saved(SparseAutoencoder.Kind.JUMPRELU, 0, w, w.bEnc(), logThreshold.exp().toFloatArray(), saeLensConfig,
                parent);
    }
}
