package dev.mono4j.lcm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The LCMs' regression loss on normalised embeddings (facebookresearch/large_concept_model@fd7db80
 * {@code lcm/train/lcm/criterion.py} {@code compute_standard_mse}: squared error summed over channels per target;
 * {@code lcm/train/mse_lcm/criterion.py} and {@code two_tower_diffusion_lcm/criterion.py} apply it), reduced as
 * the mean over the targets. Their recipes reduce with a sum over the batch's targets; the mean keeps the
 * learning-rate scale independent of the batch size (our choice).
 */
public enum LcmLoss {
    /** Σ_c (ŷ_c − y_c)² per target: the recipes' {@code compute_rmse: False} (default: what they trained with). */
    MSE_SUM,
    /** √(Σ_c (ŷ_c − y_c)² + 1e-5) per target: the criterion config's code default {@code compute_rmse=True}. */
    RMSE;

    /** Their ε inside the square root. */
    static final double RMSE_EPSILON = 1e-5;

    /**
     * The mean loss over targets: {@code predicted} and {@code target} are {@code [..., dim]}, {@code weights}
     * {@code [...]} is 1 for a target and 0 elsewhere (at least one 1). All arrays made are owned by {@code step}.
     */
    public NDArray mean(NDManager step, NDArray predicted, NDArray target, NDArray weights) {
        NDArray perTarget = predicted.sub(target).square().sum(new int[] {-1});
        if (this == RMSE) {
            perTarget = perTarget.add(step.full(new Shape(), (float) RMSE_EPSILON)).sqrt();
        }
        return perTarget.mul(weights).sum().div(weights.sum());
    }
}
