package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.hooks.HookPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-NeoX and Pythia (HF {@code GPTNeoXForCausalLM}; Black et al. 2022, Biderman et al. 2023): pre-LN blocks
 * with LayerNorm, a fused per-head q/k/v projection, rotary embeddings on a share of each head
 * ({@code rotary_pct}), an erf-GELU MLP, by default a parallel residual (attention and MLP both read the block's
 * input) and an untied head {@code embed_out}. Linear weights {@code [out, in]} under {@code gpt_neox.*}.
 * Semantics and defaults follow transformers' {@code models/gpt_neox/modeling_gpt_neox.py}@006bd23 and
 * {@code configuration_gpt_neox.py} (defaults unchanged at 008e574).
 */
public final class NeoxFamily implements DecoderFamily {
    public static final NeoxFamily NEOX = new NeoxFamily();

    /** GPTNeoXConfig's defaults (configuration_gpt_neox.py): rotary_pct 0.25, rotary_emb_base 10000. */
    static final double DEFAULT_ROTARY_PCT = 0.25;
    static final double DEFAULT_ROTARY_BASE = 10000.0;

    /**
     * What only GPT-NeoX's config.json says.
     *
     * @param rotaryPct         {@code rotary_pct}: the share of each head that rotary rotates (default 0.25)
     * @param parallelResidual  {@code use_parallel_residual}: x + attn(ln1(x)) + mlp(ln2(x)) (default true), else
     *                          x' = x + attn(ln1(x)), x' + mlp(ln2(x'))
     */
    public record NeoxSettings(double rotaryPct, boolean parallelResidual) implements ModelConfig.FamilySettings {
        /** HF's {@code rotary_ndims = int(head_size * rotary_pct)} (GPTNeoXAttention.__init__). */
        public int rotaryDim(int headDim) {
            return (int) (headDim * rotaryPct);
        }
    }

    private NeoxFamily() {
    }

    @Override
    public String modelType() {
        return "gpt_neox";
    }

    @Override
    public String hfArchitecture() {
        return "GPTNeoXForCausalLM";
    }

