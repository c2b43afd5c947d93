package dev.mono4j.lcm;

import dev.mono4j.model.SentenceEmbeddings;
import java.nio.file.Path;

/**
 * What {@code lcm embed} does: which documents, which encoder, how splits and the normaliser are made.
 *
 * @param data          a ConceptWorld corpus.jsonl, any JSONL (text in {@code field}) or a text file
 * @param field         the JSONL text field
 * @param encoder       an encoder folder (BertModel, e.g. from {@code models pull})
 * @param pooling       null: what the folder's source.json names, else MEAN (as {@code embed})
 * @param batchSize     sentences per forward pass
 * @param maxTokens     longer sentences are cut to this many tokens (and the encoder's positions)
 * @param normalizer    how the normaliser is fitted
 * @param validFraction share of documents in VALID when the split is drawn here
 * @param testFraction  share of documents in TEST when the split is drawn here
 * @param seed          seeds the drawn split
 * @param resplit       draw the split even when the file names one
 */
public record ConceptEmbedConfig(Path data, String field, Path encoder, SentenceEmbeddings.Pooling pooling,
        int batchSize, int maxTokens, NormalizerFit.Method normalizer, double validFraction, double testFraction,
        long seed, boolean resplit) {
    public static final String DEFAULT_FIELD = "text";
    public static final int DEFAULT_BATCH_SIZE = 64;
    /** As {@code select}'s default (SelectConfig.DEFAULT_MAX_TOKENS); sentences are far shorter. */
    public static final int DEFAULT_MAX_TOKENS = 256;
    /** The authors' default method (builder.py L44–49), fitted on the right quantiles. */
    public static final NormalizerFit.Method DEFAULT_NORMALIZER = NormalizerFit.Method.GAUSSIAN_ROBUST;
    /** ConceptWorld's own held-out share ({@code data conceptworld --valid-share}); our choice for test too. */
    public static final double DEFAULT_VALID_FRACTION = 0.05;
    public static final double DEFAULT_TEST_FRACTION = 0.05;
    public static final long DEFAULT_SEED = 1;

    public ConceptEmbedConfig {
        if (data == null || encoder == null || field == null || normalizer == null) {
            throw new IllegalArgumentException("data, an encoder, a field and a normalizer are needed");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1");
        }
        if (maxTokens < 2) {
            throw new IllegalArgumentException("--max-tokens must be at least 2");
        }
        if (!(validFraction >= 0 && testFraction >= 0 && validFraction + testFraction < 1)) {
            throw new IllegalArgumentException("--valid-fraction and --test-fraction must be ≥ 0 and leave training"
                    + " documents (sum below 1)");
        }
    }

    public static Builder builder(Path data, Path encoder) {
        return new Builder(data, encoder);
    }

    public static final class Builder {
        private final Path data;
        private final Path encoder;
        private String field = DEFAULT_FIELD;
        private SentenceEmbeddings.Pooling pooling;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private NormalizerFit.Method normalizer = DEFAULT_NORMALIZER;
        private double validFraction = DEFAULT_VALID_FRACTION;
        private double testFraction = DEFAULT_TEST_FRACTION;
        private long seed = DEFAULT_SEED;
        private boolean resplit;

        private Builder(Path data, Path encoder) {
            this.data = data;
            this.encoder = encoder;
        }

        public Builder field(String v) {
            field = v;
            return this;
        }

        public Builder pooling(SentenceEmbeddings.Pooling v) {
            pooling = v;
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

        public Builder normalizer(NormalizerFit.Method v) {
            normalizer = v;
            return this;
        }

        public Builder validFraction(double v) {
            validFraction = v;
            return this;
        }

        public Builder testFraction(double v) {
            testFraction = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder resplit(boolean v) {
            resplit = v;
            return this;
        }

        public ConceptEmbedConfig build() {
            return new ConceptEmbedConfig(data, field, encoder, pooling, batchSize, maxTokens, normalizer,
                    validFraction, testFraction, seed, resplit);
        }
    }
}
