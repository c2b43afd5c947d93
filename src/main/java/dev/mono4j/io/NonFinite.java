package dev.mono4j.io;

import dev.mono4j.UserInputException;
import java.nio.FloatBuffer;

/**
 * What loading does with NaN or ±Inf among weights or cached activations: {@link #REFUSE} them (the default: one
 * such value makes every later output NaN, silently) or {@link #ALLOW} them ({@value #FLAG}). Our choice, after
 * issue 17 ("Reliability", item 2): a checkpoint with one NaN weight gave NaN logits and FVU NaN with exit 0.
 */
public enum NonFinite {
    REFUSE, ALLOW;

    /** The flag that chooses {@link #ALLOW} on every command that loads weights or activations. */
    public static final String FLAG = "--allow-nonfinite";

    public static NonFinite allowIf(boolean allow) {
        return allow ? ALLOW : REFUSE;
    }

    /**
     * Counts the non-finite values of one tensor, read in any number of pieces, and remembers the first one. The
     * scan is one comparison per value, on the floats the load has in hand anyway.
     */
    public static final class Tally {
        private long seen;
        private long count;
        private long firstIndex = -1;
        private float firstValue;

        /** Scans the floats from {@code b}'s position to its limit (the position is left as it was). */
        public Tally add(FloatBuffer b) {
            for (int i = b.position(); i < b.limit(); i++) {
                note(b.get(i), i - b.position());
            }
            seen += b.remaining();
            return this;
        }

        /** Scans {@code length} floats of {@code values} from {@code from}. */
        public Tally add(float[] values, int from, int length) {
            for (int i = 0; i < length; i++) {
                note(values[from + i], i);
            }
            seen += length;
            return this;
        }

        private void note(float v, int i) {
            if (!Float.isFinite(v)) {
                if (count == 0) {
                    firstIndex = seen + i;
                    firstValue = v;
                }
                count++;
            }
        }

        /** How many non-finite values were seen. */
        public long count() {
            return count;
        }

        /** The index of the first one among all values scanned (-1: none). */
        public long firstIndex() {
            return firstIndex;
        }

        /** "3 non-finite values (the first, NaN, at element 17)"; {@code where} says where the first one is. */
        public String describe(String where) {
            return count + " non-finite value" + (count == 1 ? "" : "s") + " (the first, " + firstValue + ", at "
                    + where + ")";
        }
    }

    /** A tally to fill, or null under {@link #ALLOW}, which scans nothing. */
    public Tally tally() {
        return this == REFUSE ? new Tally() : null;
    }

    /**
     * Under {@link #REFUSE}, fails when {@code tally} saw a non-finite value: "{@code what} has N non-finite
     * values (the first, NaN, at element i); pass --allow-nonfinite to use them anyway".
     */
    public void check(Tally tally, String what) {
        if (tally != null && tally.count() > 0) {
            refuse(what + " has " + tally.describe("element " + tally.firstIndex()));
        }
    }

    /** Under {@link #REFUSE}, fails with {@code problem} and how to go on anyway. */
    public void refuse(String problem) {
        if (this == REFUSE) {
            throw new UserInputException(problem + "; pass " + FLAG + " to use them anyway");
        }
    }

    /** {@link #check} of a whole array. */
    public void check(float[] values, String what) {
        Tally t = tally();
        if (t != null) {
            check(t.add(values, 0, values.length), what);
        }
    }
}