    @Override
    public ModelConfig readConfig(ConfigReader r) {
        int d = r.integer("hidden_size", null);
        int heads = r.integer("num_attention_heads", null);
        r.checkHeads("hidden_size", d, "num_attention_heads", heads, heads);
        // HF's ACT2FN: "gelu" is the erf GELU; the tanh approximations are what ForwardPass.mlp computes otherwise.
        String act = r.text("hidden_act", "gelu");
        if (!List.of("gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast").contains(act)) {
            throw r.error("hidden_act '" + act + "' is not supported for GPT-NeoX (supported: gelu, gelu_new, "
                    + "gelu_pytorch_tanh, gelu_fast)");
        }
        JsonNode scaling = r.json().get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw r.error("rope_scaling is not supported for GPT-NeoX");
        }
        // Newer transformers write rope_parameters {rope_theta, partial_rotary_factor} instead of the two fields
        // (configuration_gpt_neox.py@008e574, convert_rope_params_to_dict); either is read.
        ConfigReader rope = r.nested(r.json().path("rope_parameters"));
        if (!rope.text("rope_type", "default").equals("default")) {
            throw r.error("rope_parameters.rope_type '" + rope.text("rope_type", "") + "' is not supported");
        }
        double rotaryPct = r.number("rotary_pct", rope.number("partial_rotary_factor", DEFAULT_ROTARY_PCT));
        NeoxSettings settings = new NeoxSettings(rotaryPct, r.bool("use_parallel_residual", true));
        int rotaryDim = settings.rotaryDim(d / heads);
        // rotate_half splits the rotary dims in halves and cat(freqs, freqs) must fill them: an odd count fails
        // in HF too; none at all would be no positions (our choice: refuse both).
        if (rotaryPct > 1 || rotaryDim < 2 || rotaryDim % 2 != 0) {
            throw r.error("rotary_pct " + rotaryPct + " gives " + rotaryDim + " rotary dimensions of head size "
                    + d / heads + " (need an even number, at least 2, at most the head size)");
        }
        boolean bias = r.bool("attention_bias", true);
        return ModelConfig.builder(this, r.integer("vocab_size", null), d, r.integer("num_hidden_layers", null), heads)
                .intermediateSize(r.integer("intermediate_size", null))
                .maxPositions(r.integer("max_position_embeddings", 2048)).normEps(r.number("layer_norm_eps", 1e-5))
                .activation(act.equals("gelu") ? "gelu" : "gelu_new")
                .ropeTheta(r.number("rotary_emb_base", rope.number("rope_theta", DEFAULT_ROTARY_BASE)))
                .qkvBias(bias).outputBias(bias).tieEmbeddings(r.bool("tie_word_embeddings", false))
                .specialTokens(r.bosTokenId(), r.eosTokenIds()).familySettings(settings).build();
    }

    @Override
    public void writeConfig(ModelConfig c, Map<String, Object> m) {
        NeoxSettings s = settings(c);
        m.put("hidden_size", c.hiddenSize());
        m.put("num_hidden_layers", c.numLayers());
        m.put("num_attention_heads", c.numHeads());
        m.put("intermediate_size", c.intermediateSize());
        m.put("hidden_act", c.activation());
        m.put("max_position_embeddings", c.maxPositions());
        m.put("layer_norm_eps", c.normEps());
        m.put("rotary_pct", s.rotaryPct());
        m.put("rotary_emb_base", c.ropeTheta());
        m.put("use_parallel_residual", s.parallelResidual());
        m.put("attention_bias", c.qkvBias());
        c.writeHeadAndTokens(m);
    }

    static NeoxSettings settings(ModelConfig c) {
        return c.familySettings(NeoxSettings.class);
    }

    @Override
    public int rotaryDim(ModelConfig c) {
        return settings(c).rotaryDim(c.headDim());
    }

    @Override
    public Map<String, String> details(ModelConfig c) {
        NeoxSettings s = settings(c);
        Map<String, String> d = new LinkedHashMap<>();
        d.put("rotary", rotaryDim(c) + " of " + c.headDim() + " head dims (rotary_pct " + s.rotaryPct() + ")");
        d.put("residual", s.parallelResidual() ? "parallel: h + attn(ln1(h)) + mlp(ln2(h))"
                : "sequential: m = h + attn(ln1(h)), m + mlp(ln2(m))");
        return d;
    }

    /** GPTNeoXForCausalLM's state dict order (GPTNeoXLayer registers its norms, then attention, then MLP). */
    @Override
    public Map<String, long[]> parameters(ModelConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.hiddenSize();
        long inner = c.intermediateSize();
        m.put("gpt_neox.embed_in.weight", new long[] {c.vocabSize(), d});
        for (int l = 0; l < c.numLayers(); l++) {
            String p = layerPrefix(l);
            for (String norm : List.of("input_layernorm", "post_attention_layernorm")) {
                m.put(p + norm + ".weight", new long[] {d});
                m.put(p + norm + ".bias", new long[] {d});
            }
            m.put(p + "attention.query_key_value.weight", new long[] {3 * d, d});
            if (c.qkvBias()) {
                m.put(p + "attention.query_key_value.bias", new long[] {3 * d});
            }
            m.put(p + "attention.dense.weight", new long[] {d, d});
            if (c.outputBias()) {
                m.put(p + "attention.dense.bias", new long[] {d});
            }
            m.put(p + "mlp.dense_h_to_4h.weight", new long[] {inner, d});
            m.put(p + "mlp.dense_h_to_4h.bias", new long[] {inner});
            m.put(p + "mlp.dense_4h_to_h.weight", new long[] {d, inner});
            m.put(p + "mlp.dense_4h_to_h.bias", new long[] {d});
        }
        m.put("gpt_neox.final_layer_norm.weight", new long[] {d});
        m.put("gpt_neox.final_layer_norm.bias", new long[] {d});
        if (!c.tieEmbeddings()) {
            m.put(lmHead(), new long[] {c.vocabSize(), d});
        }
        return m;
    }

    @Override
    public String blocksPrefix() {
        return "gpt_neox.layers.";
    }

    /**
     * Buffers older checkpoints hold (the causal mask {@code attention.bias}, {@code attention.masked_bias}, the
     * rotary {@code inv_freq}) are recomputed; a tied {@code embed_out} duplicates {@code embed_in}.
     */
    @Override
    public boolean isIgnorable(ModelConfig c, String key) {
        return key.endsWith(".attention.bias") || key.endsWith(".attention.masked_bias")
                || key.endsWith("rotary_emb.inv_freq") || c.tieEmbeddings() && key.equals(lmHead());
    }

    /**
     * TransformerLens' block (components/transformer_block.py@0c7bbc4): with {@code parallel_attn_mlp} there is
     * no {@code hook_resid_mid}, since no stream lies between attention and MLP; the sequential variant has one.
     */
    @Override
    public List<String> hookNames(ModelConfig c) {
        List<String> names = new ArrayList<>(List.of(HookPoint.EMBED));
        for (int l = 0; l < c.numLayers(); l++) {
            names.add(HookPoint.residPre(l));
            names.addAll(HookPoint.attention(l, true));
            names.add(HookPoint.attnOut(l));
            if (!settings(c).parallelResidual()) {
                names.add(HookPoint.residMid(l));
            }
            names.addAll(List.of(HookPoint.mlpPre(l), HookPoint.mlpPost(l), HookPoint.mlpOut(l),
                    HookPoint.residPost(l)));
        }
        names.add(HookPoint.LN_FINAL);
        return names;
    }

    @Override
    public String mlpActivationHook(int layer) {
        return HookPoint.mlpPost(layer);
    }

    /**
     * PEFT's default for gpt_neox is query_key_value alone (peft {@code src/peft/utils/constants.py}@4cbf6e9,
     * TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING); dense_h_to_4h adds the MLP input, whose GELU output
     * DecPO regularises (our choice, as GPT-2's c_fc and Llama's up_proj).
     */
    @Override
    public List<String> defaultLoraTargets() {
        return List.of("query_key_value", "dense_h_to_4h");
    }

    @Override
    public NDArray embed(ForwardPass f) {
        return f.hook(HookPoint.EMBED, f.embed(f.tokenIds(), tokenEmbedding()));
    }

    /**
     * GPTNeoXLayer.forward: parallel, h + attn(ln1(h)) + mlp(ln2(h)); sequential, m = h + attn(ln1(h)),
     * m + mlp(ln2(m)). HF's dropouts (0 in its configs) are left out.
     */
    @Override
    public NDArray block(ForwardPass f, int l, NDArray h) {
        String p = layerPrefix(l);
        h = f.hook(HookPoint.residPre(l), h);
        NDArray attn = f.hook(HookPoint.attnOut(l), attention(f, p, l, f.layerNorm(h, p + "input_layernorm")));
        if (settings(f.config()).parallelResidual()) {
            return f.hook(HookPoint.residPost(l), h.add(attn).add(mlp(f, p, l, h)));
        }
        NDArray mid = f.hook(HookPoint.residMid(l), h.add(attn));
        return f.hook(HookPoint.residPost(l), mid.add(mlp(f, p, l, mid)));
    }

    /** The MLP sublayer on stream {@code h}: dense_4h_to_h(act(dense_h_to_4h(ln2(h)))), hooked as hook_mlp_out. */
    private NDArray mlp(ForwardPass f, String p, int l, NDArray h) {
        return f.hook(HookPoint.mlpOut(l), f.mlp(l, p + "mlp.dense_h_to_4h", p + "mlp.dense_4h_to_h",
                f.layerNorm(h, p + "post_attention_layernorm")));
    }

    /**
     * The fused projection's output axis is per head [heads, 3, head_dim] (GPTNeoXAttention's
     * {@code _attn_projections_and_rope}: view as [..., heads, 3·head_size], then q, k, v are the thirds of each
     * head), not GPT-2's [3, heads, head_dim].
     */
    private static NDArray attention(ForwardPass f, String p, int l, NDArray x) {
        ModelConfig c = f.config();
        long[] merged = {f.batch(), f.queries(), (long) c.numHeads() * c.headDim()};
        NDList qkv = f.project(x, p + "attention.query_key_value")
                .reshape(f.batch(), f.queries(), c.numHeads(), 3, c.headDim()).split(3, 3);
        return f.rotaryAttention(l, qkv.get(0).reshape(merged), qkv.get(1).reshape(merged), qkv.get(2).reshape(merged),
                p + "attention.dense");
    }

    @Override
    public FinalNormSpec finalNormSpec(ModelConfig c) {
        return new FinalNormSpec(true, "gpt_neox.final_layer_norm.weight", "gpt_neox.final_layer_norm.bias", 0);
    }

    @Override
    public NDArray finalNorm(ForwardPass f, NDArray h) {
        return f.layerNorm(h, "gpt_neox.final_layer_norm");
    }

    @Override
    public String tokenEmbedding() {
        return "gpt_neox.embed_in.weight";
    }

    @Override
    public String lmHead() {
        return "embed_out.weight";
    }

    @Override
    public String toString() {
        return "GPT_NEOX";
    }
}
