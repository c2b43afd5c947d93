package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.hooks.HookPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gemma-2 (HF {@code Gemma2ForCausalLM}), the family of the Gemma Scope SAEs, as transformers'
 * {@code src/transformers/models/gemma2/modeling_gemma2.py}@006e869 runs it (cited below as [M]): Llama's
 * layout and rotary GQA attention with an explicit head_dim, plus embeddings scaled by √d, RMSNorm as
 * x̂ · (1 + w), sandwich norms (a norm after attention and after the MLP, before each residual add), a GeGLU MLP
 * (tanh GELU), the attention scale query_pre_attn_scalar^-1/2, soft-capped attention scores and logits, and a
 * sliding window on every other layer. Config defaults are {@code Gemma2Config}'s
 * ({@code configuration_gemma2.py}@008e574, the stored version; [C]).
 */
public final class Gemma2Family implements DecoderFamily {
    public static final Gemma2Family GEMMA2 = new Gemma2Family();

    /** [C]'s defaults (Gemma-2 2B's values). */
    static final int DEFAULT_HEAD_DIM = 256;
    static final int DEFAULT_MAX_POSITIONS = 8192;
    static final double DEFAULT_RMS_NORM_EPS = 1e-6;
    static final double DEFAULT_QUERY_PRE_ATTN_SCALAR = 256;
    static final int DEFAULT_SLIDING_WINDOW = 4096;
    static final double DEFAULT_ATTN_LOGIT_SOFTCAPPING = 50.0;
    static final double DEFAULT_FINAL_LOGIT_SOFTCAPPING = 30.0;
    /** The only activation [M]'s {@code Gemma2MLP} is run with here ({@code hidden_activation}). */
    static final String ACTIVATION = "gelu_pytorch_tanh";

    /**
     * What Gemma-2's config.json adds to the shared fields.
     *
     * @param queryPreAttnScalar  s in the attention scale s^-1/2 ([M] {@code Gemma2Attention.scaling})
     * @param attnLogitSoftcap    the cap on attention scores, 0 when config.json has null (no cap)
     * @param finalLogitSoftcap   the cap on the logits, 0 when config.json has null (no cap)
     */
    public record Settings(double queryPreAttnScalar, double attnLogitSoftcap, double finalLogitSoftcap)
            implements ModelConfig.FamilySettings {
        public Settings {
            if (!(queryPreAttnScalar > 0) || attnLogitSoftcap < 0 || finalLogitSoftcap < 0) {
                throw new IllegalArgumentException("query_pre_attn_scalar must be positive and the soft caps"
                        + " non-negative (0: none)");
            }
        }
    }

    private Gemma2Family() {
    }

    @Override
    public String modelType() {
        return "gemma2";
    }

    @Override
    public String hfArchitecture() {
        return "Gemma2ForCausalLM";
    }

    @Override
    public ModelConfig readConfig(ConfigReader r) {
        String act = r.text("hidden_activation", ACTIVATION);
        if (!act.equals(ACTIVATION)) {
            throw r.error("hidden_activation '" + act + "' is not supported (expected " + ACTIVATION + ")");
        }
        if (r.bool("attention_bias", false)) {
            throw r.error("attention_bias=true is not supported");
        }
        if (r.bool("use_bidirectional_attention", false)) {
            throw r.error("use_bidirectional_attention=true is not supported (Gemma-2 is causal here)");
        }
        // [M] builds its rotary tables from rope_theta alone; a rope_scaling it would ignore is refused.
        if (r.json().hasNonNull("rope_scaling")) {
            throw r.error("rope_scaling is not supported for gemma2");
        }
        int layers = r.integer("num_hidden_layers", null);
        Settings s = new Settings(positive(r, "query_pre_attn_scalar", DEFAULT_QUERY_PRE_ATTN_SCALAR),
                softcap(r, "attn_logit_softcapping", DEFAULT_ATTN_LOGIT_SOFTCAPPING),
                softcap(r, "final_logit_softcapping", DEFAULT_FINAL_LOGIT_SOFTCAPPING));
        return LlamaFamily.attentionConfig(r, this, DEFAULT_MAX_POSITIONS, DEFAULT_RMS_NORM_EPS)
                .headDim(r.integer("head_dim", DEFAULT_HEAD_DIM)).intermediateSize(r.integer("intermediate_size", null))
                .activation(act).tieEmbeddings(r.bool("tie_word_embeddings", true))
                .layerWindows(layerWindows(r, layers)).familySettings(s).build();
    }

