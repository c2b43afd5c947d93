package dev.mono4j.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Pairwise preference losses over sequence log-probabilities of the chosen (w) and rejected (l)
 * completions. All inputs are {@code [B]}; the result holds per-pair losses and the implicit rewards.
 * Constants enter as 0-d tensors, never as Java numbers, so the losses are safe under autograd (see
 * {@link dev.mono4j.model.TransformerLM}'s class comment).
 *
 * <ul>
 * <li><b>DPO</b> (Rafailov et al. 2023): −log σ(β[(log π(w) − log π_ref(w)) − (log π(l) − log π_ref(l))]);
 *     rewards β(log π − log π_ref).</li>
 * <li><b>IPO</b> (Azar et al. 2023): (h − 1/(2β))² with h the same log-ratio difference, unscaled.</li>
 * <li><b>SimPO</b> (Meng et al. 2024): −log σ(β/|w| log π(w) − β/|l| log π(l) − γ), no reference model;
 *     rewards β/|y| log π(y). It always length-normalises, whatever the log-prob mode.</li>
 * </ul>
 */
public final class PreferenceLoss {
    public enum Type { DPO, IPO, SIMPO }

    private PreferenceLoss() {
    }

    /** Per-pair losses {@code [B]} and rewards of chosen and rejected {@code [B]}. */
    public record Result(NDArray losses, NDArray chosenRewards, NDArray rejectedRewards) {
    }

    /**
     * @param policyChosen   log π(w|x) per pair, summed or length-averaged over completion tokens
     * @param refChosen      log π_ref(w|x), the same way (ignored by SimPO; may be null there)
     * @param chosenLength   |w| in tokens (used by SimPO)
     */
    public static Result compute(Type type, double beta, double gamma, NDArray policyChosen, NDArray policyRejected,
            NDArray refChosen, NDArray refRejected, NDArray chosenLength, NDArray rejectedLength) {
        NDManager m = policyChosen.getManager();
        NDArray b = scalar(m, beta);
        switch (type) {
            case DPO -> {
                NDArray rc = policyChosen.sub(refChosen).mul(b);
                NDArray rr = policyRejected.sub(refRejected).mul(b);
                return new Result(negLogSigmoid(rc.sub(rr)), rc, rr);
            }
            case IPO -> {
                NDArray h = policyChosen.sub(refChosen).sub(policyRejected.sub(refRejected));
                NDArray d = h.sub(scalar(m, 1 / (2 * beta)));
                return new Result(d.mul(d), policyChosen.sub(refChosen).mul(b), policyRejected.sub(refRejected).mul(b));
            }
            case SIMPO -> {
                NDArray rc = policyChosen.div(chosenLength).mul(b);
                NDArray rr = policyRejected.div(rejectedLength).mul(b);
                return new Result(negLogSigmoid(rc.sub(rr).sub(scalar(m, gamma))), rc, rr);
            }
            default -> throw new IllegalArgumentException(type.toString());
        }
    }

    /** −log σ(z) = softplus(−z) = max(−z, 0) + log(1 + e^{−|z|}), finite for any z. */
    static NDArray negLogSigmoid(NDArray z) {
        NDManager m = z.getManager();
        NDArray negZ = z.neg();
        return negZ.maximum(scalar(m, 0)).add(z.abs().neg().exp().add(scalar(m, 1)).log());
    }

    /** A constant that torch owns (safe under autograd). */
    static NDArray scalar(NDManager m, double v) {
        return m.full(new Shape(), (float) v);
    }
}
