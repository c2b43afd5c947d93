package dev.mono4j.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * DecPO's feature-decorrelation regularizer L_dec over a batch of activation vectors A {@code [n, d]}, one per
 * sequence (Yan et al., EMNLP 2024, arXiv 2406.17969v1 §4; fact sheet /work/shared/papers/decpo.md §1–§2). Which
 * rows and which token a mode reads is its {@link Pooling}. The forms:
 * <ul>
 * <li>{@link Mode#SAMPLES} (default; our choice, the form of the FD metric of §3.3): rows normalised,
 *     L = mean_{i≠j} cos(a_i, a_j)², i.e. ‖ÂÂᵀ − I‖²_F / (n(n − 1)). Zero when samples are orthogonal, 1 when
 *     they are parallel.</li>
 * <li>{@link Mode#FEATURES} (Barlow Twins / VICReg style, our choice): neurons standardised over the batch,
 *     C = ZᵀZ/n, L = Σ_{i≠j} C_ij² / d. Zero for uncorrelated neurons.</li>
 * <li>{@link Mode#PAPER}: L = ‖ẐẐᵀ − I‖²_F as §4 writes it. The paper does not say how z is normalised; it
 *     calls zzᵀ a correlation matrix, so we normalise each row to unit length (our choice): then ẐẐᵀ holds
 *     the cosines the FD metric averages, its diagonal is 1, and L = Σ_{i≠j} cos(a_i, a_j)² — the sum, not
 *     the mean, of {@link Mode#SAMPLES}.</li>
 * <li>{@link Mode#RELEASED_CODE}: what hanqi-qi/Revisit_monosemanticity@2da99fb {@code DPOTrainer.py}
 *     (get_batch_loss_metrics) computes: A = |a| unnormalised, one value per row, the row's mean of
 *     AAᵀ − I ({@code (A Aᵀ − I).mean(dim=0)}; AAᵀ is symmetric, so column and row means agree), neither
 *     normalised nor squared. The trainer adds it to each pair's loss, as that code does.</li>
 * <li>{@link Mode#RELEASED_CODE_LAST_TOKEN}: the same formula averaged to one number, (Σ_{i,j} a_i·a_j − n) / n²,
 *     read at each sequence's last real token of every row (our fix of the released code's pooling).</li>
 * </ul>
 * Σ_{i,j} |a_i|·|a_j| = ‖Σ_i |a_i|‖²: the released form grows with the activations' size, so it is mostly a
 * magnitude penalty, not a decorrelation one.
 */
public final class DecorrelationLoss {
    public enum Mode {
        SAMPLES, FEATURES, PAPER, RELEASED_CODE, RELEASED_CODE_LAST_TOKEN;

        /** The activation vectors this form reads. */
        public Pooling pooling() {
            return this == RELEASED_CODE ? Pooling.EVEN_ROWS_LAST_POSITION : Pooling.LAST_REAL_TOKEN;
        }
    }

    /** Which activation vectors of a [chosen; rejected] batch {@code [2B, T, d]} a form reads. */
    public enum Pooling {
        /** Every row (chosen and rejected) at its last real token: 2B vectors. Our choice; the paper is silent. */
        LAST_REAL_TOKEN,
        /**
         * Rows 0, 2, 4, … of the 2B rows at position T − 1 of the right-padded batch: B vectors, as
         * {@code out_feats_final[0, 0::2, :]} of {@code fea[:, -1, :]} in DPOTrainer.py@2da99fb. TRL concatenates
         * the B chosen rows, then the B rejected ones, and pads both on the right to the longest, so these are the
         * even-indexed pairs' chosen and rejected rows (for even B; odd B mixes in the odd pairs' rejected ones),
         * and position T − 1 is a padding position for every row but the longest.
         */
        EVEN_ROWS_LAST_POSITION
    }

    /** Keeps a zero vector or a constant neuron from dividing by zero. */
    private static final double EPS = 1e-8;

    private DecorrelationLoss() {
    }

    /**
     * L_dec of {@code a} {@code [n, d]}: a scalar, or for {@link Mode#RELEASED_CODE} one value per row {@code [n]}
     * (which the trainer adds to the per-pair losses; n = B there).
     */
    public static NDArray compute(Mode mode, NDArray a) {
        NDManager m = a.getManager();
        long n = a.getShape().get(0);
        long d = a.getShape().get(1);
        switch (mode) {
            case SAMPLES -> {
                NDArray unit = unitRows(a);
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
            case PAPER -> {
                NDArray unit = unitRows(a);
                NDArray diff = unit.matMul(unit.transpose()).sub(identity(a)); // §4: ‖zzᵀ − I‖²_F
                return diff.mul(diff).sum();
            }
            case RELEASED_CODE -> {
                return absGramMinusIdentity(a).mean(new int[] {0});
            }
            case RELEASED_CODE_LAST_TOKEN -> {
                return absGramMinusIdentity(a).mean();
            }
            default -> throw new IllegalArgumentException(mode.toString());
        }
    }

    /** Rows scaled to unit length (a zero row stays zero). */
    private static NDArray unitRows(NDArray a) {
        NDArray norms = a.mul(a).sum(new int[] {1}, true).add(PreferenceLoss.scalar(a.getManager(), EPS)).sqrt();
        return a.div(norms);
    }

    /** |A||A|ᵀ − I {@code [n, n]}, the matrix DPOTrainer.py@2da99fb L206–207 averages. */
    private static NDArray absGramMinusIdentity(NDArray a) {
        NDArray abs = a.abs();
        return abs.matMul(abs.transpose()).sub(identity(a));
    }

    /** The n × n identity in {@code a}'s type, n its rows. */
    private static NDArray identity(NDArray a) {
        return a.getManager().eye((int) a.getShape().get(0)).toType(a.getDataType(), false);
    }

    /** Σ_{i≠j} G_ij² of a square matrix. */
    private static NDArray offDiagonalSquares(NDArray g) {
        NDArray squares = g.mul(g);
        return squares.sum().sub(squares.diagonal().sum());
    }
}
