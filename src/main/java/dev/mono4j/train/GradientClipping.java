package dev.mono4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collection;

/**
 * Clipping by global norm, as PyTorch's {@code clip_grad_norm_}: all gradients are scaled by one factor, so
 * the update keeps its direction. Call it after the GradientCollector is closed, where gradients are plain
 * tensors (in-place scalar operations are safe there).
 */
public final class GradientClipping {
    /** PyTorch adds this to the norm before dividing, so a zero gradient stays zero. */
    private static final double EPS = 1e-6;

    private GradientClipping() {
    }

    /** The L2 norm of all gradients as one vector; parameters the loss did not reach count as zero. */
    public static double globalNorm(Collection<NDArray> params) {
        double sumSquares = 0;
        for (NDArray p : params) {
            NDArray g = Gradients.of(p);
            if (g == null) {
                continue;
            }
            // The gradient handle and what is computed from it belong to the parameter's manager until moved.
            try (NDManager tmp = p.getManager().newSubManager()) {
                g.attach(tmp);
                sumSquares += g.square().sum().getFloat();
            }
        }
        return Math.sqrt(sumSquares);
    }

    /**
     * Scales every gradient by {@code maxNorm / (norm + 1e-6)} when the global norm exceeds {@code maxNorm}
     * ({@code maxNorm} 0: never). Returns the norm before clipping, which training logs.
     */
    public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm) {
        double norm = globalNorm(params);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + EPS));
            for (NDArray p : params) {
                NDArray g = Gradients.of(p);
                if (g != null) {
                    try (g) {
                        g.muli(scale);
                    }
                }
            }
        }
        return norm;
    }
}
