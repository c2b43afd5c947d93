package dev.mono4j.reproduce;

import dev.mono4j.stats.PairedTTest;
import java.util.Locale;

/**
 * One of the paper's claims next to our measurement and a verdict by a stated rule.
 *
 * @param figure     where the paper makes it (v1 numbering, /work/shared/papers/decpo.md §4–§5)
 * @param claim      the claim as the paper states it (paraphrased from the fact sheet)
 * @param paper      the paper's numbers where it has them, else empty
 * @param ours       our measurement, as mean ± std over n
 * @param test       the paired t-test behind the verdict, or null for a rule without one
 * @param verdict    supported, not supported or inconclusive
 * @param rule       how the verdict follows from the measurement
 */
public record Claim(String figure, String claim, String paper, String ours, PairedTTest test, String verdict, String rule) {
    public static final String SUPPORTED = "supported";
    public static final String NOT_SUPPORTED = "not supported";
    public static final String INCONCLUSIVE = "inconclusive";
    /** The significance level of every paired test (our choice, the conventional one). */
    public static final double ALPHA = PairedTTest.ALPHA;
    public static final String T_RULE = "paired t-test, two-sided, p < " + ALPHA + ": supported when the mean difference has"
            + " the claimed sign, not supported when it has the opposite sign, inconclusive otherwise (or with fewer than"
            + " two pairs)";

    /** A claim that (a − b) is positive, decided by {@link #T_RULE}. */
    public static Claim paired(String figure, String claim, String paper, String what, double[] a, double[] b) {
        PairedTTest t = PairedTTest.of(a, b);
        String verdict = Double.isNaN(t.p()) || t.p() >= ALPHA ? INCONCLUSIVE : t.meanDiff() > 0 ? SUPPORTED : NOT_SUPPORTED;
        String ours = String.format(Locale.ROOT, "%s: %s (n = %d, t = %.2f, p = %.3g)", what, meanStd(t), t.n(), t.t(), t.p());
        return new Claim(figure, claim, paper, ours, t, verdict, T_RULE);
    }

    static String meanStd(PairedTTest t) {
        return Double.isNaN(t.sdDiff()) ? String.format(Locale.ROOT, "%.4g", t.meanDiff())
                : String.format(Locale.ROOT, "%.4g ± %.2g", t.meanDiff(), t.sdDiff());
    }

    /** One line of verdicts.md. */
    public String markdownRow() {
        return "| " + figure + " | " + claim + " | " + (paper.isEmpty() ? "—" : paper) + " | " + ours + " | **" + verdict
                + "** |";
    }
}