    private static double positive(ConfigReader r, String key, double dflt) {
        double v = r.number(key, dflt);
        if (!(v > 0)) {
            throw r.error("field \"" + key + "\" must be positive, got " + v);
        }
        return v;
    }

    /** A soft cap: [C]'s default when absent, none (0) when null, else a positive number. */
    private static double softcap(ConfigReader r, String key, double dflt) {
        JsonNode v = r.json().get(key);
        return v != null && v.isNull() ? 0 : positive(r, key, dflt);
    }

    /**
     * The sliding window of each layer: [M]'s {@code Gemma2Attention} slides on even layers
     * ({@code not bool(layer_idx % 2)}); a {@code layer_types} list (later transformers' configs) decides per
     * layer where given. A null {@code sliding_window} means full attention everywhere (our choice: [M] would
     * fail on it). [M]'s mask keeps key j for query i iff j ≤ i and not j ≤ i − window ({@code torch.tril(...,
     * diagonal=-sliding_window)}), i.e. i − j < window: ForwardPass's window rule.
     */
    private static List<Integer> layerWindows(ConfigReader r, int layers) {
        JsonNode c = r.json();
        boolean none = c.has("sliding_window") && c.get("sliding_window").isNull();
        int window = none ? 0 : r.integer("sliding_window", DEFAULT_SLIDING_WINDOW);
        JsonNode types = c.get("layer_types");
        boolean listed = types != null && types.isArray();
        if (listed && types.size() != layers) {
            throw r.error("layer_types has " + types.size() + " entries for " + layers + " layers");
        }
        List<Integer> windows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            boolean sliding = listed ? "sliding_attention".equals(types.get(l).asText()) : l % 2 == 0;
            windows.add(sliding ? window : 0);
        }
        return windows;
    }

    static Settings settings(ModelConfig c) {
        return c.familySettings(Settings.class);
    }

    @Override
    public void writeConfig(ModelConfig c, Map<String, Object> m) {
        LlamaFamily.writeAttentionConfig(c, m);
        m.put("intermediate_size", c.intermediateSize());
        m.put("hidden_activation", c.activation());
        m.put("attention_bias", false);
        Settings s = settings(c);
        m.put("query_pre_attn_scalar", s.queryPreAttnScalar());
        m.put("attn_logit_softcapping", s.attnLogitSoftcap() > 0 ? s.attnLogitSoftcap() : null);
        m.put("final_logit_softcapping", s.finalLogitSoftcap() > 0 ? s.finalLogitSoftcap() : null);
        int window = c.layerWindows().stream().mapToInt(Integer::intValue).max().orElse(0);
        m.put("sliding_window", window > 0 ? window : null);
        m.put("layer_types", c.layerWindows().stream().map(w -> w > 0 ? "sliding_attention" : "full_attention")
                .toList());
        c.writeHeadAndTokens(m);
    }

    /** Llama's layout with the two extra norms of the MLP's sandwich ([M] {@code Gemma2DecoderLayer}). */
    @Override
    public Map<String, long[]> parameters(ModelConfig c) {
        long d = c.hiddenSize();
        long inner = c.intermediateSize();
        return LlamaFamily.parameters(this, c, (l, p, m) -> {
            m.put(p + "pre_feedforward_layernorm.weight", new long[] {d});
            m.put(p + "mlp.gate_proj.weight", new long[] {inner, d});
            m.put(p + "mlp.up_proj.weight", new long[] {inner, d});
            m.put(p + "mlp.down_proj.weight", new long[] {d, inner});
            m.put(p + "post_feedforward_layernorm.weight", new long[] {d});
        });
    }

    @Override
    public String blocksPrefix() {
        return "model.layers.";
    }

    /** Norm weights are offsets from 1 (x̂ · (1 + w)): fresh ones start at 0 ([M] {@code torch.zeros(dim)}). */
    @Override
    public Float initialValue(String key) {
        return key.endsWith("norm.weight") ? 0f : null;
    }

    @Override
    public boolean isIgnorable(ModelConfig c, String key) {
        return key.endsWith("rotary_emb.inv_freq") || DecoderFamily.super.isIgnorable(c, key);
    }

    @Override
    public double attentionScale(ModelConfig c) {
        return Math.pow(settings(c).queryPreAttnScalar(), -0.5);
    }

    @Override
    public double attentionSoftcap(ModelConfig c) {
        return settings(c).attnLogitSoftcap();
    }

    @Override
    public double finalLogitSoftcap(ModelConfig c) {
        return settings(c).finalLogitSoftcap();
    }

    @Override
    public Map<String, String> details(ModelConfig c) {
        Settings s = settings(c);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("attention scale", "query_pre_attn_scalar^-1/2 = " + (float) attentionScale(c));
        m.put("soft caps", "attention " + s.attnLogitSoftcap() + ", logits " + s.finalLogitSoftcap() + " (0: none)");
        m.put("sliding windows", c.layerWindows().toString());
        return m;
    }

    /**
     * Llama's hook points: the post-attention and post-MLP norms come before hook_attn_out and hook_mlp_out, as
     * TransformerLens' {@code TransformerBlock} with {@code use_normalization_before_and_after} places them
     * ({@code transformer_lens/components/transformer_block.py}@54bd335: "what is added to the residual stream").
     */
    @Override
    public List<String> hookNames(ModelConfig c) {
        return HookPoint.all(c.numLayers(), false, true, true, true);
    }

    /** The up_proj output, as for Llama: the gated MLP's linear half, the activation DecPO regularises. */
    @Override
    public String mlpActivationHook(int layer) {
        return HookPoint.mlpPreLinear(layer);
    }

    /**
     * PEFT's gemma2 targets q_proj and v_proj ({@code src/peft/utils/constants.py}@00073fe,
     * {@code TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING}), plus up_proj, whose output DecPO regularises
     * (our choice, as for Llama).
     */
    @Override
    public List<String> defaultLoraTargets() {
        return List.of("q_proj", "v_proj", "up_proj");
    }

    /**
     * [M] {@code Gemma2Model.forward}: the embedding times √d, the normaliser cast to F32 first; hook_embed sees
     * the scaled rows, as TransformerLens' W_E holds them ({@code pretrained/weight_conversions/gemma.py}@b048bd7).
     */
    @Override
    public NDArray embed(ForwardPass f) {
        NDArray e = f.embed(f.tokenIds(), tokenEmbedding());
        return f.hook(HookPoint.EMBED, e.mul(f.scalar((float) Math.sqrt(f.config().hiddenSize()))));
    }

    /**
     * [M] {@code Gemma2DecoderLayer.forward}: h + post_attention_norm(attention(input_norm(h))), then
     * h + post_feedforward_norm(mlp(pre_feedforward_norm(h))), the MLP down(gelu_tanh(gate(x)) · up(x))
     * ({@code Gemma2MLP}).
     */
    @Override
    public NDArray block(ForwardPass f, int l, NDArray h) {
        String p = layerPrefix(l);
        h = f.hook(HookPoint.residPre(l), h);
        NDArray x = f.rmsNormOnePlus(h, p + "input_layernorm");
        NDArray attn = f.rotaryAttention(l, f.project(x, p + "self_attn.q_proj"), f.project(x, p + "self_attn.k_proj"),
                f.project(x, p + "self_attn.v_proj"), p + "self_attn.o_proj");
        attn = f.hook(HookPoint.attnOut(l), f.rmsNormOnePlus(attn, p + "post_attention_layernorm"));
        h = f.hook(HookPoint.residMid(l), h.add(attn));
        x = f.rmsNormOnePlus(h, p + "pre_feedforward_layernorm");
        NDArray gate = f.hook(HookPoint.mlpPre(l), f.project(x, p + "mlp.gate_proj"));
        NDArray up = f.hook(HookPoint.mlpPreLinear(l), f.project(x, p + "mlp.up_proj"));
        NDArray post = f.hook(HookPoint.mlpPost(l), f.geluTanh(gate).mul(up));
        NDArray mlp = f.rmsNormOnePlus(f.project(post, p + "mlp.down_proj"), p + "post_feedforward_layernorm");
        return f.hook(HookPoint.residPost(l), h.add(f.hook(HookPoint.mlpOut(l), mlp)));
    }

    @Override
    public FinalNormSpec finalNormSpec(ModelConfig c) {
        return new FinalNormSpec(false, "model.norm.weight", null, 1);
    }

    @Override
    public NDArray finalNorm(ForwardPass f, NDArray h) {
        return f.rmsNormOnePlus(h, "model.norm");
    }

    @Override
    public String tokenEmbedding() {
        return "model.embed_tokens.weight";
    }

    @Override
    public String toString() {
        return "GEMMA2";
    }
}
