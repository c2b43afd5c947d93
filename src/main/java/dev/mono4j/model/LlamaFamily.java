package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Llama family (HF {@code LlamaForCausalLM}) and its variants Qwen2 ({@code Qwen2ForCausalLM}: q/k/v
 * biases always, sliding windows from {@code max_window_layers} on) and Mistral ({@code MistralForCausalLM}:
 * a sliding window in every layer): rotary positions, pre-LN blocks with RMSNorm, grouped-query attention
 * and a SwiGLU MLP. Linear weights, stored {@code [out, in]}, under {@code model.*}.
 */
public final class LlamaFamily implements DecoderFamily {
    public static final LlamaFamily LLAMA = new LlamaFamily(Variant.LLAMA);
    public static final LlamaFamily QWEN2 = new LlamaFamily(Variant.QWEN2);
    public static final LlamaFamily MISTRAL = new LlamaFamily(Variant.MISTRAL);

    /** What the variants' config.json files say differently (biases, sliding windows). */
    private enum Variant {
        LLAMA("LlamaForCausalLM", "llama"),
        QWEN2("Qwen2ForCausalLM", "qwen2"),
        MISTRAL("MistralForCausalLM", "mistral");

        final String hfName;
        final String modelType;

        Variant(String hfName, String modelType) {
            this.hfName = hfName;
            this.modelType = modelType;
        }
    }

    private final Variant variant;

    private LlamaFamily(Variant variant) {
        this.variant = variant;
    }

    @Override
    public String modelType() {
        return variant.modelType;
    }

    @Override
    public String hfArchitecture() {
        return variant.hfName;
    }

