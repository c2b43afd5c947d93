package dev.mono4j.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * DecPO's feature-decorrelation regularizer L_dec over a batch of activation vectors A {@code [n, d]}
 * (one per sequence, taken at its last real token). Three forms:
 * <ul>
 * <li>{@link Mode#SAMPLES} (default; the form of the FD metric): rows normalised, L = mean_{i≠j} cos(a_i, a_j)²,
 *     i.e. ‖ÂÂᵀ − I‖²_F / (n(n − 1)). Zero when samples are orthogonal, 1 when they are parallel.</li>
 * <li>{@link Mode#FEATURES} (Barlow Twins / VICReg): neurons standardised over the batch, C = ZᵀZ/n,
 *     L = Σ_{i≠j} C_ij² / d. Zero for uncorrelated neurons.</li>
 * <li>{@link Mode#RELEASED_CODE}: what the authors' repository computes, for a faithful comparison: with
 *     A = |a| unnormalised, L = (Σ_{i,j} a_i·a_j − n) / n² (the mean over rows of (AAᵀ − I) row sums),
 *     neither normalised nor squared; the repository weighted it by 0.001.</li>
 * </ul>
 */
public final class DecorrelationLoss {
    public enum Mode { SAMPLES, FEATURES, RELEASED_CODE }

    /** Keeps a zero vector or a constant neuron from dividing by zero. */
    private static final double EPS = 1e-8;

    private DecorrelationLoss() {
    }

    public static NDArray compute(Mode mode, NDArray a) {
        NDManager m = a.getManager();
        long n = a.getShape().get(0);
        long d = a.getShape().get(1);
        switch (mode) {
            case SAMPLES -> {
                NDArray norms = a.mul(a).sum(new int[] {1}, true).add(PreferenceLoss.scalar(m, EPS)).sqrt();
                NDArray unit = a.div(norms);
                NDArray pairs = PreferenceLoss.scalar(m, (double) n * (n - 1));
                return offDiagonalSquares(unit.matMul(unit.transpose())).div(pairs);
            }
            case FEATURES -> {
                NDArray centred = a.sub(a.mean(new int[] {0}, true));
                NDArray sd = centred.mul(centred).mean(new int[] {0}, true).add(PreferenceLoss.scalar(m, EPS)).sqrt();
                NDArray z = centred.div(sd);
                NDArray c = z.transpose().matMul(z).div(PreferenceLoss.scalar(m, n));
                return offDiagonalSquares(c).div(PreferenceLoss.scalar(m, d));
            }
            case RELEASED_CODE -> {
                NDArray abs = a.abs();
                return abs.matMul(abs.transpose()).sum().sub(PreferenceLoss.scalar(m, n))
                        .div(PreferenceLoss.scalar(m, (double) n * n));
            }
            default -> throw new IllegalArgumentException(mode.toString());
        }
    }

    /** Σ_{i≠j} G_ij² of a square matrix. */
    private static NDArray offDiagonalSquares(NDArray g) {
        NDArray squares = g.mul(g);
        return squares.sum().sub(squares.diagonal().sum());
    }
}
