package dev.mono4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a model, read from a Hugging Face {@code config.json}. One record serves every family;
 * the fields a family does not use keep neutral values (GPT-2: no rotary, no window, no q/k/v bias flag;
 * decoders: no token types; BERT: no rotary, no special tokens).
 *
 * @param activation      "gelu_new" (tanh GELU, GPT-2), "gelu" (erf) or "silu" (SwiGLU families)
 * @param ropeScaling     null unless {@code rope_scaling} is of type llama3
 * @param qkvBias         q/k/v projections carry a bias (Qwen2 always; Llama with attention_bias)
 * @param outputBias      o_proj carries a bias (Llama with attention_bias)
 * @param layerWindows    per layer, 0 for full attention or the sliding window in tokens (a query attends
 *                        the window's keys, itself included)
 * @param typeVocabSize   BERT's token-type (segment) vocabulary; 0 for decoders
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
        boolean outputBias,
        List<Integer> layerWindows,
        long bosTokenId,
        List<Long> eosTokenIds,
        int typeVocabSize) {

    public ModelConfig {
        layerWindows = List.copyOf(layerWindows);
        eosTokenIds = List.copyOf(eosTokenIds);
        if (layerWindows.size() != numLayers) {
            throw new IllegalArgumentException("layerWindows needs one entry per layer");
        }
    }

    /** GPT-2 with HF's defaults, for tests and benchmarks (GPT-2 small is gpt2(50257, 768, 12, 12, 1024)). */
    public static ModelConfig gpt2(int vocab, int hidden, int layers, int heads, int maxPositions) {
        return new ModelConfig(Architecture.GPT2, vocab, hidden, layers, heads, heads, hidden / heads, 4 * hidden,
                maxPositions, 1e-5, "gelu_new", 0, null, true, false, false, fullAttention(layers), vocab - 1,
                List.of((long) vocab - 1), 0);
    }

    /** A Llama-family decoder (SmolLM-135M is llama(49152, 576, 30, 9, 3, 1536, 2048, true)). */
    public static ModelConfig llama(int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate,
            int maxPositions, boolean tied) {
        return new ModelConfig(Architecture.LLAMA, vocab, hidden, layers, heads, kvHeads, hidden / heads, intermediate,
                maxPositions, 1e-5, "silu", 10000.0, null, tied, false, false, fullAttention(layers), 1, List.of(2L), 0);
    }

    /**
     * A BertModel encoder: absolute positions, erf GELU, biases on every projection; no LM head, so no special
     * tokens (all-MiniLM-L6-v2 is bert(30522, 384, 6, 12, 1536, 512, 2, 1e-12)).
     */
    public static ModelConfig bert(int vocab, int hidden, int layers, int heads, int intermediate, int maxPositions,
            int typeVocab, double normEps) {
        return new ModelConfig(Architecture.BERT, vocab, hidden, layers, heads, heads, hidden / heads, intermediate,
                maxPositions, normEps, "gelu", 0, null, false, true, true, fullAttention(layers), -1, List.of(), typeVocab);
    }

    /** The same shape with other special-token ids (a tokenizer's, for a model trained from scratch). */
    public ModelConfig withSpecialTokens(long bos, List<Long> eos) {
        return new ModelConfig(architecture, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, headDim,
                intermediateSize, maxPositions, normEps, activation, ropeTheta, ropeScaling, tieEmbeddings, qkvBias,
                outputBias, layerWindows, bos, eos, typeVocabSize);
    }

    public static List<Integer> fullAttention(int layers) {
        return java.util.Collections.nCopies(layers, 0);
    }

    /** 0 for full attention, else the layer's sliding window. */
    public int slidingWindow(int layer) {
        return layerWindows.get(layer);
    }

    /**
     * The longest text to feed the model, at most {@code wanted} tokens: learned positions (GPT-2's n_positions,
     * BERT's max_position_embeddings) end; rotary models have no hard limit.
     */
    public int tokenLimit(int wanted) {
        return architecture.learnedPositions() ? Math.min(wanted, maxPositions) : wanted;
    }

    /** Every hook point of this model, in the order the forward pass reaches them. */
    public List<String> hookNames() {
        return HookPoint.all(numLayers, architecture.learnedPositions(), architecture.gatedMlp(),
                !architecture.isEncoder());
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
            // Attention-scaling variants (stanford-crfm checkpoints) that this implementation does not have.
            if (r.bool("scale_attn_by_inverse_layer_idx", false) || !r.bool("scale_attn_weights", true)) {
                throw new UserInputException(file + ": scale_attn_by_inverse_layer_idx=true and scale_attn_weights=false"
                        + " are not supported");
            }
            checkHeads(file, "n_embd", d, "n_head", heads, heads);
            int layers = r.integer("n_layer", null);
            return new ModelConfig(arch, r.integer("vocab_size", null), d, layers, heads, heads,
                    d / heads, r.integer("n_inner", 4 * d), r.integer("n_positions", 1024),
                    r.number("layer_norm_epsilon", 1e-5), act.equals("gelu") ? "gelu" : "gelu_new", 0, null,
                    r.bool("tie_word_embeddings", true), false, false, fullAttention(layers), bos, eos, 0);
        }
        if (arch.isEncoder()) {
            return bert(r, file);
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
        int kvHeads = r.integer("num_key_value_heads", heads);
        if (!c.hasNonNull("head_dim")) {
            checkHeads(file, "hidden_size", d, "num_attention_heads", heads, kvHeads);
        }
        int headDim = r.integer("head_dim", heads == 0 ? 0 : d / heads);
        checkHeads(file, "head_dim", headDim * heads, "num_attention_heads", heads, kvHeads);
        if (headDim % 2 != 0) {
            throw new UserInputException(file + ": head_dim " + headDim + " must be even for rotary embeddings");
        }
        // Llama's attention_bias covers q, k, v and o; Qwen2 always has q/k/v biases and none on o_proj.
        boolean llamaBias = arch == Architecture.LLAMA && r.bool("attention_bias", false);
        return new ModelConfig(arch, r.integer("vocab_size", null), d, layers, heads, kvHeads, headDim,
                r.integer("intermediate_size", null), r.integer("max_position_embeddings", 2048),
                r.number("rms_norm_eps", 1e-6), act, r.number("rope_theta", 10000.0), ropeScaling(c, file),
                r.bool("tie_word_embeddings", false), arch == Architecture.QWEN2 || llamaBias, llamaBias,
                layerWindows(arch, c, r, layers), bos, eos, 0);
    }

    /** BertModel's config.json; only what {@link #bert(int, int, int, int, int, int, int, double)} runs is accepted. */
    private static ModelConfig bert(Reader r, Path file) {
        String act = r.text("hidden_act", "gelu");
        if (!act.equals("gelu")) {
            throw new UserInputException(file + ": hidden_act '" + act + "' is not supported for BERT (expected gelu)");
        }
        String positions = r.text("position_embedding_type", "absolute");
        if (!positions.equals("absolute")) {
            throw new UserInputException(file + ": position_embedding_type '" + positions
                    + "' is not supported (expected absolute)");
        }
        int d = r.integer("hidden_size", null);
        int heads = r.integer("num_attention_heads", null);
        checkHeads(file, "hidden_size", d, "num_attention_heads", heads, heads);
        return bert(r.integer("vocab_size", null), d, r.integer("num_hidden_layers", null), heads,
                r.integer("intermediate_size", null), r.integer("max_position_embeddings", 512),
                r.integer("type_vocab_size", 2), r.number("layer_norm_eps", 1e-12));
    }

    /**
     * Sliding windows per layer, with HF's defaults: Mistral windows every layer ({@code sliding_window},
     * 4096 when absent, none when null); Qwen2 only with {@code use_sliding_window}, from layer
     * {@code max_window_layers} (default 28) on. A {@code layer_types} list, where given, decides per layer.
     */
    private static List<Integer> layerWindows(Architecture arch, JsonNode c, Reader r, int layers) {
        if (arch != Architecture.MISTRAL && arch != Architecture.QWEN2) {
            return fullAttention(layers);
        }
        boolean enabled = arch == Architecture.MISTRAL ? !(c.has("sliding_window") && c.get("sliding_window").isNull())
                : r.bool("use_sliding_window", false);
        int window = enabled ? r.integer("sliding_window", 4096) : 0;
        int first = arch == Architecture.QWEN2 ? r.integer("max_window_layers", 28) : 0;
        List<Integer> windows = new ArrayList<>();
        JsonNode types = c.get("layer_types");
        for (int l = 0; l < layers; l++) {
            boolean sliding = types != null && types.isArray() ? "sliding_attention".equals(types.path(l).asText())
                    : l >= first;
            windows.add(sliding ? window : 0);
        }
        return windows;
    }

    /** Head counts must divide the width and each other, or the reshapes of attention fail mid-run. */
    private static void checkHeads(Path file, String widthField, int width, String headsField, int heads, int kvHeads) {
        if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0 || width % heads != 0) {
            throw new UserInputException(file + ": " + headsField + " = " + heads + " and num_key_value_heads = " + kvHeads
                    + " do not fit " + widthField + " = " + width + " (need kv heads dividing heads dividing the width)");
        }
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
        if (architecture.isEncoder()) {
            m.put("hidden_size", hiddenSize);
            m.put("num_hidden_layers", numLayers);
            m.put("num_attention_heads", numHeads);
            m.put("intermediate_size", intermediateSize);
            m.put("hidden_act", activation);
            m.put("max_position_embeddings", maxPositions);
            m.put("type_vocab_size", typeVocabSize);
            m.put("layer_norm_eps", normEps);
            m.put("torch_dtype", "float32");
            return m;
        }
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
                m.put("rope_scaling", Json.object("rope_type", "llama3", "factor", ropeScaling.factor(),
                        "low_freq_factor", ropeScaling.lowFreqFactor(), "high_freq_factor", ropeScaling.highFreqFactor(),
                        "original_max_position_embeddings", ropeScaling.originalMaxPositions()));
            }
            if (architecture == Architecture.LLAMA) {
                m.put("attention_bias", qkvBias);
            }
            int window = layerWindows.stream().mapToInt(Integer::intValue).max().orElse(0);
            if (architecture == Architecture.MISTRAL) {
                m.put("sliding_window", window > 0 ? window : null);
            }
            if (architecture == Architecture.QWEN2) {
                m.put("use_sliding_window", window > 0);
                m.put("sliding_window", window > 0 ? window : maxPositions);
                m.put("max_window_layers", window > 0 ? layerWindows.indexOf(window) : numLayers);
            }
            if (window > 0) {
                m.put("layer_types", layerWindows.stream().map(w -> w > 0 ? "sliding_attention" : "full_attention").toList());
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
