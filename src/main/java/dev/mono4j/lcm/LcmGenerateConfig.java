package dev.mono4j.lcm;

import java.nio.file.Path;

/**
 * What {@code lcm generate} continues and how.
 *
 * @param concepts        a concept folder ({@code lcm embed})
 * @param model           a baseline by name or a trained model folder (as {@code lcm eval}'s {@code --model})
 * @param document        the id of the document to continue (any split)
 * @param promptSentences the document's first sentences given as the prompt
 * @param maxSentences    at most this many generated sentences
 * @param feed            what each step appends to the context
 * @param seed            step k samples with seed + k (diffusion noise)
 */
public record LcmGenerateConfig(Path concepts, String model, String document, int promptSentences, int maxSentences,
        Feed feed, long seed) {

    /** What a generation step appends to the context. */
    public enum Feed {
        /**
         * The predicted embedding itself: the paper generates in embedding space and decodes afterwards
         * (/work/shared/papers/lcm.md §4 "Inference"; arXiv 2412.08821 §2.3). The default, as the authors do.
         */
        PREDICTED,
        /**
         * The retrieved sentence's embedding: our option, which keeps the context on real sentences (as a
         * decode-then-re-encode loop would) at the cost of what the paper's loop does.
         */
        RETRIEVED
    }

    /** Two sentences: a story's opening and one more (our choice). */
    public static final int DEFAULT_PROMPT_SENTENCES = 2;
    /** Our choice: a ConceptWorld story has 5.4 sentences before its end sentence on average (docs/lcm.md). */
    public static final int DEFAULT_MAX_SENTENCES = 8;
    public static final Feed DEFAULT_FEED = Feed.PREDICTED;
    public static final long DEFAULT_SEED = 1;

    public LcmGenerateConfig {
        if (promptSentences < 1) {
            throw new IllegalArgumentException("--prompt-sentences must be at least 1");
        }
        if (maxSentences < 1) {
            throw new IllegalArgumentException("--max-sentences must be at least 1");
        }
    }

    public static Builder builder(Path concepts, String model, String document) {
        return new Builder(concepts, model, document);
    }

    public static final class Builder {
        private final Path concepts;
        private final String model;
        private final String document;
        private int promptSentences = DEFAULT_PROMPT_SENTENCES;
        private int maxSentences = DEFAULT_MAX_SENTENCES;
        private Feed feed = DEFAULT_FEED;
        private long seed = DEFAULT_SEED;

        private Builder(Path concepts, String model, String document) {
            this.concepts = concepts;
            this.model = model;
            this.document = document;
        }

        public Builder promptSentences(int v) {
            promptSentences = v;
            return this;
        }

        public Builder maxSentences(int v) {
            maxSentences = v;
            return this;
        }

        public Builder feed(Feed v) {
            feed = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public LcmGenerateConfig build() {
            return new LcmGenerateConfig(concepts, model, document, promptSentences, maxSentences, feed, seed);
        }
    }
}
