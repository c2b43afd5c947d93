package dev.mono4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collection;

/** Gradient access that tells "no gradient" (the parameter took no part in the loss) from zero. */
public final class Gradients {
    private Gradients() {
    }

    /**
     * The parameter's gradient as a new handle the caller must close, or null when backward never reached
     * it. (DJL's {@code getGradient()} returns zeros in that case, which would make AdamW decay and move
     * parameters the loss never touched; PyTorch skips them.)
     */
    public static NDArray of(NDArray param) {
        return param.hasGradient() ? JniUtils.getGradient((PtNDArray) param) : null;
    }

    /** Zeroes the gradients that exist: PyTorch adds each backward's gradients to the previous ones. */
    public static void zero(Collection<NDArray> params) {
        for (NDArray p : params) {
            NDArray g = of(p);
            if (g != null) {
                try (g) {
                    g.muli(0);
                }
            }
        }
    }
}
