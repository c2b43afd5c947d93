package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mono4j.hooks.HookPoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 (Radford et al. 2019; HF {@code GPT2LMHeadModel}): learned positions, pre-LN blocks with LayerNorm,
 * a fused q/k/v projection, a tanh (or erf) GELU MLP and, by default, an LM head tied to the token embedding.
 * Weights are Conv1D, stored {@code [in, out]}, under {@code transformer.*} (files saved from GPT2Model drop
 * that prefix).
 */
public final class Gpt2Family implements DecoderFamily {
    public static final Gpt2Family GPT2 = new Gpt2Family();

    private static final String PREFIX = "transformer.";

    private Gpt2Family() {
    }

    @Override
    public String modelType() {
        return "gpt2";
    }

    @Override
    public String hfArchitecture() {
        return "GPT2LMHeadModel";
    }

    @Override
    public ModelConfig readConfig(ConfigReader r) {
        int d = r.integer("n_embd", null);
        int heads = r.integer("n_head", null);
        String act = r.text("activation_function", "gelu_new");
        if (!List.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu").contains(act)) {
            throw r.error("activation_function '" + act + "' is not supported for GPT-2");
        }
        // Attention-scaling variants (stanford-crfm checkpoints) that this implementation does not have.
        if (r.bool("scale_attn_by_inverse_layer_idx", false) || !r.bool("scale_attn_weights", true)) {
            throw r.error("scale_attn_by_inverse_layer_idx=true and scale_attn_weights=false are not supported");
        }
        r.checkHeads("n_embd", d, "n_head", heads, heads);
        return ModelConfig.builder(this, r.integer("vocab_size", null), d, r.integer("n_layer", null), heads)
                .intermediateSize(r.integer("n_inner", 4 * d)).maxPositions(r.integer("n_positions", 1024))
                .normEps(r.number("layer_norm_epsilon", 1e-5)).activation(act.equals("gelu") ? "gelu" : "gelu_new")
                .tieEmbeddings(r.bool("tie_word_embeddings", true)).specialTokens(r.bosTokenId(), r.eosTokenIds())
                .build();
    }

    @Override
    public void writeConfig(ModelConfig c, Map<String, Object> m) {
        m.put("n_embd", c.hiddenSize());
        m.put("n_layer", c.numLayers());
        m.put("n_head", c.numHeads());
        m.put("n_inner", c.intermediateSize());
        m.put("n_positions", c.maxPositions());
        m.put("n_ctx", c.maxPositions());
        m.put("activation_function", c.activation());
        m.put("layer_norm_epsilon", c.normEps());
        c.writeHeadAndTokens(m);
    }

    @Override
    public Map<String, long[]> parameters(ModelConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.hiddenSize();
        long inner = c.intermediateSize();
        m.put("transformer.wte.weight", new long[] {c.vocabSize(), d});
        m.put("transformer.wpe.weight", new long[] {c.maxPositions(), d});
        for (int l = 0; l < c.numLayers(); l++) {
            String p = layerPrefix(l);
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
        if (!c.tieEmbeddings()) {
            m.put("lm_head.weight", new long[] {c.vocabSize(), d});
        }
        return m;
    }

    @Override
    public String blocksPrefix() {
        return "transformer.h.";
    }

    @Override
    public boolean conv1dWeights() {
        return true;
    }

    /** HF's causal-mask buffers ({@code attn.bias}, {@code attn.masked_bias}) are recomputed, not loaded. */
    @Override
    public boolean isIgnorable(ModelConfig c, String key) {
        return key.endsWith(".attn.bias") || key.endsWith(".attn.masked_bias") || DecoderFamily.super.isIgnorable(c, key);
    }

    /** Files saved from GPT2Model (not GPT2LMHeadModel) drop "transformer.". */
    @Override
    public List<String> fileKeys(String canonical) {
        return canonical.startsWith(PREFIX) ? List.of(canonical, canonical.substring(PREFIX.length()))
                : List.of(canonical);
    }

    @Override
    public String positionLimitField() {
        return "n_positions";
    }

    @Override
    public boolean learnedPositions() {
        return true;
    }

    @Override
    public List<String> hookNames(ModelConfig c) {
        return HookPoint.all(c.numLayers(), true, false, false, true);
    }

    @Override
    public String mlpActivationHook(int layer) {
        return HookPoint.mlpPost(layer);
    }

    /** PEFT's default for GPT-2 is c_attn alone; c_fc adds the MLP input, whose output DecPO regularises. */
    @Override
    public List<String> defaultLoraTargets() {
        return List.of("c_attn", "c_fc");
    }

    @Override
    public NDArray embed(ForwardPass f) {
        NDArray h = f.hook(HookPoint.EMBED, f.embed(f.tokenIds(), "transformer.wte.weight"));
        return h.add(f.hook(HookPoint.POS_EMBED, f.embed(f.positionIds(), "transformer.wpe.weight")));
    }

    /** Pre-LN: each sublayer reads the normalised stream and adds its output to it. */
    @Override
    public NDArray block(ForwardPass f, int l, NDArray h) {
        String p = layerPrefix(l);
        h = f.hook(HookPoint.residPre(l), h);
        NDList qkv = f.project(f.layerNorm(h, p + "ln_1"), p + "attn.c_attn").split(3, 2);
        NDArray attn = f.attention(l, qkv.get(0), qkv.get(1), qkv.get(2), p + "attn.c_proj");
        h = f.hook(HookPoint.residMid(l), h.add(f.hook(HookPoint.attnOut(l), attn)));
        NDArray mlp = f.mlp(l, p + "mlp.c_fc", p + "mlp.c_proj", f.layerNorm(h, p + "ln_2"));
        return f.hook(HookPoint.residPost(l), h.add(f.hook(HookPoint.mlpOut(l), mlp)));
    }

    @Override
    public FinalNormSpec finalNormSpec(ModelConfig c) {
        return new FinalNormSpec(true, "transformer.ln_f.weight", "transformer.ln_f.bias", 0);
    }

    @Override
    public NDArray finalNorm(ForwardPass f, NDArray h) {
        return f.layerNorm(h, "transformer.ln_f");
    }

    @Override
    public String tokenEmbedding() {
        return "transformer.wte.weight";
    }

    @Override
    public String toString() {
        return "GPT2";
    }
}
