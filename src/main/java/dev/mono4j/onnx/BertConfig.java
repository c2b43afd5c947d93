package dev.mono4j.onnx;

import dev.mono4j.io.Json;
import java.util.List;
import java.util.Map;

/** The fields of a Hugging Face BertModel config.json that the ONNX import infers. */
public record BertConfig(long vocabSize, long hiddenSize, int numHiddenLayers, int numAttentionHeads,
        long intermediateSize, long maxPositionEmbeddings, long typeVocabSize, double layerNormEps) {

    /** config.json's content; the fields left out take BertConfig's defaults in transformers. */
    public Map<String, Object> toJson() {
        return Json.object("architectures", List.of("BertModel"), "model_type", "bert", "vocab_size", vocabSize,
                "hidden_size", hiddenSize, "num_hidden_layers", numHiddenLayers, "num_attention_heads", numAttentionHeads,
                "intermediate_size", intermediateSize, "hidden_act", "gelu", "max_position_embeddings",
                maxPositionEmbeddings, "type_vocab_size", typeVocabSize, "layer_norm_eps", layerNormEps);
    }
}
