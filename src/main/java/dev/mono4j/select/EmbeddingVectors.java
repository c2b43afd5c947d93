package dev.mono4j.select;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.data.LabelledText;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.SentenceEmbeddings;
import dev.mono4j.model.TransformerEncoder;
import dev.mono4j.pull.ModelPull;
import dev.mono4j.tokenize.Tokenizer;
import java.util.List;

/**
 * The embedding baseline's vectors (the paper's DLRDS with bge-base-en-v1.5, §3.2 and App. C; we use
 * bge-small-en-v1.5 from {@code models pull bge-small}): each sample's L2-normalised sentence embedding. The paper
 * averages over chunks of long samples; we cut a sample to {@code --max-tokens} and the encoder's positions (512),
 * keeping its closing [SEP], as sentence-transformers truncates (our choice).
 */
final class EmbeddingVectors implements SampleVectors {
    private final TransformerEncoder model;
    private final Tokenizer tok;
    private final SentenceEmbeddings.Pooling pooling;
    private final int batchSize;
    private final int maxTokens;
    private final ObjectNode key;

    private EmbeddingVectors(TransformerEncoder model, Tokenizer tok, SentenceEmbeddings.Pooling pooling, SelectConfig cfg) {
        this.model = model;
        this.tok = tok;
        this.pooling = pooling;
        this.batchSize = cfg.batchSize();
        this.maxTokens = model.config().tokenLimit(cfg.maxTokens());
        this.key = Json.MAPPER.createObjectNode().put("vectors", "sentence embeddings")
                .put("model", Selection.abs(cfg.model())).put("pooling", pooling.name()).put("max_tokens", maxTokens);
    }

    static EmbeddingVectors open(SelectConfig cfg, NonFinite nonFinite) {
        TransformerEncoder model = Checkpoint.loadEncoder(cfg.model(), "select --method embedding", nonFinite);
        Tokenizer tok = null;
        try {
            tok = Tokenizer.load(cfg.model());
            SentenceEmbeddings.Pooling pooling = ModelPull.poolingFor(cfg.model(), cfg.embedPooling());
            return new EmbeddingVectors(model, tok, pooling, cfg);
        } catch (RuntimeException e) {
            if (tok != null) {
                tok.close();
            }
            model.close();
            throw e;
        }
    }

    @Override
    public NDArray vectors(NDManager step, List<LabelledText> batch) {
        float[][] e = SentenceEmbeddings.embed(model, tok, batch.stream().map(LabelledText::text).toList(), pooling, true,
                batchSize, maxTokens);
        int d = e[0].length;
        float[] flat = new float[e.length * d];
        for (int i = 0; i < e.length; i++) {
            System.arraycopy(e[i], 0, flat, i * d, d);
        }
        return step.create(flat, new Shape(e.length, d));
    }

    @Override
    public NDManager manager() {
        return model.manager();
    }

    @Override
    public String hook() {
        return null;
    }

    @Override
    public ObjectNode key() {
        return key.deepCopy();
    }

    @Override
    public void close() {
        tok.close();
        model.close();
    }
}
