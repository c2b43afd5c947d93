package dev.mono4j.model.toy;

import ai.djl.ndarray.NDArray;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.model.ConfigReader;
import dev.mono4j.model.DecoderFamily;
import dev.mono4j.model.ForwardPass;
import dev.mono4j.model.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A toy decoder family written against the public model API only: a parallel-residual block as GPT-J and
 * GPT-NeoX have it, h + attn(ln_attn(h)) + mlp(ln_mlp(h)), with rotary attention, an erf-GELU MLP, LayerNorms
 * and an untied LM head. Its names are its own (model_type "toy-parallel"); nothing in src/main knows it.
 */
final class ParallelBlockFamily implements DecoderFamily {
    static final ParallelBlockFamily TOY = new ParallelBlockFamily();

    private ParallelBlockFamily() {
    }

    @Override
    public String modelType() {
        return "toy-parallel";
    }

    @Override
    public String hfArchitecture() {
        return "ToyParallelForCausalLM";
    }

    @Override
    public ModelConfig readConfig(ConfigReader r) {
        int d = r.integer("hidden_size", null);
        int heads = r.integer("num_heads", null);
        r.checkHeads("hidden_size", d, "num_heads", heads, heads);
        return ModelConfig.builder(this, r.integer("vocab_size", null), d, r.integer("num_layers", null), heads)
                .intermediateSize(r.integer("intermediate_size", null)).activation("gelu")
                .ropeTheta(r.number("rope_theta", 10000.0)).build();
    }

    @Override
    public void writeConfig(ModelConfig c, Map<String, Object> json) {
        json.put("hidden_size", c.hiddenSize());
        json.put("num_layers", c.numLayers());
        json.put("num_heads", c.numHeads());
        json.put("intermediate_size", c.intermediateSize());
        json.put("rope_theta", c.ropeTheta());
    }

    @Override
    public Map<String, long[]> parameters(ModelConfig c) {
        long d = c.hiddenSize();
        long inner = c.intermediateSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("toy.embed.weight", new long[] {c.vocabSize(), d});
        for (int l = 0; l < c.numLayers(); l++) {
            String p = layerPrefix(l);
            for (String norm : List.of("ln_attn", "ln_mlp")) {
                m.put(p + norm + ".weight", new long[] {d});
                m.put(p + norm + ".bias", new long[] {d});
            }
            for (String proj : List.of("attn.q", "attn.k", "attn.v", "attn.out")) {
                m.put(p + proj + ".weight", new long[] {d, d});
            }
            m.put(p + "mlp.fc_in.weight", new long[] {inner, d});
            m.put(p + "mlp.fc_in.bias", new long[] {inner});
            m.put(p + "mlp.fc_out.weight", new long[] {d, inner});
            m.put(p + "mlp.fc_out.bias", new long[] {d});
        }
        m.put("toy.ln_f.weight", new long[] {d});
        m.put("toy.ln_f.bias", new long[] {d});
        m.put("lm_head.weight", new long[] {c.vocabSize(), d});
        return m;
    }

    @Override
    public String blocksPrefix() {
        return "toy.layers.";
    }

    /** No hook_resid_mid: a parallel block has no stream between its two sublayers. */
    @Override
    public List<String> hookNames(ModelConfig c) {
        List<String> names = new ArrayList<>(List.of(HookPoint.EMBED));
        for (int l = 0; l < c.numLayers(); l++) {
            names.add(HookPoint.residPre(l));
            names.addAll(HookPoint.attention(l, true));
            names.addAll(List.of(HookPoint.attnOut(l), HookPoint.mlpPre(l), HookPoint.mlpPost(l),
                    HookPoint.mlpOut(l), HookPoint.residPost(l)));
        }
        names.add(HookPoint.LN_FINAL);
        return names;
    }

    @Override
    public String mlpActivationHook(int layer) {
        return HookPoint.mlpPost(layer);
    }

    @Override
    public List<String> defaultLoraTargets() {
        return List.of("q", "v");
    }

    @Override
    public NDArray embed(ForwardPass f) {
        return f.hook(HookPoint.EMBED, f.embed(f.tokenIds(), "toy.embed.weight"));
    }

    @Override
    public NDArray block(ForwardPass f, int l, NDArray h) {
        String p = layerPrefix(l);
        h = f.hook(HookPoint.residPre(l), h);
        NDArray x = f.layerNorm(h, p + "ln_attn");
        NDArray attn = f.hook(HookPoint.attnOut(l), f.rotaryAttention(l, f.project(x, p + "attn.q"),
                f.project(x, p + "attn.k"), f.project(x, p + "attn.v"), p + "attn.out"));
        NDArray mlp = f.hook(HookPoint.mlpOut(l), f.mlp(l, p + "mlp.fc_in", p + "mlp.fc_out",
                f.layerNorm(h, p + "ln_mlp")));
        return f.hook(HookPoint.residPost(l), h.add(attn).add(mlp));
    }

    @Override
    public FinalNormSpec finalNormSpec(ModelConfig c) {
        return new FinalNormSpec(true, "toy.ln_f.weight", "toy.ln_f.bias", 0);
    }

    @Override
    public NDArray finalNorm(ForwardPass f, NDArray h) {
        return f.layerNorm(h, "toy.ln_f");
    }

    @Override
    public String tokenEmbedding() {
        return "toy.embed.weight";
    }
}
