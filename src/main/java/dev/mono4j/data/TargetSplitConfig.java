package dev.mono4j.data;

import java.util.List;

/**
 * Settings of {@link TargetSplit}, {@code data targets}' split of a labelled JSONL file into target examples, a pool
 * to select from and held-out texts; defaults in {@link #DEFAULT}.
 *
 * @param where        the conditions a target line meets, all of them (none: every line matches)
 * @param count        target lines drawn (default 20: the target set of the small-scale MoNA analogue,
 *                     /work/shared/papers/mona.md §6; the paper's own target sets hold 9 to 285, [P] Table 3)
 * @param seed         seed of the draw (default 0)
 * @param splitField   the field that names a line's split, when the data has it (default "split", as ConceptWorld's
 *                     {@code corpus.jsonl} writes it)
 * @param poolSplit    with a split field, targets and pool come only from lines of this split (default "train")
 * @param heldoutSplit with a split field, the matching lines of this split are the held-out texts (default "valid")
 * @param heldout      without a split field, this many more matching lines are drawn as held-out texts (default 0:
 *                     none); with one it must stay 0
 */
public record TargetSplitConfig(List<FieldCondition> where, int count, long seed, String splitField, String poolSplit,
        String heldoutSplit, int heldout) {
    public static final TargetSplitConfig DEFAULT = new TargetSplitConfig(List.of(), 20, 0, "split", "train", "valid", 0);

    public TargetSplitConfig {
        where = List.copyOf(where);
        if (count < 1) {
            throw new IllegalArgumentException("count " + count + " must be at least 1");
        }
        if (heldout < 0) {
            throw new IllegalArgumentException("heldout " + heldout + " must be at least 0");
        }
        if (splitField.isEmpty() || poolSplit.equals(heldoutSplit)) {
            throw new IllegalArgumentException("the split field must be named, and the pool and held-out splits differ");
        }
    }

    public static Builder builder() {
        return new Builder(DEFAULT);
    }

    public static final class Builder {
        private List<FieldCondition> where;
        private int count;
        private long seed;
        private String splitField;
        private String poolSplit;
        private String heldoutSplit;
        private int heldout;

        private Builder(TargetSplitConfig c) {
            where = c.where;
            count = c.count;
            seed = c.seed;
            splitField = c.splitField;
            poolSplit = c.poolSplit;
            heldoutSplit = c.heldoutSplit;
            heldout = c.heldout;
        }

        public Builder where(List<FieldCondition> v) {
            where = v;
            return this;
        }

        public Builder count(int v) {
            count = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder splitField(String v) {
            splitField = v;
            return this;
        }

        public Builder poolSplit(String v) {
            poolSplit = v;
            return this;
        }

        public Builder heldoutSplit(String v) {
            heldoutSplit = v;
            return this;
        }

        public Builder heldout(int v) {
            heldout = v;
            return this;
        }

        public TargetSplitConfig build() {
            return new TargetSplitConfig(where, count, seed, splitField, poolSplit, heldoutSplit, heldout);
        }
    }
}
