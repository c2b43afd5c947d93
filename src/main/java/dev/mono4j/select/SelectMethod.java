package dev.mono4j.select;

import dev.mono4j.data.LabelledText;
import dev.mono4j.data.TextSource;
import dev.mono4j.io.NonFinite;
import java.nio.file.Path;
import java.util.List;

/**
 * The selection methods of {@code select}, each with what it needs and how its scorer is made: the one registry of
 * methods. MoNA itself is {@link #JACCARD}; the rest are the paper's ablations and baselines (arXiv 2503.15573v2
 * §3.2, App. C, Tables 8 and 14).
 */
public enum SelectMethod {
    /** MoNA: mean-pooled SAE codes, generalised Jaccard against the targets' prototype (Eq. 6–9). */
    JACCARD(Needs.SAE, (c, t, x) -> activations(c, t, x, Similarity.JACCARD, true)),
    /** The same codes by cosine similarity (Table 14's ablation). */
    COSINE(Needs.SAE, (c, t, x) -> activations(c, t, x, Similarity.COSINE, true)),
    /** The same codes by (negative) Euclidean distance (Table 14's ablation). */
    EUCLIDEAN(Needs.SAE, (c, t, x) -> activations(c, t, x, Similarity.EUCLIDEAN, true)),
    /**
     * The raw activations at the same hook, pooled the same way, without an SAE (Table 8's "raw hidden state").
     * They may be negative, where generalised Jaccard is not defined, so they are compared by cosine.
     */
    RAW(Needs.MODEL, (c, t, x) -> activations(c, t, x, Similarity.COSINE, false)),
    /** A sentence encoder's normalised embeddings by cosine (the paper's DLRDS-BGE baseline with bge-small). */
    EMBEDDING(Needs.ENCODER, (c, t, x) -> vectors(c, t, x, EmbeddingVectors.open(c, x.nonFinite()), Similarity.COSINE,
            c.model().toString())),
    /** Apache Lucene's BM25 against each target text, averaged over the targets (the paper's BM25 baseline). */
    BM25(Needs.NOTHING, (c, t, x) -> Bm25Scorer.open(t, x)),
    /** Uniform random, seeded (the paper's RANDOM). */
    RANDOM(Needs.NOTHING, (c, t, x) -> new RandomScorer(c.seed()));

    /** What a method reads besides the texts. */
    public enum Needs {
        /** A model (--model) and an SAE on one of its hooks (--sae). */
        SAE,
        /** A model (--model) whose activations are read at --hook. */
        MODEL,
        /** A sentence encoder (--model, a BERT folder such as from 'models pull bge-small'). */
        ENCODER,
        /** Only the texts. */
        NOTHING
    }

    /**
     * What a scorer is made with besides the settings and targets.
     *
     * @param out  the selection's folder (BM25 keeps its index there)
     * @param pool the pool, read once per pass
     */
    record Context(Path out, TextSource pool, NonFinite nonFinite, boolean progress) {
    }

    /** Makes a method's scorer. */
    @FunctionalInterface
    interface Factory {
        PoolScorer open(SelectConfig cfg, List<LabelledText> targets, Context context);
    }

    private final Needs needs;
    private final Factory factory;

    SelectMethod(Needs needs, Factory factory) {
        this.needs = needs;
        this.factory = factory;
    }

    public Needs needs() {
        return needs;
    }

    /** Whether the method reads a model's activations at a hook (and so pools them with an {@link Aggregation}). */
    public boolean readsActivations() {
        return needs == Needs.SAE || needs == Needs.MODEL;
    }

    PoolScorer open(SelectConfig cfg, List<LabelledText> targets, Context context) {
        return factory.open(cfg, targets, context);
    }

    private static PoolScorer activations(SelectConfig cfg, List<LabelledText> targets, Context x, Similarity similarity,
            boolean withSae) {
        return vectors(cfg, targets, x, ActivationVectors.open(cfg, withSae, x.nonFinite()), similarity,
                withSae ? cfg.sae().toString() : cfg.model().toString());
    }

    /** A {@link VectorScorer}, with the pool's vectors kept in {@code --vectors} when it is given. */
    private static PoolScorer vectors(SelectConfig cfg, List<LabelledText> targets, Context x, SampleVectors v,
            Similarity similarity, String codesName) {
        try {
            VectorCache cache = cfg.vectors() == null ? null
                    : VectorCache.open(cfg.vectors(), Selection.poolKey(cfg, x.pool()).setAll(v.key()), x.pool().size());
            return new VectorScorer(v, similarity, codesName, targets, cfg.batchSize(), cache);
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
    }

    /** The method's {@code --method} name. */
    public String flagName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
