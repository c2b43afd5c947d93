package dev.mono4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a decoder, read from a Hugging Face {@code config.json}. One record serves every family;
 * the fields a family does not use keep neutral values (GPT-2: no rotary, no window, no q/k/v bias flag).
 *
 * @param activation      "gelu_new" (tanh GELU, GPT-2), "gelu" (erf) or "silu" (SwiGLU families)
 * @param ropeScaling     null unless {@code rope_scaling} is of type llama3
 * @param slidingWindow   0 for full attention, else the window in tokens for layers from firstSlidingLayer on
 * @param qkvBias         q/k/v projections carry a bias (Qwen2 always; Llama with attention_bias)
 */
public record ModelConfig(
        Architecture architecture,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        int maxPositions,
        double normEps,
        String activation,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieEmbeddings,
        boolean qkvBias,
        int slidingWindow,
        int firstSlidingLayer,
        long bosTokenId,
        List<Long> eosTokenIds) {

    /** GPT-2 with HF's defaults, for tests and benchmarks (GPT-2 small is gpt2(50257, 768, 12, 12, 1024)). */
    public static ModelConfig gpt2(int vocab, int hidden, int layers, int heads, int maxPositions) {
        return new ModelConfig(Architecture.GPT2, vocab, hidden, layers, heads, heads, hidden / heads, 4 * hidden,
                maxPositions, 1e-5, "gelu_new", 0, null, true, false, 0, 0, vocab - 1, List.of((long) vocab - 1));
    }

    /** A Llama-family decoder (SmolLM-135M is llama(49152, 576, 30, 9, 3, 1536, 2048, true)). */
    public static ModelConfig llama(int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate,
            int maxPositions, boolean tied) {
        return new ModelConfig(Architecture.LLAMA, vocab, hidden, layers, heads, kvHeads, hidden / heads, intermediate,
                maxPositions, 1e-5, "silu", 10000.0, null, tied, false, 0, 0, 1, List.of(2L));
    }

    public int slidingWindow(int layer) {
        return slidingWindow > 0 && layer >= firstSlidingLayer ? slidingWindow : 0;
    }

    public static ModelConfig read(Path file) {
        return fromJson(Json.read(file), file);
    }

    public static ModelConfig fromJson(JsonNode c, Path file) {
        Reader r = new Reader(c, file);
        String name = c.has("architectures") && c.get("architectures").size() > 0
                ? c.get("architectures").get(0).asText() : r.text("model_type", "?");
        Architecture arch = Architecture.fromHfName(name);
        if (arch == null) {
            throw new UserInputException(file + ": unsupported architecture '" + name + "' (supported: "
                    + Architecture.supported() + ")");
        }
        List<Long> eos = new ArrayList<>();
        JsonNode e = c.get("eos_token_id");
        if (e != null && e.isArray()) {
            e.forEach(x -> eos.add(x.asLong()));
        } else if (e != null && e.canConvertToLong()) {
            eos.add(e.asLong());
        }
        long bos = c.has("bos_token_id") && c.get("bos_token_id").canConvertToLong() ? c.get("bos_token_id").asLong() : -1;
        if (arch.isGpt2()) {
            int d = r.integer("n_embd", null);
            int heads = r.integer("n_head", null);
            String act = r.text("activation_function", "gelu_new");
            if (!List.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu").contains(act)) {
                throw new UserInputException(file + ": activation_function '" + act + "' is not supported for GPT-2");
            }
            return new ModelConfig(arch, r.integer("vocab_size", null), d, r.integer("n_layer", null), heads, heads,
                    d / heads, r.integer("n_inner", 4 * d), r.integer("n_positions", 1024),
                    r.number("layer_norm_epsilon", 1e-5), act.equals("gelu") ? "gelu" : "gelu_new", 0, null,
                    r.bool("tie_word_embeddings", true), false, 0, 0, bos, eos);
        }
        int d = r.integer("hidden_size", null);
        int heads = r.integer("num_attention_heads", null);
        String act = r.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new UserInputException(file + ": hidden_act '" + act + "' is not supported (expected silu)");
        }
        if (r.bool("mlp_bias", false)) {
            throw new UserInputException(file + ": mlp_bias=true is not supported");
        }
        int layers = r.integer("num_hidden_layers", null);
        int window = 0;
        int firstSliding = 0;
        if (arch == Architecture.MISTRAL) {
            window = r.integer("sliding_window", 0);
        } else if (arch == Architecture.QWEN2 && r.bool("use_sliding_window", false)) {
            window = r.integer("sliding_window", 0);
            firstSliding = r.integer("max_window_layers", 0);
        }
        boolean qkvBias = arch == Architecture.QWEN2 || r.bool("attention_bias", false);
        return new ModelConfig(arch, r.integer("vocab_size", null), d, layers, heads,
                r.integer("num_key_value_heads", heads), r.integer("head_dim", d / heads),
                r.integer("intermediate_size", null), r.integer("max_position_embeddings", 2048),
                r.number("rms_norm_eps", 1e-6), act, r.number("rope_theta", 10000.0), ropeScaling(c, file),
                r.bool("tie_word_embeddings", false), qkvBias, window, firstSliding, bos, eos);
    }

    private static RopeScaling ropeScaling(JsonNode c, Path file) {
        JsonNode s = c.get("rope_scaling");
        if (s == null || s.isNull()) {
            return null;
        }
        String type = s.has("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("default");
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw new UserInputException(file + ": rope_scaling type '" + type + "' is not supported (supported: llama3)");
        }
        Reader r = new Reader(s, file);
        return new RopeScaling(r.number("factor", null), r.number("low_freq_factor", 1.0),
                r.number("high_freq_factor", 4.0), r.integer("original_max_position_embeddings", 8192));
    }

    /** A config.json that Hugging Face transformers and mono4j both load; weights are saved as float32. */
    public Map<String, Object> toHfJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of(architecture.hfName));
        m.put("model_type", architecture.modelType);
        m.put("vocab_size", vocabSize);
        if (architecture.isGpt2()) {
            m.put("n_embd", hiddenSize);
            m.put("n_layer", numLayers);
            m.put("n_head", numHeads);
            m.put("n_inner", intermediateSize);
            m.put("n_positions", maxPositions);
            m.put("n_ctx", maxPositions);
            m.put("activation_function", activation);
            m.put("layer_norm_epsilon", normEps);
        } else {
            m.put("hidden_size", hiddenSize);
            m.put("intermediate_size", intermediateSize);
            m.put("num_hidden_layers", numLayers);
            m.put("num_attention_heads", numHeads);
            m.put("num_key_value_heads", numKvHeads);
            m.put("head_dim", headDim);
            m.put("max_position_embeddings", maxPositions);
            m.put("rms_norm_eps", normEps);
            m.put("hidden_act", activation);
            m.put("rope_theta", ropeTheta);
            if (ropeScaling != null) {
                m.put("rope_scaling", Map.of("rope_type", "llama3", "factor", ropeScaling.factor(),
                        "low_freq_factor", ropeScaling.lowFreqFactor(), "high_freq_factor", ropeScaling.highFreqFactor(),
                        "original_max_position_embeddings", ropeScaling.originalMaxPositions()));
            }
            if (architecture == Architecture.LLAMA) {
                m.put("attention_bias", qkvBias);
            }
            if (architecture == Architecture.MISTRAL) {
                m.put("sliding_window", slidingWindow > 0 ? slidingWindow : null);
            }
            if (architecture == Architecture.QWEN2) {
                m.put("use_sliding_window", slidingWindow > 0);
                m.put("sliding_window", slidingWindow > 0 ? slidingWindow : maxPositions);
                m.put("max_window_layers", firstSlidingLayer);
            }
        }
        m.put("tie_word_embeddings", tieEmbeddings);
        if (bosTokenId >= 0) {
            m.put("bos_token_id", bosTokenId);
        }
        if (!eosTokenIds.isEmpty()) {
            m.put("eos_token_id", eosTokenIds.size() == 1 ? eosTokenIds.get(0) : eosTokenIds);
        }
        m.put("torch_dtype", "float32");
        return m;
    }

    /** Reads typed fields, naming the file and the field when one is missing or of the wrong type. */
    private record Reader(JsonNode c, Path file) {
        /** The field's value, or null when it is absent and a default exists; absent and required is an error. */
        private JsonNode field(String key, boolean hasDefault) {
            JsonNode v = c.get(key);
            if (v != null && !v.isNull()) {
                return v;
            }
            if (!hasDefault) {
                throw new UserInputException(file + ": missing field \"" + key + "\"");
            }
            return null;
        }

        int integer(String key, Integer dflt) {
            JsonNode v = field(key, dflt != null);
            if (v == null) {
                return dflt;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
                throw new UserInputException(file + ": field \"" + key + "\" must be a non-negative integer, got " + v);
            }
            return v.asInt();
        }

        double number(String key, Double dflt) {
            JsonNode v = field(key, dflt != null);
            if (v == null) {
                return dflt;
            }
            if (!v.isNumber()) {
                throw new UserInputException(file + ": field \"" + key + "\" must be a number, got " + v);
            }
            return v.asDouble();
        }

        boolean bool(String key, boolean dflt) {
            JsonNode v = field(key, true);
            return v == null ? dflt : v.asBoolean();
        }

        String text(String key, String dflt) {
            JsonNode v = field(key, true);
            return v == null ? dflt : v.asText();
        }
    }
}