    @Override
    public ModelConfig readConfig(ConfigReader r) {
        String act = r.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw r.error("hidden_act '" + act + "' is not supported (expected silu)");
        }
        if (r.bool("mlp_bias", false)) {
            throw r.error("mlp_bias=true is not supported");
        }
        int layers = r.integer("num_hidden_layers", null);
        // Llama's attention_bias covers q, k, v and o; Qwen2 always has q/k/v biases and none on o_proj.
        boolean llamaBias = variant == Variant.LLAMA && r.bool("attention_bias", false);
        return attentionConfig(r, this, 2048, 1e-6).intermediateSize(r.integer("intermediate_size", null))
                .activation(act).qkvBias(variant == Variant.QWEN2 || llamaBias).outputBias(llamaBias)
                .layerWindows(layerWindows(r, layers)).build();
    }

    /**
     * The fields of a Llama-style config.json that its attention, norms, embeddings and head read (shared with
     * families that keep Llama's attention and replace its MLP, as Monet), with HF's defaults for
     * {@code max_position_embeddings} and {@code rms_norm_eps} given by the family.
     */
    static ModelConfig.Builder attentionConfig(ConfigReader r, ModelFamily family, int defaultPositions,
            double defaultEps) {
        int d = r.integer("hidden_size", null);
        int heads = r.integer("num_attention_heads", null);
        int layers = r.integer("num_hidden_layers", null);
        int kvHeads = r.integer("num_key_value_heads", heads);
        if (!r.json().hasNonNull("head_dim")) {
            r.checkHeads("hidden_size", d, "num_attention_heads", heads, kvHeads);
        }
        int headDim = r.integer("head_dim", heads == 0 ? 0 : d / heads);
        r.checkHeads("head_dim", headDim * heads, "num_attention_heads", heads, kvHeads);
        if (headDim % 2 != 0) {
            throw r.error("head_dim " + headDim + " must be even for rotary embeddings");
        }
        return ModelConfig.builder(family, r.integer("vocab_size", null), d, layers, heads).numKvHeads(kvHeads)
                .headDim(headDim).maxPositions(r.integer("max_position_embeddings", defaultPositions))
                .normEps(r.number("rms_norm_eps", defaultEps)).ropeTheta(r.number("rope_theta", 10000.0))
                .ropeScaling(ropeScaling(r)).tieEmbeddings(r.bool("tie_word_embeddings", false))
                .specialTokens(r.bosTokenId(), r.eosTokenIds());
    }

    /**
     * Sliding windows per layer, with HF's defaults: Mistral windows every layer ({@code sliding_window},
     * 4096 when absent, none when null); Qwen2 only with {@code use_sliding_window}, from layer
     * {@code max_window_layers} (default 28) on. A {@code layer_types} list, where given, decides per layer.
     */
    private List<Integer> layerWindows(ConfigReader r, int layers) {
        if (variant == Variant.LLAMA) {
            return ModelConfig.fullAttention(layers);
        }
        JsonNode c = r.json();
        boolean enabled = variant == Variant.MISTRAL ? !(c.has("sliding_window") && c.get("sliding_window").isNull())
                : r.bool("use_sliding_window", false);
        int window = enabled ? r.integer("sliding_window", 4096) : 0;
        int first = variant == Variant.QWEN2 ? r.integer("max_window_layers", 28) : 0;
        List<Integer> windows = new ArrayList<>();
        JsonNode types = c.get("layer_types");
        for (int l = 0; l < layers; l++) {
            boolean sliding = types != null && types.isArray() ? "sliding_attention".equals(types.path(l).asText())
                    : l >= first;
            windows.add(sliding ? window : 0);
        }
        return windows;
    }

    private static RopeScaling ropeScaling(ConfigReader r) {
        JsonNode s = r.json().get("rope_scaling");
        if (s == null || s.isNull()) {
            return null;
        }
        String type = s.has("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("default");
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw r.error("rope_scaling type '" + type + "' is not supported (supported: llama3)");
        }
        ConfigReader n = r.nested(s);
        return new RopeScaling(n.number("factor", null), n.number("low_freq_factor", 1.0),
                n.number("high_freq_factor", 4.0), n.integer("original_max_position_embeddings", 8192));
    }

    @Override
    public void writeConfig(ModelConfig c, Map<String, Object> m) {
        writeAttentionConfig(c, m);
        m.put("intermediate_size", c.intermediateSize());
        m.put("hidden_act", c.activation());
        if (variant == Variant.LLAMA) {
            m.put("attention_bias", c.qkvBias());
        }
        List<Integer> windows = c.layerWindows();
        int window = windows.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (variant == Variant.MISTRAL) {
            m.put("sliding_window", window > 0 ? window : null);
        }
        if (variant == Variant.QWEN2) {
            m.put("use_sliding_window", window > 0);
            m.put("sliding_window", window > 0 ? window : c.maxPositions());
            m.put("max_window_layers", window > 0 ? windows.indexOf(window) : c.numLayers());
        }
        if (window > 0) {
            m.put("layer_types", windows.stream().map(w -> w > 0 ? "sliding_attention" : "full_attention").toList());
        }
        c.writeHeadAndTokens(m);
    }

    /** What {@link #attentionConfig} reads, written back. */
    static void writeAttentionConfig(ModelConfig c, Map<String, Object> m) {
        m.put("hidden_size", c.hiddenSize());
        m.put("num_hidden_layers", c.numLayers());
        m.put("num_attention_heads", c.numHeads());
        m.put("num_key_value_heads", c.numKvHeads());
        m.put("head_dim", c.headDim());
        m.put("max_position_embeddings", c.maxPositions());
        m.put("rms_norm_eps", c.normEps());
        m.put("rope_theta", c.ropeTheta());
        RopeScaling s = c.ropeScaling();
        if (s != null) {
            m.put("rope_scaling", Json.object("rope_type", "llama3", "factor", s.factor(), "low_freq_factor",
                    s.lowFreqFactor(), "high_freq_factor", s.highFreqFactor(), "original_max_position_embeddings",
                    s.originalMaxPositions()));
        }
    }

    @Override
    public Map<String, long[]> parameters(ModelConfig c) {
        return parameters(this, c, (l, p, m) -> mlpParameters(c, p, m));
    }

    /** What a family puts in the MLP's place of layer {@code layer}, under its prefix {@code p}, into {@code m}. */
    interface MlpLayout {
        void add(int layer, String p, Map<String, long[]> m);
    }

    /**
     * A Llama-style layout: the embeddings, each layer's norms and attention followed by what {@code mlp} adds
     * under the layer's prefix, the final norm and the head.
     */
    static Map<String, long[]> parameters(ModelFamily family, ModelConfig c, MlpLayout mlp) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.hiddenSize();
        m.put("model.embed_tokens.weight", new long[] {c.vocabSize(), d});
        for (int l = 0; l < c.numLayers(); l++) {
            String p = family.layerPrefix(l);
            m.put(p + "input_layernorm.weight", new long[] {d});
            attentionParameters(c, p, m);
            m.put(p + "post_attention_layernorm.weight", new long[] {d});
            mlp.add(l, p, m);
        }
        m.put("model.norm.weight", new long[] {d});
        if (!c.tieEmbeddings()) {
            m.put("lm_head.weight", new long[] {c.vocabSize(), d});
        }
        return m;
    }

    /** Llama's self-attention weights of the block under prefix {@code p}, into {@code m}. */
    static void attentionParameters(ModelConfig c, String p, Map<String, long[]> m) {
        long d = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
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
    }

    /** SwiGLU's weights of the block under prefix {@code p} (width {@code intermediate_size}), into {@code m}. */
    static void mlpParameters(ModelConfig c, String p, Map<String, long[]> m) {
        long d = c.hiddenSize();
        long inner = c.intermediateSize();
        m.put(p + "mlp.gate_proj.weight", new long[] {inner, d});
        m.put(p + "mlp.up_proj.weight", new long[] {inner, d});
        m.put(p + "mlp.down_proj.weight", new long[] {d, inner});
    }

    @Override
    public String blocksPrefix() {
        return "model.layers.";
    }

    /** Stored rotary frequencies are recomputed from rope_theta. */
    @Override
    public boolean isIgnorable(ModelConfig c, String key) {
        return key.endsWith("rotary_emb.inv_freq") || DecoderFamily.super.isIgnorable(c, key);
    }

    @Override
    public List<String> hookNames(ModelConfig c) {
        return HookPoint.all(c.numLayers(), false, true, true, true);
    }

    /** The up_proj output: the gated MLP's linear half, the activation DecPO regularises. */
    @Override
    public String mlpActivationHook(int layer) {
        return HookPoint.mlpPreLinear(layer);
    }

    /** q_proj and v_proj (the LoRA paper's choice, PEFT's default) and up_proj, whose output DecPO regularises. */
    @Override
    public List<String> defaultLoraTargets() {
        return List.of("q_proj", "v_proj", "up_proj");
    }

    @Override
    public NDArray embed(ForwardPass f) {
        return f.hook(HookPoint.EMBED, f.embed(f.tokenIds(), "model.embed_tokens.weight"));
    }

    /** Pre-LN with RMSNorm; rotary attention; SwiGLU: down(silu(gate(x)) · up(x)). */
    @Override
    public NDArray block(ForwardPass f, int l, NDArray h) {
        String p = layerPrefix(l);
        return mlp(f, p, l, attention(f, p, l, h));
    }

    /** A Llama block's second half, from hook_resid_mid to hook_resid_post: RMSNorm, SwiGLU, residual. */
    static NDArray mlp(ForwardPass f, String p, int l, NDArray h) {
        NDArray x = f.rmsNorm(h, p + "post_attention_layernorm");
        NDArray gate = f.hook(HookPoint.mlpPre(l), f.project(x, p + "mlp.gate_proj"));
        NDArray up = f.hook(HookPoint.mlpPreLinear(l), f.project(x, p + "mlp.up_proj"));
        NDArray post = f.hook(HookPoint.mlpPost(l), f.silu(gate).mul(up));
        NDArray mlp = f.project(post, p + "mlp.down_proj");
        return f.hook(HookPoint.residPost(l), h.add(f.hook(HookPoint.mlpOut(l), mlp)));
    }

    /** A Llama block's first half, from hook_resid_pre to hook_resid_mid: RMSNorm, rotary attention, residual. */
    static NDArray attention(ForwardPass f, String p, int l, NDArray h) {
        h = f.hook(HookPoint.residPre(l), h);
        NDArray x = f.rmsNorm(h, p + "input_layernorm");
        NDArray attn = f.rotaryAttention(l, f.project(x, p + "self_attn.q_proj"),
                f.project(x, p + "self_attn.k_proj"), f.project(x, p + "self_attn.v_proj"), p + "self_attn.o_proj");
        return f.hook(HookPoint.residMid(l), h.add(f.hook(HookPoint.attnOut(l), attn)));
    }

    @Override
    public FinalNormSpec finalNormSpec(ModelConfig c) {
        return new FinalNormSpec(false, "model.norm.weight", null, 0);
    }

    @Override
    public NDArray finalNorm(ForwardPass f, NDArray h) {
        return f.rmsNorm(h, "model.norm");
    }

    @Override
    public String tokenEmbedding() {
        return "model.embed_tokens.weight";
    }

    @Override
    public String toString() {
        return variant.name();
    }
}
