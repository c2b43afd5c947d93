package dev.mono4j.sae;

import static dev.mono4j.sae.kernel.TopKSelection.array;
import static dev.mono4j.sae.kernel.TopKSelection.copy;
import static dev.mono4j.sae.kernel.TopKSelection.rowsOf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.UserInputException;
import dev.mono4j.sae.kernel.SparseTopKStep;
import dev.mono4j.sae.kernel.TopKSelection;
import java.util.Arrays;

/**
 * TopK SAE (Gao et al. 2024; see {@link TopKConfig}), with AuxK for dead latents; saved as SAELens' "topk".
 * {@link BatchTopKSae} changes only which latents are active and how it is saved.
 */
class TopKSae extends TrainableSae {
    final int k;
    private final int auxK;
    private final double auxCoefficient;
    private final boolean sparseDecode;
    /** The sparse path's Java arrays, kept from step to step (made at the first step). */
    private SparseTopKStep sparseStep;
    /**
     * The dense path's mask, kept from step to step: a new [N, d_sae] array costs its page faults, several
     * times what a pass over it costs.
     */
    private NDArray keep;

    TopKSae(SaeConfig cfg, int k, int auxK, double auxCoefficient, boolean sparseDecode, int dIn, float[] decoderBias,
            NDManager parent) {
        super(cfg, dIn, decoderBias, parent, false);
        if (k > dSae) { // torch's top-k would quietly keep every latent
            close();
            throw new UserInputException("--k " + k + " is more than the SAE's " + dSae + " latents (--d-sae); choose"
                    + " k <= d_sae");
        }
        this.k = k;
        this.auxK = auxK;
        this.auxCoefficient = auxCoefficient;
        this.sparseDecode = sparseDecode;
    }

    /** The active latents of the batch: each row's k largest, when positive. */
    TopKSelection.Chosen choose(NDManager m, TopKSelection.PreActivations pre, int n) {
        return TopKSelection.rowTopK(m, pre, n, dSae, k);
    }

    /** Writes the dense path's mask of the latents {@link #choose} keeps; returns how many rows each is kept on. */
    float[] keepMask(NDManager m, NDArray pre, NDArray mask) {
        return TopKSelection.rowTopKMask(m, pre, k, mask);
    }

    @Override
    final boolean usesDeadLatents() {
        return true;
    }

    @Override
    final String penaltyName() {
        return "aux_k";
    }

    @Override
    final Forward forward(NDManager m, NDArray x, boolean[] dead) {
        NDArray xc = x.sub(bDec);
        return sparseDecode ? sparse(m, x, xc, dead) : dense(m, x, xc, dead);
    }

    @Override
    SparseAutoencoder export(RawWeights w, ObjectNode saeLensConfig, NDManager parent) {
        return saved(SparseAutoencoder.Kind.TOPK, k, w, w.bEnc(), null, saeLensConfig, parent);
    }

    /** Densely: every latent is computed, then all but the chosen are masked to zero. */
    private Forward dense(NDManager m, NDArray x, NDArray xc, boolean[] dead) {
        NDArray pre = encode(m, xc, wEnc, bEnc);
        if (keep == null || !keep.getShape().equals(pre.getShape())) {
            if (keep != null) {
                keep.close();
            }
            keep = manager.create(pre.getShape(), DataType.FLOAT32);
        }
        float[] firing = keepMask(m, pre.stopGradient(), keep);
        // The mask keeps positive values only, so relu(pre)·mask = pre·mask; in place, as pre is not needed for
        // its own backward.
        NDArray f = pre.muli(keep);
        NDArray recon = f.matMul(wDec).add(bDec);
        NDArray mse = mse(x, recon);
        NDArray aux = auxK(m, xc, x.sub(recon).stopGradient(), dead);
        return new Forward(mse.add(aux.mul(scalar(m, auxCoefficient))), mse, aux, recon, firing);
    }

