package dev.mono4j.align;

import ai.djl.ndarray.NDArray;

/**
 * The SFT baseline: negative log-likelihood of the chosen completions per completion token,
 * −Σ_b log π(w_b|x_b) / Σ_b |w_b| (longer completions weigh more, as in token-level SFT).
 */
public final class SftLoss {
    private SftLoss() {
    }

    /** @param chosenLogp summed completion log-probs {@code [B]}; {@code chosenLength} tokens {@code [B]} */
    public static NDArray compute(NDArray chosenLogp, NDArray chosenLength) {
        return chosenLogp.sum().neg().div(chosenLength.sum());
    }
}
