package dev.mono4j.select;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.data.LabelledText;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.SentenceEmbeddings;
import dev.mono4j.model.TransformerEncoder;
import dev.mono4j.pull.ModelPull;
import dev.mono4j.tokenize.Tokenizer;
import java.util.List;

/**
 * The embedding baseline (the paper's DLRDS with bge-base-en-v1.5, §3.2 and App. C; we use bge-small-en-v1.5 from
 * {@code models pull bge-small}): each sample's normalised sentence embedding, by cosine against the mean of the
 * targets' normalised embeddings (the same prototype as Eq. 8). The paper averages over chunks of long samples; we
 * embed each sample whole, so a sample longer than the encoder's positions (512) is refused with its line.
 */
final class EmbeddingScorer implements PoolScorer {
    private final TransformerEncoder model;
    private final Tokenizer tok;
    private final SentenceEmbeddings.Pooling pooling;
    private final int batchSize;
    private final float[] prototype;

    private EmbeddingScorer(TransformerEncoder model, Tokenizer tok, SentenceEmbeddings.Pooling pooling, int batchSize,
            List<LabelledText> targets) {
        this.model = model;
        this.tok = tok;
        this.pooling = pooling;
        this.batchSize = batchSize;
        float[][] t = embed(targets);
        prototype = new float[t[0].length];
        for (int j = 0; j < prototype.length; j++) {
            double s = 0;
            for (float[] row : t) {
                s += row[j];
            }
            prototype[j] = (float) (s / t.length);
        }
    }

    static EmbeddingScorer open(SelectConfig cfg, List<LabelledText> targets, NonFinite nonFinite) {
        TransformerEncoder model = Checkpoint.loadEncoder(cfg.model(), "select --method embedding", nonFinite);
        Tokenizer tok = null;
        try {
            tok = Tokenizer.load(cfg.model());
            SentenceEmbeddings.Pooling pooling = cfg.embedPooling() != null ? cfg.embedPooling()
                    : ModelPull.pooling(cfg.model()).orElse(SentenceEmbeddings.Pooling.MEAN);
            return new EmbeddingScorer(model, tok, pooling, cfg.batchSize(), targets);
        } catch (RuntimeException e) {
            if (tok != null) {
                tok.close();
            }
            model.close();
            throw e;
        }
    }

    private float[][] embed(List<LabelledText> texts) {
        return SentenceEmbeddings.embed(model, tok, texts.stream().map(LabelledText::text).toList(), pooling, true,
                batchSize);
    }

    @Override
    public float[] score(long first, List<LabelledText> batch) {
        float[][] e = embed(batch);
        float[] flat = new float[e.length * prototype.length];
        for (int i = 0; i < e.length; i++) {
            System.arraycopy(e[i], 0, flat, i * prototype.length, prototype.length);
        }
        try (NDManager m = model.manager().newSubManager()) {
            return Similarity.COSINE.score(m.create(flat, new Shape(e.length, prototype.length)), m.create(prototype))
                    .toFloatArray();
        }
    }

    @Override
    public void close() {
        tok.close();
        model.close();
    }
}