    /**
     * Through the active latents only: the one dense GEMM that chooses them runs without autograd, then
     * {@link SparseTopKStep} decodes from and back-propagates into the chosen rows with explicit gradients. They
     * reach the optimizer through a surrogate S = Σ_p ⟨p, ∂L/∂p⟩ over the parameters: the loss carries S − stop(S),
     * zero in value, whose gradient towards each p is ∂L/∂p. AuxK is added through autograd as in the dense path.
     */
    private Forward sparse(NDManager m, NDArray x, NDArray xc, boolean[] dead) {
        NDArray xcD = xc.stopGradient();
        NDArray encD = constant(m, wEnc);
        NDArray encT = encD.transpose();
        NDArray bias = constant(m, bEnc);
        int n = (int) x.getShape().get(0);
        // Chunk by chunk, the pre-activations are computed, chosen from and dropped (see TopKSelection).
        TopKSelection.Chosen chosen = choose(m, (sub, rows) -> rowsOf(sub, xcD, rows).matMul(encT).addi(bias), n);
        if (sparseStep == null || sparseStep.xc.length != n) {
            sparseStep = new SparseTopKStep(n, dIn, dSae);
        }
        copy(xcD, sparseStep.xc);
        copy(wDec, sparseStep.dec);
        SparseTopKStep.Result step = sparseStep.run(chosen.values(), chosen.columns(), chosen.threshold());
        NDArray gradBEnc = m.create(step.gradBEnc());
        // b_dec enters x̂ directly and xc = x − b_dec: ∂L/∂b_dec = Σ_rows ∂L/∂x̂ − (Σ_rows ∂L/∂pre)·W_enc.
        NDArray gradBDec = m.create(step.gradRecon()).sub(gradBEnc.matMul(encD));
        NDArray surrogate = inner(m, wDec, array(m, sparseStep.gradDec))
                .add(inner(m, wEnc, array(m, sparseStep.gradEnc)))
                .add(inner(m, bEnc, gradBEnc))
                .add(inner(m, bDec, gradBDec));
        NDArray mse = m.create((float) step.mse());
        NDArray residual = array(m, sparseStep.residual);
        NDArray aux = auxK(m, xc, residual, dead);
        NDArray loss = surrogate.sub(surrogate.stopGradient()).add(mse).add(aux.mul(scalar(m, auxCoefficient)));
        return new Forward(loss, mse, aux, x.sub(residual), step.firing());
    }

    /** ⟨p, g⟩ over all elements, with gradient g towards p (a dot product: no [p]-sized product array). */
    private static NDArray inner(NDManager m, NDArray p, NDArray g) {
        return g.reshape(-1).dot(inStep(m, p.reshape(-1)));
    }

    /**
     * AuxK (Gao et al. 2024, sec. A.2): the k_aux largest pre-activations among dead latents reconstruct the
     * residual x − x̂ (a constant here); its squared error, scaled down while fewer than k_aux latents are dead (as
     * SAELens), is added with weight α. Zero when no latent is dead. Computed densely over the dead latents'
     * columns only: there are few of them, and k_aux (512) active latents per row would make a gathered path slow.
     */
    private NDArray auxK(NDManager m, NDArray xc, NDArray residual, boolean[] dead) {
        int nDead = 0;
        long[] deadIdx = new long[dSae];
        for (int i = 0; dead != null && i < dSae; i++) {
            if (dead[i]) {
                deadIdx[nDead++] = i;
            }
        }
        if (nDead == 0 || auxK == 0) {
            return m.zeros(new Shape());
        }
        NDIndex cols = new NDIndex("{}", m.create(Arrays.copyOf(deadIdx, nDead)));
        NDArray pre = encode(m, xc, wEnc.get(m, cols), bEnc.get(m, cols));
        NDArray mask = m.create(pre.getShape(), DataType.FLOAT32);
        TopKSelection.rowTopKMask(m, pre.stopGradient(), Math.min(auxK, nDead), mask);
        NDArray f = pre.muli(mask);
        NDArray err = f.matMul(wDec.get(m, cols)).sub(residual).square().sum(new int[] {1}).mean();
        return err.mul(scalar(m, Math.min(1.0, (double) nDead / auxK)));
    }
}
