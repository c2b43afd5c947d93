package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.hooks.HookPoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT (Devlin et al. 2019; HF {@code BertModel}): a bidirectional encoder with learned positions,
 * token-type embeddings and an embedding LayerNorm, post-LN blocks, erf GELU, biases on every projection, and
 * no LM head. The pooler (a tanh layer over [CLS] that sentence embeddings do not use) is left out.
 */
public final class BertFamily implements EncoderFamily {
    public static final BertFamily BERT = new BertFamily();

    private BertFamily() {
    }

    @Override
    public String modelType() {
        return "bert";
    }

    @Override
    public String hfArchitecture() {
        return "BertModel";
    }

    /** Only what {@link ModelConfig#bert} runs is accepted. */
    @Override
    public ModelConfig readConfig(ConfigReader r) {
        String act = r.text("hidden_act", "gelu");
        if (!act.equals("gelu")) {
            throw r.error("hidden_act '" + act + "' is not supported for BERT (expected gelu)");
        }
        String positions = r.text("position_embedding_type", "absolute");
        if (!positions.equals("absolute")) {
            throw r.error("position_embedding_type '" + positions + "' is not supported (expected absolute)");
        }
        int d = r.integer("hidden_size", null);
        int heads = r.integer("num_attention_heads", null);
        r.checkHeads("hidden_size", d, "num_attention_heads", heads, heads);
        return ModelConfig.bert(r.integer("vocab_size", null), d, r.integer("num_hidden_layers", null), heads,
                r.integer("intermediate_size", null), r.integer("max_position_embeddings", 512),
                r.integer("type_vocab_size", 2), r.number("layer_norm_eps", 1e-12));
    }

    @Override
    public void writeConfig(ModelConfig c, Map<String, Object> m) {
        m.put("hidden_size", c.hiddenSize());
        m.put("num_hidden_layers", c.numLayers());
        m.put("num_attention_heads", c.numHeads());
        m.put("intermediate_size", c.intermediateSize());
        m.put("hidden_act", c.activation());
        m.put("max_position_embeddings", c.maxPositions());
        m.put("type_vocab_size", c.typeVocabSize());
        m.put("layer_norm_eps", c.normEps());
    }

    @Override
    public Map<String, long[]> parameters(ModelConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.hiddenSize();
        long inner = c.intermediateSize();
        m.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), d});
        m.put("embeddings.position_embeddings.weight", new long[] {c.maxPositions(), d});
        m.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), d});
        m.put("embeddings.LayerNorm.weight", new long[] {d});
        m.put("embeddings.LayerNorm.bias", new long[] {d});
        for (int l = 0; l < c.numLayers(); l++) {
            String p = layerPrefix(l);
            for (String linear : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense"}) {
                m.put(p + linear + ".weight", new long[] {d, d});
                m.put(p + linear + ".bias", new long[] {d});
            }
            m.put(p + "attention.output.LayerNorm.weight", new long[] {d});
            m.put(p + "attention.output.LayerNorm.bias", new long[] {d});
            m.put(p + "intermediate.dense.weight", new long[] {inner, d});
            m.put(p + "intermediate.dense.bias", new long[] {inner});
            m.put(p + "output.dense.weight", new long[] {d, inner});
            m.put(p + "output.dense.bias", new long[] {d});
            m.put(p + "output.LayerNorm.weight", new long[] {d});
            m.put(p + "output.LayerNorm.bias", new long[] {d});
        }
        return m;
    }

    @Override
    public String blocksPrefix() {
        return "encoder.layer.";
    }

    /** The position-id buffer and the pooler are not loaded. */
    @Override
    public boolean isIgnorable(ModelConfig c, String key) {
        return key.endsWith("embeddings.position_ids") || key.startsWith("pooler.");
    }

    @Override
    public boolean learnedPositions() {
        return true;
    }

    /** No final norm: post-LN blocks place resid_mid and resid_post after the blocks' LayerNorms. */
    @Override
    public List<String> hookNames(ModelConfig c) {
        return HookPoint.all(c.numLayers(), true, false, false, false);
    }

    @Override
    public String mlpActivationHook(int layer) {
        return HookPoint.mlpPost(layer);
    }

    /** PEFT's default for BERT. */
    @Override
    public List<String> defaultLoraTargets() {
        return List.of("query", "value");
    }

    /**
     * Word and position embeddings, plus the embedding of token type (segment) 0 for every token, normalised:
     * blocks.0.hook_resid_pre sees the normalised embeddings.
     */
    @Override
    public NDArray embed(ForwardPass f) {
        NDArray h = f.hook(HookPoint.EMBED, f.embed(f.tokenIds(), "embeddings.word_embeddings.weight"));
        h = h.add(f.hook(HookPoint.POS_EMBED, f.embed(f.positionIds(), "embeddings.position_embeddings.weight")));
        NDArray types = f.step().zeros(new Shape(f.batch(), f.queries()), DataType.INT64);
        return f.layerNorm(h.add(f.embed(types, "embeddings.token_type_embeddings.weight")), "embeddings.LayerNorm");
    }

    /**
     * Post-LN: each sublayer's output is added first and the sum normalised, so {@code hook_resid_mid} and
     * {@code hook_resid_post} are the stream <em>after</em> those LayerNorms (attention.output.LayerNorm,
     * output.LayerNorm): what the next sublayer reads, as in the decoders.
     */
    @Override
    public NDArray block(ForwardPass f, int l, NDArray h) {
        String p = layerPrefix(l);
        h = f.hook(HookPoint.residPre(l), h);
        NDArray attn = f.attention(l, f.project(h, p + "attention.self.query"),
                f.project(h, p + "attention.self.key"), f.project(h, p + "attention.self.value"),
                p + "attention.output.dense");
        h = f.hook(HookPoint.residMid(l), f.layerNorm(h.add(f.hook(HookPoint.attnOut(l), attn)),
                p + "attention.output.LayerNorm"));
        NDArray mlp = f.hook(HookPoint.mlpOut(l), f.mlp(l, p + "intermediate.dense", p + "output.dense", h));
        return f.hook(HookPoint.residPost(l), f.layerNorm(h.add(mlp), p + "output.LayerNorm"));
    }

    @Override
    public String toString() {
        return "BERT";
    }
}
