package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.mono4j.UserInputException;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.model.WorkspaceSettings.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Llama-style decoder whose blocks replace self-attention by a shared global workspace (Goyal et al., "Coordination
 * Among Neural Modules Through a Shared Global Workspace", arXiv 2103.01197), model_type "mono4j_workspace" (no
 * Hugging Face class runs it). Sources: [C] anirudh9119/shared_workspace@caf1798,
 * {@code Triangle/transformer_utilities/relational_memory_volatile.py} (cited by line), {@code multihead_attention.py}
 * and {@code Triangle/transformers.py}; the fact sheet {@code /work/shared/papers/workspace.md} §2. The formulas, the
 * causal adaptation and the tie order are in {@code docs/workspace.md}.
 *
 * <p>Each block is pre-norm (RMSNorm) as Llama's, with Llama's SwiGLU MLP; its attention half is, for a hard or soft
 * workspace: X′ = W_in x; <b>write</b>: per head, slots query the tokens, A = softmax(Q Kᵀ) <i>without</i> the 1/√d
 * scale ([C] L227–236), hard: only each slot's and head's top-k tokens kept, not renormalised ([C] L240–244);
 * M̃ = LN(M + A V), M̃ = LN(M̃ + ReLU(W M̃ + b)) ([C] L391–402, one MLP layer: {@code multihead_attention.py} L135);
 * <b>gated update</b> ([C] L329–381, L442–447): [i; f] = GroupLinear(tanh M) + Linear(mean_t ReLU(w ⊙ X′)),
 * M′ = σ(i + b_i) ⊙ tanh(M̃) + σ(f + b_f) ⊙ M; <b>broadcast</b> ([C] L452): tokens query the slots with the same
 * projections, softmax over slots, no top-k, no output projection ({@code multihead_attention.py} L607 returns it
 * as the attention output). The memory starts as the identity padded with zeros ([C] L199–212), reset every pass.
 *
 * <p><b>Causal</b> (our adaptation: the authors' tasks are not autoregressive, while {@code pretrain} predicts every
 * next token): the memory is a state per position; position t's slots write from the tokens ≤ t only (top-k among
 * them, k capped by their number), the gate's mean over tokens is the mean over tokens ≤ t, and position t's token
 * reads its own M_t. With {@code share_layers}, one block's weights serve every layer and layer l + 1 starts from
 * the memory layer l left ([C] {@code transformers.py} L160–173). Generation recomputes every position (no KV cache).
 *
 * <p>Without a workspace the block keeps Llama's rotary self-attention, optionally top-k sparse (STR,
 * {@link ModelFamily#attentionTopk}).
 */
public final class WorkspaceFamily implements DecoderFamily {
    public static final WorkspaceFamily WORKSPACE = new WorkspaceFamily();

    /** PyTorch's nn.LayerNorm default, which the write's two LayerNorms keep ([C] L134, L136). */
    static final float LAYER_NORM_EPS = 1e-5f;
    /** Added to the write scores of tokens a position may not write from (after it, or padding). */
    private static final float NOT_WRITABLE = -1e9f;
    private static final String MEMORY = "workspace.memory";

    private WorkspaceFamily() {
    }

    @Override
    public String modelType() {
        return "mono4j_workspace";
    }

    @Override
    public String hfArchitecture() {
        return "Mono4jWorkspaceForCausalLM";
    }

    /** The settings of a workspace config. */
    public static WorkspaceSettings settings(ModelConfig c) {
        return c.familySettings(WorkspaceSettings.class);
    }

    /** A workspace model with Llama's defaults elsewhere (RMSNorm eps 1e-6, rotary θ 10,000, SwiGLU, no biases). */
    public static ModelConfig config(int vocab, int hidden, int layers, int heads, int intermediate, int maxPositions,
            boolean tied, WorkspaceSettings s) {
        return ModelConfig.builder(WORKSPACE, vocab, hidden, layers, heads).intermediateSize(intermediate)
                .maxPositions(maxPositions).normEps(1e-6).activation("silu").ropeTheta(10000.0).tieEmbeddings(tied)
                .familySettings(s).specialTokens(1, List.of(2L)).build();
    }

    @Override
    public ModelConfig readConfig(ConfigReader r) {
        String act = r.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw r.error("hidden_act '" + act + "' is not supported (expected silu)");
        }
        String name = r.text("workspace", Workspace.HARD.configName());
        Workspace w = java.util.Arrays.stream(Workspace.values()).filter(v -> v.configName().equals(name)).findFirst()
                .orElseThrow(() -> r.error("workspace '" + name + "' is not supported (hard, soft, none)"));
        WorkspaceSettings s;
        try {
            s = new WorkspaceSettings(w, r.integer("workspace_slots", WorkspaceSettings.DEFAULT_SLOTS),
                    r.integer("workspace_topk", WorkspaceSettings.DEFAULT_WRITE_TOPK),
                    r.integer("workspace_key_size", WorkspaceSettings.DEFAULT_KEY_SIZE),
                    r.integer("attention_topk", WorkspaceSettings.DEFAULT_ATTENTION_TOPK),
                    r.bool("share_layers", WorkspaceSettings.DEFAULT_SHARE_LAYERS));
        } catch (IllegalArgumentException e) {
            throw r.error(e.getMessage());
        }
        ModelConfig c = LlamaFamily.attentionConfig(r, this, 2048, 1e-6)
                .intermediateSize(r.integer("intermediate_size", null)).activation(act).familySettings(s).build();
        if (w != Workspace.NONE && c.numHeads() * c.headDim() != c.hiddenSize()) {
            // The slots are hidden_size wide and the broadcast's heads, head_dim each, are concatenated into it.
            throw r.error("a workspace needs num_attention_heads x head_dim = hidden_size, got " + c.numHeads() + " x "
                    + c.headDim() + " != " + c.hiddenSize());
        }
        return c;
    }

    @Override
    public void writeConfig(ModelConfig c, Map<String, Object> m) {
        WorkspaceSettings s = settings(c);
        LlamaFamily.writeAttentionConfig(c, m);
        m.put("intermediate_size", c.intermediateSize());
        m.put("hidden_act", c.activation());
        m.put("workspace", s.workspace().configName());
        m.put("workspace_slots", s.slots());
        m.put("workspace_topk", s.writeTopk());
        m.put("workspace_key_size", s.keySize());
        m.put("attention_topk", s.attentionTopk());
        m.put("share_layers", s.shareLayers());
        c.writeHeadAndTokens(m);
    }

    /**
     * One block's weights per layer, or one for all with {@code share_layers}; the workspace's under the authors'
     * names ([C] L118–161), PyTorch Linear weights {@code [out, in]} with biases (nn.Linear's default), the
     * GroupLinearLayer's {@code [slots, in, out]} as the authors store it ({@code GroupLinearLayer.py}).
     */
    @Override
    public Map<String, long[]> parameters(ModelConfig c) {
        WorkspaceSettings s = settings(c);
        long d = c.hiddenSize();
        long keys = (long) c.numHeads() * s.keySize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("model.embed_tokens.weight", new long[] {c.vocabSize(), d});
        for (int l = 0; l < (s.shareLayers() ? 1 : c.numLayers()); l++) {
            String p = layerPrefix(l);
            m.put(p + "input_layernorm.weight", new long[] {d});
            if (s.workspace() == Workspace.NONE) {
                LlamaFamily.attentionParameters(c, p, m);
            } else {
                String w = p + "workspace.";
                linear(m, w + "input_projector", d, d);
                linear(m, w + "query_proj", keys, d);
                linear(m, w + "key_proj", keys, d);
                linear(m, w + "value_proj", d, d);
                linear(m, w + "attention_mlp", d, d);
                for (String norm : List.of("attended_memory_layernorm", "attended_memory_layernorm2")) {
                    m.put(w + norm + ".weight", new long[] {d});
                    m.put(w + norm + ".bias", new long[] {d});
                }
                m.put(w + "input_gate_projector.w", new long[] {d});
                linear(m, w + "input_gate_projector.linear", 2 * d, d);
                m.put(w + "memory_gate_projector.weight", new long[] {s.slots(), d, 2 * d});
                m.put(w + "memory_gate_projector.bias", new long[] {s.slots(), 2 * d});
                m.put(w + "forget_bias", new long[] {1});
                m.put(w + "input_bias", new long[] {1});
            }
            m.put(p + "post_attention_layernorm.weight", new long[] {d});
            LlamaFamily.mlpParameters(c, p, m);
        }
        m.put("model.norm.weight", new long[] {d});
        if (!c.tieEmbeddings()) {
            m.put("lm_head.weight", new long[] {c.vocabSize(), d});
        }
        return m;
    }

    private static void linear(Map<String, long[]> m, String module, long out, long in) {
        m.put(module + ".weight", new long[] {out, in});
        m.put(module + ".bias", new long[] {out});
    }

    /** The gate biases start as the authors' {@code forget_bias=1}, {@code input_bias=0} ([C] L160–161). */
    @Override
    public Float initialValue(String key) {
        if (key.endsWith("workspace.forget_bias")) {
            return 1f;
        }
        return key.endsWith("workspace.input_bias") ? 0f : null;
    }

    @Override
    public Map<String, String> details(ModelConfig c) {
        WorkspaceSettings s = settings(c);
        String block = switch (s.workspace()) {
            case HARD -> String.format("hard workspace: %d slots, top-%d tokens per slot and head, key size %d",
                    s.slots(), s.writeTopk(), s.keySize());
            case SOFT -> String.format("soft workspace: %d slots, key size %d", s.slots(), s.keySize());
            case NONE -> s.attentionTopk() == 0 ? "self-attention"
                    : "top-" + s.attentionTopk() + " sparse self-attention (STR)";
        };
        return Map.of("workspace", block + (s.shareLayers() ? ", one block shared by every layer" : ""));
    }

    @Override
    public String blocksPrefix() {
        return LlamaFamily.LLAMA.blocksPrefix();
    }

    @Override
    public boolean isIgnorable(ModelConfig c, String key) {
        return LlamaFamily.LLAMA.isIgnorable(c, key);
    }

    @Override
    public int attentionTopk(ModelConfig c) {
        return settings(c).attentionTopk();
    }

    @Override
    public List<String> hookNames(ModelConfig c) {
        if (settings(c).workspace() == Workspace.NONE) {
            return LlamaFamily.LLAMA.hookNames(c);
        }
        List<String> names = new ArrayList<>();
        names.add(HookPoint.EMBED);
        for (int l = 0; l < c.numLayers(); l++) {
            names.addAll(List.of(HookPoint.residPre(l), HookPoint.workspaceWritePattern(l),
                    HookPoint.workspaceSlots(l), HookPoint.workspaceReadPattern(l), HookPoint.attnOut(l),
                    HookPoint.residMid(l), HookPoint.mlpPre(l), HookPoint.mlpPreLinear(l), HookPoint.mlpPost(l),
                    HookPoint.mlpOut(l), HookPoint.residPost(l)));
        }
        names.add(HookPoint.LN_FINAL);
        return names;
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
    public NDArray embed(ForwardPass f) {
        return LlamaFamily.LLAMA.embed(f);
    }

    @Override
    public NDArray block(ForwardPass f, int l, NDArray h) {
        WorkspaceSettings s = settings(f.config());
        String p = layerPrefix(s.shareLayers() ? 0 : l);
        if (s.workspace() == Workspace.NONE) {
            return LlamaFamily.mlp(f, p, l, LlamaFamily.attention(f, p, l, h));
        }
        if (f.cached()) {
            throw new UserInputException("a workspace model recomputes its memory at every position and keeps no KV"
                    + " cache: generate with --no-cache");
        }
        h = f.hook(HookPoint.residPre(l), h);
        NDArray out = workspace(f, s, p + "workspace.", l, f.rmsNorm(h, p + "input_layernorm"));
        h = f.hook(HookPoint.residMid(l), h.add(f.hook(HookPoint.attnOut(l), out)));
        return LlamaFamily.mlp(f, p, l, h);
    }

    /** The workspace's write, gated update and broadcast over the normalised block input x {@code [B, T, d]}. */
    private static NDArray workspace(ForwardPass f, WorkspaceSettings s, String w, int l, NDArray x) {
        ModelConfig c = f.config();
        int batch = f.batch();
        int tokens = f.queries();
        int slots = s.slots();
        int heads = c.numHeads();
        int keySize = s.keySize();
        int headDim = c.headDim();
        int d = c.hiddenSize();
        NDArray input = f.project(x, w + "input_projector");
        NDArray memory = s.shareLayers() && l > 0 ? (NDArray) f.carried(MEMORY) : initialMemory(f, slots, d);

        // Write: at position t, slot i's query over the tokens ≤ t, [B, head, pos, slot, token].
        NDArray query = f.project(memory, w + "query_proj").reshape(batch, tokens, slots, heads, keySize)
                .transpose(0, 3, 1, 2, 4);
        NDArray key = f.project(input, w + "key_proj").reshape(batch, tokens, heads, keySize).transpose(0, 2, 3, 1)
                .expandDims(2);
        NDArray value = f.project(input, w + "value_proj").reshape(batch, tokens, heads, headDim)
                .transpose(0, 2, 1, 3).expandDims(2);
        NDArray writable = writableTokens(f);
        NDArray scores = query.matMul(key).add(writable.sub(f.scalar(1)).mul(f.scalar(-NOT_WRITABLE))); // no 1/√d ([C] L234)
        NDArray pattern = scores.softmax(-1).mul(writable);
        if (s.workspace() == Workspace.HARD) {
            pattern = ForwardPass.keepTopk(pattern, s.writeTopk());
        }
        String writeHook = HookPoint.workspaceWritePattern(l);
        if (f.hooked(writeHook)) {
            pattern = f.hook(writeHook, pattern.transpose(0, 2, 1, 3, 4)).transpose(0, 2, 1, 3, 4);
        }
        NDArray written = pattern.matMul(value).transpose(0, 2, 3, 1, 4).reshape(batch, tokens, slots, d);
        NDArray attended = layerNorm(f, memory.add(written), w + "attended_memory_layernorm");
        attended = layerNorm(f, attended.add(Activation.relu(f.project(attended, w + "attention_mlp"))),
                w + "attended_memory_layernorm2");

        // Gated update: the input's mean over the real tokens ≤ t, the old memory through one Linear per slot.
        NDArray real = f.realTokens().expandDims(-1);
        NDArray activity = Activation.relu(input.mul(f.param(w + "input_gate_projector.w"))).mul(real);
        NDArray meanSoFar = activity.cumSum(1).div(real.cumSum(1).maximum(f.scalar(1)));
        NDArray gates = slotLinear(memory.tanh(), f.param(w + "memory_gate_projector.weight"))
                .add(f.param(w + "memory_gate_projector.bias"))
                .add(f.project(meanSoFar, w + "input_gate_projector.linear").expandDims(2));
        NDArray inputGate = Activation.sigmoid(gates.get(new NDIndex("..., :" + d)).add(f.param(w + "input_bias")));
        NDArray forgetGate = Activation.sigmoid(gates.get(new NDIndex("..., " + d + ":")).add(f.param(w + "forget_bias")));
        NDArray next = f.hook(HookPoint.workspaceSlots(l), inputGate.mul(attended.tanh()).add(forgetGate.mul(memory)));
        if (s.shareLayers()) {
            f.carry(MEMORY, next);
        }

        // Broadcast: token t's query over its own position's slots, same projections, [B, head, pos, 1, slot].
        NDArray readQuery = f.project(input, w + "query_proj").reshape(batch, tokens, heads, 1, keySize)
                .transpose(0, 2, 1, 3, 4);
        NDArray slotKeys = f.project(next, w + "key_proj").reshape(batch, tokens, slots, heads, keySize)
                .transpose(0, 3, 1, 4, 2);
        NDArray slotValues = f.project(next, w + "value_proj").reshape(batch, tokens, slots, heads, headDim)
                .transpose(0, 3, 1, 2, 4);
        NDArray read = readQuery.matMul(slotKeys).softmax(-1);
        String readHook = HookPoint.workspaceReadPattern(l);
        if (f.hooked(readHook)) {
            read = f.hook(readHook, read.squeeze(3).transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3).expandDims(3);
        }
        return read.matMul(slotValues).squeeze(3).transpose(0, 2, 1, 3).reshape(batch, tokens, d);
    }

    /** The identity padded with zeros (truncated when slots > d), at every position ([C] L199–212). */
    private static NDArray initialMemory(ForwardPass f, int slots, int d) {
        float[] eye = new float[slots * d];
        for (int i = 0; i < Math.min(slots, d); i++) {
            eye[i * d + i] = 1;
        }
        return f.step().create(eye, new Shape(1, 1, slots, d)).broadcast(new Shape(f.batch(), f.queries(), slots, d));
    }

    /** 1 where position t may write from token j (j ≤ t, j real), else 0: {@code [B, 1, pos, 1, token]}. */
    private static NDArray writableTokens(ForwardPass f) {
        int batch = f.batch();
        int tokens = f.queries();
        float[] real = f.realTokens().toFloatArray();
        float[] writable = new float[batch * tokens * tokens];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                for (int j = 0; j <= t; j++) {
                    writable[(b * tokens + t) * tokens + j] = real[b * tokens + j];
                }
            }
        }
        return f.step().create(writable, new Shape(batch, 1, tokens, 1, tokens));
    }

    /** The authors' GroupLinearLayer without its bias: slot i's row times its own {@code [in, out]} matrix. */
    private static NDArray slotLinear(NDArray x, NDArray weight) {
        Shape s = x.getShape();
        long slots = s.get(2);
        NDArray y = x.transpose(2, 0, 1, 3).reshape(slots, s.get(0) * s.get(1), s.get(3)).matMul(weight);
        return y.reshape(slots, s.get(0), s.get(1), weight.getShape().get(2)).transpose(1, 2, 0, 3);
    }

    private static NDArray layerNorm(ForwardPass f, NDArray x, String key) {
        return x.getNDArrayInternal().layerNorm(x, new Shape(x.getShape().getLastDimension()), f.param(key + ".weight"),
                f.param(key + ".bias"), LAYER_NORM_EPS).singletonOrThrow();
    }

    @Override
    public FinalNormSpec finalNormSpec(ModelConfig c) {
        return LlamaFamily.LLAMA.finalNormSpec(c);
    }

    @Override
    public NDArray finalNorm(ForwardPass f, NDArray h) {
        return LlamaFamily.LLAMA.finalNorm(f, h);
    }

    @Override
    public String tokenEmbedding() {
        return LlamaFamily.LLAMA.tokenEmbedding();
    }
}
