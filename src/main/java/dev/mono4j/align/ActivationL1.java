package dev.mono4j.align;

import ai.djl.ndarray.NDArray;

/** The L1-Reg baseline's regularizer on activations A {@code [n, d]}: mean over rows of Σ_d |a_d|. */
public final class ActivationL1 {
    private ActivationL1() {
    }

    public static NDArray compute(NDArray a) {
        return a.abs().sum(new int[] {1}).mean();
    }
}
