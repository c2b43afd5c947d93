package dev.mono4j.train;

/**
 * AdamW hyper-parameters (Loshchilov and Hutter, decoupled weight decay). Defaults are PyTorch's, with
 * weight decay 0.01 applied to matrices only (not to biases and norm scales, as nanoGPT and HF do).
 */
public record AdamWConfig(double lr, double beta1, double beta2, double eps, double weightDecay) {
    public static AdamWConfig defaults(double lr) {
        return new AdamWConfig(lr, 0.9, 0.999, 1e-8, 0.01);
    }
}
