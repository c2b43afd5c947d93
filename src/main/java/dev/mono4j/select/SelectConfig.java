package dev.mono4j.select;

import dev.mono4j.data.FieldCondition;
import dev.mono4j.model.SentenceEmbeddings;
import java.nio.file.Path;

/**
 * What {@code select} does. Defaults follow MoNA (arXiv 2503.15573v2) where the paper sets them.
 *
 * @param pool         JSONL pool, one sample per line with a {@code text} field (other fields are copied through)
 * @param targets      JSONL target examples, same format
 * @param model        the selection model's checkpoint (null for bm25 and random)
 * @param sae          an SAE folder (SAELens layout) on one of the model's hooks (jaccard, cosine, euclidean only)
 * @param hook         the hook point read; null: the SAE's hook_name, else the penultimate block's residual stream
 * @param method       the method
 * @param ratio        share of the pool to select when {@code count} is 0
 * @param count        how many samples to select (0: use {@code ratio})
 * @param aggregate    how token vectors become a sample vector (activation methods only)
 * @param embedPooling the encoder's pooling (embedding only; null: what the folder's source.json names, else MEAN)
 * @param seed         the random method's seed
 * @param batchSize    samples per forward pass
 * @param maxTokens    longer samples are cut to this many tokens (and to the model's position limit)
 * @param relevant     optional {@link FieldCondition} of pool samples, to report the selection's precision and recall
 * @param vectors      a folder keeping the pool's vectors for later selections from the same pool ({@link VectorCache});
 *                     null: none
 */
public record SelectConfig(Path pool, Path targets, Path model, Path sae, String hook, SelectMethod method, double ratio,
        int count, Aggregation aggregate, SentenceEmbeddings.Pooling embedPooling, long seed, int batchSize, int maxTokens,
        FieldCondition relevant, Path vectors) {
    /** The main results select 5% of the pool (§3.1; 1% and 10% in Fig. 3 and Table 10). */
    public static final double DEFAULT_RATIO = 0.05;
    /** Mean pooling over tokens (Eq. 7). */
    public static final Aggregation DEFAULT_AGGREGATE = Aggregation.MEAN;
    public static final SelectMethod DEFAULT_METHOD = SelectMethod.JACCARD;
    public static final long DEFAULT_SEED = 0;
    public static final int DEFAULT_BATCH_SIZE = 16;
    /** Our choice, as {@code sae cache}'s default; the paper gives no selection-time length limit. */
    public static final int DEFAULT_MAX_TOKENS = 256;

    public SelectConfig {
        if (pool == null || targets == null || method == null || aggregate == null) {
            throw new IllegalArgumentException("a pool, targets, a method and an aggregation are needed");
        }
        if (!(ratio > 0 && ratio <= 1)) {
            throw new IllegalArgumentException("--ratio must be in (0, 1], not " + ratio);
        }
        if (count < 0) {
            throw new IllegalArgumentException("--count must be positive, not " + count);
        }
        if (batchSize < 1 || maxTokens < 1) {
            throw new IllegalArgumentException("--batch-size and --max-tokens must be at least 1");
        }
        String m = "--method " + method.flagName();
        if (method.needs() != SelectMethod.Needs.NOTHING && model == null) {
            throw new IllegalArgumentException(m + " needs --model (" + switch (method.needs()) {
                case ENCODER -> "a sentence encoder, e.g. from 'models pull bge-small'";
                default -> "the selection model's checkpoint folder";
            } + ")");
        }
        if (method.needs() == SelectMethod.Needs.NOTHING && model != null) {
            throw new IllegalArgumentException(m + " reads no model; drop --model");
        }
        if ((method.needs() == SelectMethod.Needs.SAE) != (sae != null)) {
            throw new IllegalArgumentException(method.needs() == SelectMethod.Needs.SAE ? m + " needs --sae (an SAE folder)"
                    : m + " reads no SAE; drop --sae" + (method == SelectMethod.RAW ? " (--hook names the activations)" : ""));
        }
        if (hook != null && !method.readsActivations()) {
            throw new IllegalArgumentException(m + " reads no hook; drop --hook");
        }
        if (aggregate != DEFAULT_AGGREGATE && !method.readsActivations()) {
            throw new IllegalArgumentException(m + " pools no token activations; drop --aggregate");
        }
        if (vectors != null && !(method.readsActivations() || method == SelectMethod.EMBEDDING)) {
            throw new IllegalArgumentException(m + " computes no sample vectors; drop --vectors");
        }
        if (embedPooling != null && method != SelectMethod.EMBEDDING) {
            throw new IllegalArgumentException("--embed-pooling is for --method embedding only");
        }
    }

    /** How many of {@code poolSize} samples are selected: --count, else the ratio rounded, at least one. */
    public int selectedCount(int poolSize) {
        if (count > poolSize) {
            throw new IllegalArgumentException("--count " + count + " is more than the pool's " + poolSize + " samples");
        }
        return count > 0 ? count : (int) Math.max(1, Math.round(ratio * poolSize));
    }

    public static Builder builder(Path pool, Path targets, SelectMethod method) {
        return new Builder(pool, targets, method);
    }

    /** Defaults in one place; each setter is one CLI flag. */
    public static final class Builder {
        private final Path pool;
        private final Path targets;
        private final SelectMethod method;
        private Path model;
        private Path sae;
        private String hook;
        private double ratio = DEFAULT_RATIO;
        private int count;
        private Aggregation aggregate = DEFAULT_AGGREGATE;
        private SentenceEmbeddings.Pooling embedPooling;
        private long seed = DEFAULT_SEED;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private FieldCondition relevant;
        private Path vectors;

        private Builder(Path pool, Path targets, SelectMethod method) {
            this.pool = pool;
            this.targets = targets;
            this.method = method;
        }

        public Builder model(Path v) {
            model = v;
            return this;
        }

        public Builder sae(Path v) {
            sae = v;
            return this;
        }

        public Builder hook(String v) {
            hook = v;
            return this;
        }

        public Builder ratio(double v) {
            ratio = v;
            return this;
        }

        public Builder count(int v) {
            count = v;
            return this;
        }

        public Builder aggregate(Aggregation v) {
            aggregate = v;
            return this;
        }

        public Builder embedPooling(SentenceEmbeddings.Pooling v) {
            embedPooling = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder maxTokens(int v) {
            maxTokens = v;
            return this;
        }

        public Builder relevant(FieldCondition v) {
            relevant = v;
            return this;
        }

        public Builder vectors(Path v) {
            vectors = v;
            return this;
        }

        public SelectConfig build() {
            return new SelectConfig(pool, targets, model, sae, hook, method, ratio, count, aggregate, embedPooling, seed,
                    batchSize, maxTokens, relevant, vectors);
        }
    }
}
