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
 * <li><b>SimPO</b> (Meng et al. 2024, Eq. 6; DecPO v1 §5.1.1's SimDPO): −log σ(β/|w| log π(w) − β/|l| log π(l) − γ),
 *     no reference model; rewards β/|y| log π(y), log π(y) the summed completion log-prob. It divides by the
 *     length exactly once, whatever the log-prob mode.</li>
 * </ul>
 * Every log-prob comes in summed over the completion's tokens; DPO and IPO combine them as the log-prob mode says
 * ({@link PolicyLogProbs.Mode}), SimPO ignores the mode.
 */
public final class PreferenceLoss {
    public enum Type { DPO, IPO, SIMPO }

    private PreferenceLoss() {
    }

    /** Per-pair losses {@code [B]} and rewards of chosen and rejected {@code [B]}. */
    public record Result(NDArray losses, NDArray chosenRewards, NDArray rejectedRewards) {
    }

    /**
     * @param logp           how DPO and IPO combine the summed log-probs (SimPO always averages, once)
     * @param policyChosen   log π(w|x) per pair, summed over the completion's tokens
     * @param refChosen      log π_ref(w|x), summed (ignored by SimPO; may be null there)
     * @param chosenLength   |w| in tokens (may be null for DPO and IPO with summed log-probs)
     */
    public static Result compute(Type type, double beta, double gamma, PolicyLogProbs.Mode logp, NDArray policyChosen,
            NDArray policyRejected, NDArray refChosen, NDArray refRejected, NDArray chosenLength, NDArray rejectedLength) {
        NDManager m = policyChosen.getManager();
        NDArray b = scalar(m, beta);
        if (type == Type.SIMPO) { // SimPO Eq. 6: β/|y| Σ log π(y), one division
            NDArray rc = policyChosen.div(chosenLength).mul(b);
            NDArray rr = policyRejected.div(rejectedLength).mul(b);
            return new Result(negLogSigmoid(rc.sub(rr).sub(scalar(m, gamma))), rc, rr);
        }
        NDArray chosenRatio = logp.of(policyChosen, chosenLength).sub(logp.of(refChosen, chosenLength));
        NDArray rejectedRatio = logp.of(policyRejected, rejectedLength).sub(logp.of(refRejected, rejectedLength));
        switch (type) {
            case DPO -> {
                NDArray rc = chosenRatio.mul(b);
                NDArray rr = rejectedRatio.mul(b);
                return new Result(negLogSigmoid(rc.sub(rr)), rc, rr);
            }
            case IPO -> {
                NDArray d = chosenRatio.sub(rejectedRatio).sub(scalar(m, 1 / (2 * beta)));
                return new Result(d.mul(d), chosenRatio.mul(b), rejectedRatio.mul(b));
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
