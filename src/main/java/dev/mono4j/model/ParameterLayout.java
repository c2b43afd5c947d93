package dev.mono4j.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every weight a family's checkpoint must hold, under its Hugging Face key, with its shape. Layouts are
 * kept as HF stores them: GPT-2's Conv1D weights are {@code [in, out]}, Llama-family and BERT Linear weights
 * {@code [out, in]}; the model multiplies accordingly, so saved checkpoints load in HF unchanged.
 */
public final class ParameterLayout {
    private ParameterLayout() {
    }

    public static String layerPrefix(ModelConfig c, int layer) {
        String blocks = switch (c.architecture()) {
            case GPT2 -> "transformer.h.";
            case BERT -> "encoder.layer.";
            default -> "model.layers.";
        };
        return blocks + layer + ".";
    }

    public static Map<String, long[]> expected(ModelConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.hiddenSize();
        long v = c.vocabSize();
        long inner = c.intermediateSize();
        if (c.architecture().isEncoder()) {
            bert(c, m);
            return m;
        }
        if (c.architecture().isGpt2()) {
            m.put("transformer.wte.weight", new long[] {v, d});
            m.put("transformer.wpe.weight", new long[] {c.maxPositions(), d});
            for (int l = 0; l < c.numLayers(); l++) {
                String p = layerPrefix(c, l);
                m.put(p + "ln_1.weight", new long[] {d});
                m.put(p + "ln_1.bias", new long[] {d});
                m.put(p + "attn.c_attn.weight", new long[] {d, 3 * d});
                m.put(p + "attn.c_attn.bias", new long[] {3 * d});
                m.put(p + "attn.c_proj.weight", new long[] {d, d});
                m.put(p + "attn.c_proj.bias", new long[] {d});
                m.put(p + "ln_2.weight", new long[] {d});
                m.put(p + "ln_2.bias", new long[] {d});
                m.put(p + "mlp.c_fc.weight", new long[] {d, inner});
                m.put(p + "mlp.c_fc.bias", new long[] {inner});
                m.put(p + "mlp.c_proj.weight", new long[] {inner, d});
                m.put(p + "mlp.c_proj.bias", new long[] {d});
            }
            m.put("transformer.ln_f.weight", new long[] {d});
            m.put("transformer.ln_f.bias", new long[] {d});
        } else {
            long q = (long) c.numHeads() * c.headDim();
            long kv = (long) c.numKvHeads() * c.headDim();
            m.put("model.embed_tokens.weight", new long[] {v, d});
            for (int l = 0; l < c.numLayers(); l++) {
                String p = layerPrefix(c, l);
                m.put(p + "input_layernorm.weight", new long[] {d});
                m.put(p + "self_attn.q_proj.weight", new long[] {q, d});
                m.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
                m.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
                if (c.qkvBias()) {
                    m.put(p + "self_attn.q_proj.bias", new long[] {q});
                    m.put(p + "self_attn.k_proj.bias", new long[] {kv});
                    m.put(p + "self_attn.v_proj.bias", new long[] {kv});
                }
                m.put(p + "self_attn.o_proj.weight", new long[] {d, q});
                if (c.outputBias()) {
                    m.put(p + "self_attn.o_proj.bias", new long[] {d});
                }
                m.put(p + "post_attention_layernorm.weight", new long[] {d});
                m.put(p + "mlp.gate_proj.weight", new long[] {inner, d});
                m.put(p + "mlp.up_proj.weight", new long[] {inner, d});
                m.put(p + "mlp.down_proj.weight", new long[] {d, inner});
            }
            m.put("model.norm.weight", new long[] {d});
        }
        if (!c.tieEmbeddings()) {
            m.put("lm_head.weight", new long[] {v, d});
        }
        return m;
    }

    /** BertModel's weights; the pooler (a tanh layer over [CLS] that sentence embeddings do not use) is left out. */
    private static void bert(ModelConfig c, Map<String, long[]> m) {
        long d = c.hiddenSize();
        long inner = c.intermediateSize();
        m.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), d});
        m.put("embeddings.position_embeddings.weight", new long[] {c.maxPositions(), d});
        m.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), d});
        m.put("embeddings.LayerNorm.weight", new long[] {d});
        m.put("embeddings.LayerNorm.bias", new long[] {d});
        for (int l = 0; l < c.numLayers(); l++) {
            String p = layerPrefix(c, l);
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
    }

    /** Number of weights a checkpoint of this config holds (tied embeddings counted once). */
    public static long count(ModelConfig c) {
        return expected(c).values().stream().mapToLong(s -> java.util.Arrays.stream(s).reduce(1, (x, y) -> x * y)).sum();
    }

    /**
     * Keys a checkpoint may hold that we do not load: GPT-2's causal-mask buffers, stored rotary
     * frequencies (recomputed from rope_theta), an lm_head that duplicates the tied embedding, and BERT's
     * position-id buffer and pooler.
     */
    public static boolean isIgnorable(ModelConfig c, String key) {
        return key.endsWith(".attn.bias") || key.endsWith(".attn.masked_bias") || key.endsWith("rotary_emb.inv_freq")
                || (c.tieEmbeddings() && key.equals("lm_head.weight"))
                || (c.architecture().isEncoder() && (key.endsWith("embeddings.position_ids") || key.startsWith("pooler.")));
    }

    /** The key under which a file may store a canonical key: GPT-2 files saved from GPT2Model drop "transformer.". */
    public static String[] fileKeys(ModelConfig c, String canonical) {
        if (c.architecture().isGpt2() && canonical.startsWith("transformer.")) {
            return new String[] {canonical, canonical.substring("transformer.".length())};
        }
        return new String[] {canonical};
    }
}
