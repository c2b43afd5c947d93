package dev.mono4j.lcm;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code lcm eval} measures.
 *
 * @param concepts   a concept folder ({@code lcm embed})
 * @param models     baselines by name or trained model folders
 * @param split      the documents whose next sentences are predicted
 * @param maxContext at most this many preceding sentences form a context (the latest ones)
 * @param batchSize  documents per batch: a prediction's contrastive distractors are the other documents' targets
 * @param seed       seeds sampling models (diffusion noise); batch b uses seed + b
 */
public record ConceptEvalConfig(Path concepts, List<String> models, ConceptCorpus.Split split, int maxContext,
        int batchSize, long seed) {
    public static final ConceptCorpus.Split DEFAULT_SPLIT = ConceptCorpus.Split.TEST;
    /** The authors' max_seq_len (base_lcm_1_6B, lcm.md §1): in practice every preceding sentence. */
    public static final int DEFAULT_MAX_CONTEXT = 4096;
    /** Our choice: 16 documents give ~80 distractors per prediction on ConceptWorld. */
    public static final int DEFAULT_BATCH_SIZE = 16;
    public static final long DEFAULT_SEED = 1;

    public ConceptEvalConfig {
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("name at least one --model");
        }
        if (maxContext < 1) {
            throw new IllegalArgumentException("--max-context must be at least 1");
        }
        if (batchSize < 2) {
            throw new IllegalArgumentException("--batch-size must be at least 2 (distractors come from other documents)");
        }
    }

    public static Builder builder(Path concepts, List<String> models) {
        return new Builder(concepts, models);
    }

    public static final class Builder {
        private final Path concepts;
        private final List<String> models;
        private ConceptCorpus.Split split = DEFAULT_SPLIT;
        private int maxContext = DEFAULT_MAX_CONTEXT;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private long seed = DEFAULT_SEED;

        private Builder(Path concepts, List<String> models) {
            this.concepts = concepts;
            this.models = models;
        }

        public Builder split(ConceptCorpus.Split v) {
            split = v;
            return this;
        }

        public Builder maxContext(int v) {
            maxContext = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public ConceptEvalConfig build() {
            return new ConceptEvalConfig(concepts, models, split, maxContext, batchSize, seed);
        }
    }
}
