package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** ReLU SAE with a decoder-norm-weighted L1 penalty (see {@link ReluConfig}); saved as SAELens' "standard". */
final class ReluSae extends TrainableSae {
    private final ReluConfig arch;

    ReluSae(ReluConfig arch, SaeConfig cfg, int dIn, float[] decoderBias, NDManager parent) {
        super(cfg, dIn, decoderBias, parent, false);
        this.arch = arch;
    }

    @Override
    Forward forward(NDManager m, NDArray x, boolean[] dead) {
        NDArray xc = x.sub(bDec);
        NDArray f = Activation.relu(encode(m, xc, wEnc, bEnc));
        NDArray recon = f.matMul(wDec).add(bDec);
        NDArray mse = mse(x, recon);
        // L1 of activations weighted by decoder row norms (Anthropic, April 2024): the penalty cannot be dodged by
        // shrinking f while growing W_dec when rows are not held at unit norm.
        NDArray penalty = f.mul(inStep(m, wDec.norm(new int[] {1}))).sum(new int[] {1}).mean();
        return new Forward(mse.add(penalty.mul(scalar(m, arch.l1Coefficient()))), mse, penalty, recon, firing(f));
    }

    @Override
    String penaltyName() {
        return "l1";
    }

    @Override
    SparseAutoencoder export(RawWeights w, ObjectNode saeLensConfig, NDManager parent) {
        return saved(SparseAutoencoder.Kind.STANDARD, 0, w, w.bEnc(), null, saeLensConfig, parent);
    }
}
