package dev.mono4j.onnx;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of Hugging Face BertModel's parameters, to recognise them in a graph before its config is known
 * (their shapes, once it is, are {@link dev.mono4j.model.ParameterLayout#expected}'s).
 */
final class BertParameters {
    private static final List<String> EMBEDDINGS = List.of("embeddings.word_embeddings.weight",
            "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
            "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias");
    /** The names inside one layer, after {@code encoder.layer.N.}. */
    private static final List<String> LAYER = List.of("attention.self.query.weight", "attention.self.query.bias",
            "attention.self.key.weight", "attention.self.key.bias", "attention.self.value.weight",
            "attention.self.value.bias", "attention.output.dense.weight", "attention.output.dense.bias",
            "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias", "intermediate.dense.weight",
            "intermediate.dense.bias", "output.dense.weight", "output.dense.bias", "output.LayerNorm.weight",
            "output.LayerNorm.bias");
    static final List<String> POOLER = List.of("pooler.dense.weight", "pooler.dense.bias");
    private static final Pattern IN_LAYER = Pattern.compile("encoder\\.layer\\.(0|[1-9]\\d{0,5})\\.(.+)");

    private BertParameters() {
    }

    /** Whether {@code name} is a parameter of BertModel (of some depth). */
    static boolean isParameter(String name) {
        Matcher m = IN_LAYER.matcher(name);
        return m.matches() ? LAYER.contains(m.group(2)) : EMBEDDINGS.contains(name) || POOLER.contains(name);
    }

    /** The layer index in a parameter's name, or -1 outside the encoder's layers. */
    static int layerOf(String name) {
        Matcher m = IN_LAYER.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }
}
