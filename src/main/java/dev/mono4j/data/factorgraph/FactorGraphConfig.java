package dev.mono4j.data.factorgraph;

/**
 * What {@code data factorgraph} generates; build one with {@link #builder()}, defaults in {@link #DEFAULT}.
 *
 * @param variables   V, discrete variables (default 12, workspace.md §5)
 * @param values      K, values per variable (default 6, workspace.md §5)
 * @param maxParents  P, at most this many parents per variable (default 2, workspace.md §5)
 * @param alpha       the symmetric Dirichlet concentration of every conditional table, and of the OOD split's
 *                    re-drawn root marginals (default 0.3, workspace.md §5: peaked tables)
 * @param samples     training lines (default 50,000, workspace.md §5)
 * @param valid       in-distribution validation lines (default 5,000, our choice: a tenth of the training lines)
 * @param ood         out-of-distribution lines, sampled with the roots' marginals re-drawn (default 5,000, our choice)
 * @param seed        same seed, byte-identical folder (default 1, our choice)
 */
public record FactorGraphConfig(int variables, int values, int maxParents, double alpha, int samples, int valid, int ood,
        long seed) {
    public static final int DEFAULT_VARIABLES = 12;
    public static final int DEFAULT_VALUES = 6;
    public static final int DEFAULT_MAX_PARENTS = 2;
    public static final double DEFAULT_ALPHA = 0.3;
    public static final int DEFAULT_SAMPLES = 50_000;
    public static final int DEFAULT_VALID = 5_000;
    public static final int DEFAULT_OOD = 5_000;
    public static final long DEFAULT_SEED = 1;
    /** Largest conditional table (K^P parent configurations) accepted: bounds memory and graph.json. */
    static final int MAX_CONFIGURATIONS = 1 << 16;

    public static final FactorGraphConfig DEFAULT = new FactorGraphConfig(DEFAULT_VARIABLES, DEFAULT_VALUES,
            DEFAULT_MAX_PARENTS, DEFAULT_ALPHA, DEFAULT_SAMPLES, DEFAULT_VALID, DEFAULT_OOD, DEFAULT_SEED);

    public FactorGraphConfig {
        if (variables < 2 || values < 2) {
            throw new IllegalArgumentException("need at least 2 variables and 2 values (got " + variables + ", " + values + ")");
        }
        if (maxParents < 0 || maxParents >= variables) {
            throw new IllegalArgumentException("max parents " + maxParents + " must lie in 0.." + (variables - 1));
        }
        if (Math.pow(values, maxParents) > MAX_CONFIGURATIONS) {
            throw new IllegalArgumentException("values^max-parents = " + values + "^" + maxParents + " exceeds "
                    + MAX_CONFIGURATIONS + " parent configurations per table");
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha " + alpha + " must be a positive number");
        }
        if (samples < 1 || valid < 0 || ood < 0) {
            throw new IllegalArgumentException("need samples >= 1, valid >= 0, ood >= 0");
        }
    }

    public static Builder builder() {
        return new Builder(DEFAULT);
    }

    public static final class Builder {
        private int variables;
        private int values;
        private int maxParents;
        private double alpha;
        private int samples;
        private int valid;
        private int ood;
        private long seed;

        private Builder(FactorGraphConfig c) {
            variables = c.variables;
            values = c.values;
            maxParents = c.maxParents;
            alpha = c.alpha;
            samples = c.samples;
            valid = c.valid;
            ood = c.ood;
            seed = c.seed;
        }

        public Builder variables(int v) {
            variables = v;
            return this;
        }

        public Builder values(int v) {
            values = v;
            return this;
        }

        public Builder maxParents(int v) {
            maxParents = v;
            return this;
        }

        public Builder alpha(double v) {
            alpha = v;
            return this;
        }

        public Builder samples(int v) {
            samples = v;
            return this;
        }

        public Builder valid(int v) {
            valid = v;
            return this;
        }

        public Builder ood(int v) {
            ood = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public FactorGraphConfig build() {
            return new FactorGraphConfig(variables, values, maxParents, alpha, samples, valid, ood, seed);
        }
    }
}
