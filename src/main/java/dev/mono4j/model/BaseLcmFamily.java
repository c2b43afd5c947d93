package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import dev.mono4j.hooks.HookPoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Base-LCM's body (facebookresearch/large_concept_model@fd7db80 {@code lcm/models/base_lcm/builder.py},
 * {@code frontend.py}): a pre-net {@code Linear(concept_dim → d)} (optionally scaled by √d, off by default as
 * theirs), Llama's causal blocks (RMSNorm, rotary attention, SwiGLU: their {@code base_lcm_1_6B} uses these), a
 * final RMSNorm and a post-net {@code Linear(d → concept_dim)} without activation. The Two-Tower diffusion LCM's
 * contextualizer is the same body without the post-net ({@code postnet=false}: it outputs the d-wide states the
 * denoiser cross-attends to). Hook points are Llama's; {@code hook_embed} is the pre-net's output.
 */
public final class BaseLcmFamily implements ConceptFamily {
    public static final BaseLcmFamily BASE_LCM = new BaseLcmFamily();

    /**
     * The fields of its config.json that Llama's do not cover.
     *
     * @param conceptDim      the sentence embeddings' width (the encoder's)
     * @param scaleEmbeddings the pre-net's output times √d ({@code scale_embeddings}, theirs: off by default)
     * @param postnet         whether a post-net maps back to {@code conceptDim} (Base-LCM) or the hidden states are
     *                        the output (the Two-Tower's contextualizer)
     */
    public record Settings(int conceptDim, boolean scaleEmbeddings, boolean postnet)
            implements ModelConfig.FamilySettings {
    }

    private BaseLcmFamily() {
    }

    /**
     * A body of width {@code d}: {@code heads} heads, FFN 4·d (theirs: {@code ffn_inner_dim=4 * model_dim}),
     * RMSNorm eps 1e-5 (our choice: fairseq2's RMSNorm default), RoPE θ 10000 (fairseq2's default), an output-projection bias (theirs:
     * {@code mha_output_proj_bias=True}), positions up to {@code maxPositions}.
     */
    public static ModelConfig config(int conceptDim, int d, int layers, int heads, int maxPositions, boolean postnet) {
        return ModelConfig.builder(BASE_LCM, 0, d, layers, heads).intermediateSize(4 * d).maxPositions(maxPositions)
                .normEps(1e-5).ropeTheta(10000).activation("silu").outputBias(true).tieEmbeddings(true)
                .familySettings(new Settings(conceptDim, false, postnet)).build();
    }

    static Settings settings(ModelConfig c) {
        return c.familySettings(Settings.class);
    }

    @Override
    public String modelType() {
        return "mono4j_base_lcm";
    }

    @Override
    public String hfArchitecture() {
        return "Mono4jBaseLcm";
    }

    @Override
    public ModelConfig readConfig(ConfigReader r) {
        Settings s = new Settings(r.integer("concept_dim", null), r.bool("scale_embeddings", false),
                r.bool("postnet", true));
        if (s.conceptDim() < 1) {
            throw r.error("concept_dim must be positive");
        }
        return LlamaFamily.attentionConfig(r, this, 2048, 1e-5).intermediateSize(r.integer("intermediate_size", null))
                .activation("silu").outputBias(r.bool("o_proj_bias", true)).tieEmbeddings(true).familySettings(s)
                .build();
    }

    @Override
    public void writeConfig(ModelConfig c, Map<String, Object> m) {
        LlamaFamily.writeAttentionConfig(c, m);
        m.put("intermediate_size", c.intermediateSize());
        m.put("o_proj_bias", c.outputBias());
        Settings s = settings(c);
        m.put("concept_dim", s.conceptDim());
        m.put("scale_embeddings", s.scaleEmbeddings());
        m.put("postnet", s.postnet());
    }

    /** The pre-net, Llama's blocks and final norm (without its token embedding and head), the post-net. */
    @Override
    public Map<String, long[]> parameters(ModelConfig c) {
        long d = c.hiddenSize();
        long dim = settings(c).conceptDim();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("prenet.weight", new long[] {d, dim});
        m.put("prenet.bias", new long[] {d});
        m.putAll(LlamaFamily.LLAMA.parameters(c));
        m.remove("model.embed_tokens.weight");
        if (settings(c).postnet()) {
            m.put("postnet.weight", new long[] {dim, d});
            m.put("postnet.bias", new long[] {dim});
        }
        return m;
    }

    @Override
    public String blocksPrefix() {
        return LlamaFamily.LLAMA.blocksPrefix();
    }

    @Override
    public List<String> hookNames(ModelConfig c) {
        return LlamaFamily.LLAMA.hookNames(c);
    }

    @Override
    public String mlpActivationHook(int layer) {
        return LlamaFamily.LLAMA.mlpActivationHook(layer);
    }

    @Override
    public List<String> defaultLoraTargets() {
        return LlamaFamily.LLAMA.defaultLoraTargets();
    }

    @Override
    public int inputWidth(ModelConfig c) {
        return settings(c).conceptDim();
    }

    @Override
    public int outputWidth(ModelConfig c) {
        return settings(c).postnet() ? settings(c).conceptDim() : c.hiddenSize();
    }

    /** The pre-net (their {@code frontend.py}: Linear, then × √d only when {@code scale_embeddings}). */
    @Override
    public NDArray embed(ForwardPass f) {
        NDArray x = f.project(f.inputs(), "prenet");
        if (settings(f.config()).scaleEmbeddings()) {
            x = x.mul(f.scalar(Math.sqrt(f.config().hiddenSize())));
        }
        return f.hook(HookPoint.EMBED, x);
    }

    /** Llama's block: pre-RMSNorm, rotary attention, SwiGLU. */
    @Override
    public NDArray block(ForwardPass f, int layer, NDArray h) {
        return LlamaFamily.LLAMA.block(f, layer, h);
    }

    /** The final RMSNorm ({@code ln_final.hook_normalized}), then the post-net where there is one. */
    @Override
    public NDArray output(ForwardPass f, NDArray h) {
        NDArray x = f.hook(HookPoint.LN_FINAL, f.rmsNorm(h, "model.norm"));
        return settings(f.config()).postnet() ? f.project(x, "postnet") : x;
    }
}
