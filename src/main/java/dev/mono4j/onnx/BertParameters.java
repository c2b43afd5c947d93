package dev.mono4j.onnx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The names and shapes of Hugging Face BertModel's parameters (nn.Linear weights are [out, in]). */
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

    /** Every parameter of a BertModel with this config and its shape, in modeling_bert's order. */
    static Map<String, long[]> shapes(BertConfig c, boolean withPooler) {
        long h = c.hiddenSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), h});
        shapes.put("embeddings.position_embeddings.weight", new long[] {c.maxPositionEmbeddings(), h});
        shapes.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), h});
        shapes.put("embeddings.LayerNorm.weight", new long[] {h});
        shapes.put("embeddings.LayerNorm.bias", new long[] {h});
        for (int layer = 0; layer < c.numHiddenLayers(); layer++) {
            for (String inLayer : LAYER) {
                long[] shape = switch (inLayer) {
                    case "intermediate.dense.weight" -> new long[] {c.intermediateSize(), h};
                    case "intermediate.dense.bias" -> new long[] {c.intermediateSize()};
                    case "output.dense.weight" -> new long[] {h, c.intermediateSize()};
                    default -> inLayer.endsWith(".weight") && !inLayer.contains("LayerNorm") ? new long[] {h, h}
                            : new long[] {h};
                };
                shapes.put("encoder.layer." + layer + "." + inLayer, shape);
            }
        }
        if (withPooler) {
            shapes.put("pooler.dense.weight", new long[] {h, h});
            shapes.put("pooler.dense.bias", new long[] {h});
        }
        return shapes;
    }
}
