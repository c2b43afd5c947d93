package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A transformer in F32: the decoders GPT-2 and the Llama family (Llama, Qwen2, Mistral), and the BERT
 * encoder, written as plain tensor operations over Hugging Face weights so that every hook point is visible
 * and autograd flows through all of them. Families differ in a few visible places: the norm, positions
 * (learned vs. rotary), q/k/v projection, the MLP, and for BERT the embedding LayerNorm, the norm placement
 * in {@link #block} (post-LN), attention without the causal mask, and the output (no LM head).
 *
 * <p><b>NDManager discipline.</b> The weights live in {@link #manager()} for the model's lifetime. In DJL
 * the result of an operation belongs to the manager of its <em>first operand</em>, so every operation in
 * the forward pass is written with an activation first ({@code x.matMul(w)}, never {@code w.matMul(x)}):
 * all intermediates then land in the caller's per-step manager and are freed when it closes. An operation
 * on a weight alone (e.g. {@code w.transpose()}) would leak one array into the model's manager per call.
 *
 * <p><b>No {@code Number} arguments under autograd.</b> DJL's {@code x.mul(2.0)} wraps the number in a
 * tensor over a Java direct buffer and closes it right after the call, but autograd keeps that tensor
 * for the backward pass; once the garbage collector frees the buffer, backward reads freed memory (we saw
 * NaN losses under GC pressure). Constants are therefore torch-owned tensors made by {@link Ctx#scalar}.
 */
public final class TransformerLM implements AutoCloseable {
    /** Added to attention scores of masked keys; finite so an all-padding query row stays NaN-free. */
    private static final float MASKED = -1e9f;

    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    private final double[] invFreq;
    private final NDIndex firstHalf;
    private final NDIndex secondHalf;
    /** LoRA adapters the projections add, or null. */
    private LoraAdapters adapters;

    TransformerLM(ModelConfig config, NDManager manager, Map<String, NDArray> params) {
        this.config = config;
        this.manager = manager;
        this.params = Collections.unmodifiableMap(params);
        int half = config.headDim() / 2;
        this.firstHalf = new NDIndex("..., :" + half);
        this.secondHalf = new NDIndex("..., " + half + ":");
        if (config.architecture().isGpt2()) {
            this.invFreq = null;
        } else {
            // HF computes inverse frequencies and angles in float32; rounding the same way keeps cos/sin
            // equal to HF's at long positions (in double they drift by ~1e-3 past 10⁵ tokens).
            double[] f = new double[half];
            for (int i = 0; i < half; i++) {
                f[i] = (float) (1.0 / (float) Math.pow(config.ropeTheta(), (float) (2 * i) / config.headDim()));
            }
            double[] scaled = config.ropeScaling() == null ? f : config.ropeScaling().apply(f);
            this.invFreq = java.util.Arrays.stream(scaled).map(x -> (float) x).toArray();
        }
    }

    /** A model with GPT-2-style initialisation: weights N(0, 0.02), biases 0, norm scales 1. */
    public static TransformerLM random(ModelConfig config, long seed) {
        NDManager m = NDManager.newBaseManager();
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : ParameterLayout.expected(config).entrySet()) {
            String key = e.getKey();
            Shape shape = new Shape(e.getValue());
            boolean isNorm = key.contains("ln_") || key.toLowerCase(java.util.Locale.ROOT).contains("norm");
            float[] v = new float[Math.toIntExact(shape.size())];
            if (isNorm && key.endsWith(".weight")) {
                java.util.Arrays.fill(v, 1f);
            } else if (!key.endsWith(".bias")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (0.02 * rng.nextGaussian());
                }
            }
            try (NDArray view = m.create(v, shape)) {
                params.put(key, view.duplicate());
            }
        }
        return new TransformerLM(config, m, params);
    }

    public ModelConfig config() {
        return config;
    }

    /** The manager that owns the weights; create per-step sub-managers from it. */
    public NDManager manager() {
        return manager;
    }

    /** Weights by Hugging Face key, F32, in checkpoint order. */
    public Map<String, NDArray> parameters() {
        return params;
    }

    public long parameterCount() {
        return params.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    public List<String> hookNames() {
        return config.hookNames();
    }

    /**
     * Logits {@code [B, T, vocab]} for a padded batch, all arrays owned by {@code step}; for an encoder the
     * last hidden state {@code [B, T, hidden]}.
     */
    public NDArray forward(NDManager step, TokenBatch batch, Hooks hooks) {
        return forward(step, batch.ids(), batch.batchSize(), batch.seqLen(), batch.mask(), hooks, null);
    }

    /**
     * The forward pass. {@code ids} holds T new tokens per row; {@code mask} covers the cached and the new
     * positions ({@code B * (cache.length() + T)}). With a cache, keys and values are appended to it. Decoders
     * return logits; an encoder (no cache) returns its last hidden state.
     */
    public NDArray forward(NDManager step, long[] ids, int batchSize, int newTokens, long[] mask, Hooks hooks,
            KvCache cache) {
        Architecture arch = config.architecture();
        if (cache != null && arch.isEncoder()) {
            throw new IllegalArgumentException(arch.hfName + " is an encoder; it has no KV cache");
        }
        int past = cache == null ? 0 : cache.length();
        Ctx c = new Ctx(step, batchSize, newTokens, past + newTokens, hooks);
        if (mask.length != (long) batchSize * c.keys) {
            throw new IllegalArgumentException("mask has " + mask.length + " entries, expected " + batchSize * c.keys);
        }
        long[] positions = positions(mask, batchSize, newTokens, c.keys);
        NDArray idsNd = step.create(checkedIds("", ids, mask, batchSize, newTokens, c.keys), new Shape(batchSize, newTokens));
        NDArray h = c.hook(HookPoint.EMBED, embed(idsNd, switch (arch) {
            case GPT2 -> "transformer.wte.weight";
            case BERT -> "embeddings.word_embeddings.weight";
            default -> "model.embed_tokens.weight";
        }));
        NDArray cos = null;
        NDArray sin = null;
        if (arch.learnedPositions()) {
            NDArray pos = step.create(positions, new Shape(batchSize, newTokens));
            h = h.add(c.hook(HookPoint.POS_EMBED, embed(pos, arch.isEncoder() ? "embeddings.position_embeddings.weight"
                    : "transformer.wpe.weight")));
        } else {
            float[][] cs = rotary(positions);
            cos = step.create(cs[0], new Shape(batchSize, 1, newTokens, config.headDim()));
            sin = step.create(cs[1], new Shape(batchSize, 1, newTokens, config.headDim()));
        }
        if (arch.isEncoder()) {
            // BERT adds the embedding of token type (segment) 0 to every token and normalises the sum:
            // blocks.0.hook_resid_pre sees the normalised embeddings.
            NDArray types = step.zeros(new Shape(batchSize, newTokens), DataType.INT64);
            h = norm(h.add(embed(types, "embeddings.token_type_embeddings.weight")), "embeddings.LayerNorm", c);
        }
        Map<Integer, NDArray> maskBiasByWindow = new LinkedHashMap<>();
        for (int l = 0; l < config.numLayers(); l++) {
            int window = config.slidingWindow(l);
            NDArray maskBias = maskBiasByWindow.computeIfAbsent(window, w -> maskBias(step, mask, c, w, !arch.isEncoder()));
            h = block(l, h, c, maskBias, cos, sin, cache);
        }
        if (arch.isEncoder()) {
            return h; // the last hidden state: BERT has no final norm and no LM head
        }
        if (cache != null) {
            cache.advance(newTokens);
        }
        NDArray x = c.hook(HookPoint.LN_FINAL, norm(h, arch.isGpt2() ? "transformer.ln_f" : "model.norm", c));
        NDArray head = params.get(config.tieEmbeddings()
                ? (config.architecture().isGpt2() ? "transformer.wte.weight" : "model.embed_tokens.weight")
                : "lm_head.weight");
        return linear(x, head, null);
    }

    /**
     * Token ids to embed: real tokens must lie in the vocabulary (an error naming the position otherwise);
     * padding may hold any id (a tokenizer's pad id can exceed the model's vocabulary) and is embedded as 0.
     */
    private long[] checkedIds(String source, long[] ids, long[] mask, int batch, int queries, int keys) {
        long[] out = ids;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < queries; t++) {
                long id = ids[b * queries + t];
                boolean real = mask[b * keys + keys - queries + t] != 0;
                if (id >= 0 && id < config.vocabSize()) {
                    continue;
                }
                if (real) {
                    throw new UserInputException(source + "token id " + id + " at [" + b + ", " + t + "] is outside the"
                            + " model's vocabulary [0, " + config.vocabSize() + ")");
                }
                if (out == ids) {
                    out = ids.clone();
                }
                out[b * queries + t] = 0;
            }
        }
        return out;
    }

    /** Checks a batch's real tokens against the vocabulary; errors start with {@code source} (e.g. a file name). */
    public void checkTokenIds(TokenBatch batch, String source) {
        checkedIds(source, batch.ids(), batch.mask(), batch.batchSize(), batch.seqLen(), batch.seqLen());
    }

    /** Per-call state of a forward pass. */
    private record Ctx(NDManager step, int batch, int queries, int keys, Hooks hooks) {
        NDArray hook(String name, NDArray x) {
            return hooks.apply(name, x);
        }

        /** A constant as a 0-d tensor that torch owns (see the class comment). */
        NDArray scalar(double v) {
            return step.full(new Shape(), (float) v);
        }
    }

    /**
     * One block. Decoders normalise each sublayer's input (pre-LN) and add its output to the residual stream.
     * BERT (post-LN) adds the sublayer's output first and normalises the sum, so its
     * {@code hook_resid_mid} and {@code hook_resid_post} are the stream <em>after</em> those LayerNorms
     * (attention.output.LayerNorm, output.LayerNorm): what the next sublayer reads, as in the decoders.
     */
    private NDArray block(int l, NDArray h, Ctx c, NDArray maskBias, NDArray cos, NDArray sin, KvCache cache) {
        boolean gpt2 = config.architecture().isGpt2();
        String p = ParameterLayout.layerPrefix(config, l);
        h = c.hook(HookPoint.residPre(l), h);
        if (config.architecture().isEncoder()) {
            NDArray attn = c.hook(HookPoint.attnOut(l), attention(l, p, h, c, maskBias, null, null, null));
            h = c.hook(HookPoint.residMid(l), norm(h.add(attn), p + "attention.output.LayerNorm", c));
            NDArray mlp = c.hook(HookPoint.mlpOut(l), mlp(l, p + "intermediate.dense", p + "output.dense", h, c));
            return c.hook(HookPoint.residPost(l), norm(h.add(mlp), p + "output.LayerNorm", c));
        }
        NDArray attn = attention(l, p, norm(h, p + (gpt2 ? "ln_1" : "input_layernorm"), c), c, maskBias, cos, sin, cache);
        h = c.hook(HookPoint.residMid(l), h.add(c.hook(HookPoint.attnOut(l), attn)));
        NDArray x = norm(h, p + (gpt2 ? "ln_2" : "post_attention_layernorm"), c);
        NDArray mlp = gpt2 ? mlp(l, p + "mlp.c_fc", p + "mlp.c_proj", x, c) : gatedMlp(l, p, x, c);
        return c.hook(HookPoint.residPost(l), h.add(c.hook(HookPoint.mlpOut(l), mlp)));
    }

    private NDArray attention(int l, String p, NDArray x, Ctx c, NDArray maskBias, NDArray cos, NDArray sin,
            KvCache cache) {
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int hd = config.headDim();
        NDArray q;
        NDArray k;
        NDArray v;
        if (config.architecture().isGpt2()) {
            NDList qkv = project(x, p + "attn.c_attn").split(3, 2);
            q = qkv.get(0);
            k = qkv.get(1);
            v = qkv.get(2);
        } else if (config.architecture().isEncoder()) {
            q = project(x, p + "attention.self.query");
            k = project(x, p + "attention.self.key");
            v = project(x, p + "attention.self.value");
        } else {
            q = project(x, p + "self_attn.q_proj");
            k = project(x, p + "self_attn.k_proj");
            v = project(x, p + "self_attn.v_proj");
        }
        q = q.reshape(c.batch, c.queries, heads, hd).transpose(0, 2, 1, 3);
        k = k.reshape(c.batch, c.queries, kvHeads, hd).transpose(0, 2, 1, 3);
        v = v.reshape(c.batch, c.queries, kvHeads, hd).transpose(0, 2, 1, 3);
        if (cos != null) {
            q = rotate(q, cos, sin);
            k = rotate(k, cos, sin);
        }
        // Grouped-query attention without copying K/V: query heads are grouped [kvHeads, rep] so each
        // group broadcasts against its one key/value head (head h uses kv head h / rep, as HF's repeat_kv).
        NDArray keysT = k.expandDims(2).swapAxes(3, 4);
        NDArray vals = v.expandDims(2);
        if (cache != null) {
            keysT = cache.appendKeys(l, keysT);
            vals = cache.appendValues(l, vals);
        }
        NDArray scores = q.mul(c.scalar(1.0 / Math.sqrt(hd))).reshape(c.batch, kvHeads, heads / kvHeads, c.queries, hd)
                .matMul(keysT).add(maskBias);
        NDArray y = scores.softmax(-1).matMul(vals).reshape(c.batch, heads, c.queries, hd).transpose(0, 2, 1, 3)
                .reshape(c.batch, c.queries, (long) heads * hd);
        return project(y, p + switch (config.architecture()) {
            case GPT2 -> "attn.c_proj";
            case BERT -> "attention.output.dense";
            default -> "self_attn.o_proj";
        });
    }

    /** GPT-2's and BERT's MLP: the {@code in} projection, GELU (erf or tanh, as configured), the {@code out} projection. */
    private NDArray mlp(int l, String in, String out, NDArray x, Ctx c) {
        NDArray pre = c.hook(HookPoint.mlpPre(l), project(x, in));
        NDArray post = c.hook(HookPoint.mlpPost(l), config.activation().equals("gelu") ? pre.getNDArrayInternal().gelu()
                : geluTanh(pre, c));
        return project(post, out);
    }

    private NDArray gatedMlp(int l, String p, NDArray x, Ctx c) {
        NDArray gate = c.hook(HookPoint.mlpPre(l), project(x, p + "mlp.gate_proj"));
        NDArray up = c.hook(HookPoint.mlpPreLinear(l), project(x, p + "mlp.up_proj"));
        NDArray post = c.hook(HookPoint.mlpPost(l), gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up));
        return project(post, p + "mlp.down_proj");
    }

    /**
     * A block's projection, named by its module path (e.g. {@code model.layers.0.self_attn.q_proj}). GPT-2's
     * Conv1D stores W as {@code [in, out]}, so y = x W + b; the Llama family's Linear as {@code [out, in]}. Every
     * projection passes here, so attached LoRA adapters add their term to each one they target.
     */
    private NDArray project(NDArray x, String module) {
        NDArray w = params.get(module + ".weight");
        NDArray b = params.get(module + ".bias");
        NDArray y = config.architecture().isGpt2() ? x.matMul(w).add(b) : linear(x, w, b);
        return adapters == null ? y : adapters.apply(module, x, y);
    }

    /** PyTorch's Linear: weight stored {@code [out, in]}, y = x Wᵀ + b (bias may be null). */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    private NDArray embed(NDArray ids, String key) {
        return ids.getNDArrayInternal().embedding(ids, params.get(key), SparseFormat.DENSE).singletonOrThrow();
    }

    private NDArray norm(NDArray x, String key, Ctx c) {
        if (config.architecture().layerNorm()) {
            return x.getNDArrayInternal().layerNorm(x, new Shape(config.hiddenSize()), params.get(key + ".weight"),
                    params.get(key + ".bias"), (float) config.normEps()).singletonOrThrow();
        }
        // RMSNorm: x / sqrt(mean(x²) + eps) · w
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.add(c.scalar(config.normEps())).sqrt()).mul(params.get(key + ".weight"));
    }

    /**
     * GPT-2's "gelu_new": 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))), computed as x · σ(x (a + b x²)) with
     * a = 2√(2/π), b = 0.044715 a, since 0.5 (1 + tanh z) = σ(2z): six elementwise passes instead of nine
     * (DJL exposes only the erf GELU as one fused op).
     */
    private static NDArray geluTanh(NDArray x, Ctx c) {
        double a = 2 * Math.sqrt(2 / Math.PI);
        NDArray z = x.mul(x).mul(c.scalar(0.044715 * a)).add(c.scalar(a)).mul(x);
        return x.mul(z.getNDArrayInternal().sigmoid());
    }

    /** HF's rotate-half rotary embedding: x cos + rotate_half(x) sin, rotate_half(x) = [-x₂, x₁]. */
    private NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        NDArray rotated = x.get(secondHalf).neg().concat(x.get(firstHalf), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    /** cos and sin tables {@code [B, 1, T, headDim]}, both halves repeating the same frequencies. */
    private float[][] rotary(long[] positions) {
        int hd = config.headDim();
        int half = hd / 2;
        float[] cos = new float[positions.length * hd];
        float[] sin = new float[positions.length * hd];
        for (int i = 0; i < positions.length; i++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) positions[i] * (float) invFreq[j];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[i * hd + j] = c;
                cos[i * hd + j + half] = c;
                sin[i * hd + j] = s;
                sin[i * hd + j + half] = s;
            }
        }
        return new float[][] {cos, sin};
    }

    /**
     * Position of each new token: the number of real tokens before it in its row, so padding (left or
     * right) does not shift positions (as HF's generate() and TransformerLens count them; a plain HF
     * forward call on a left-padded batch would count pads too). Left padding gets position 0. For BERT
     * with right padding, its tokenizers' default, the real tokens get HF's positions 0, 1, 2, ...
     */
    private long[] positions(long[] mask, int batch, int queries, int keys) {
        long[] pos = new long[batch * queries];
        for (int b = 0; b < batch; b++) {
            long real = 0;
            for (int j = 0; j < keys; j++) {
                real += mask[b * keys + j] != 0 ? 1 : 0;
                int t = j - (keys - queries);
                if (t >= 0) {
                    pos[b * queries + t] = Math.max(real - 1, 0);
                }
            }
        }
        long max = java.util.Arrays.stream(pos).max().orElse(0);
        if (max >= config.maxPositions() && config.architecture().learnedPositions()) {
            throw new UserInputException("sequence of " + (max + 1) + " tokens exceeds the model's "
                    + (config.architecture().isEncoder() ? "max_position_embeddings " : "n_positions ") + config.maxPositions());
        }
        return pos;
    }

    /**
     * Additive attention mask {@code [B, 1, 1, T, S]}: 0 where query i may attend key j (key is a real token,
     * not after the query when {@code causal}, and within the sliding window when there is one), {@link #MASKED}
     * elsewhere. An encoder's padding queries still attend the real keys; their outputs mean nothing.
     */
    private static NDArray maskBias(NDManager step, long[] mask, Ctx c, int window, boolean causal) {
        int past = c.keys - c.queries;
        float[] bias = new float[c.batch * c.queries * c.keys];
        for (int b = 0; b < c.batch; b++) {
            for (int i = 0; i < c.queries; i++) {
                int qPos = past + i;
                for (int j = 0; j < c.keys; j++) {
                    boolean ok = (!causal || j <= qPos) && mask[b * c.keys + j] != 0 && (window == 0 || qPos - j < window);
                    bias[(b * c.queries + i) * c.keys + j] = ok ? 0f : MASKED;
                }
            }
        }
        return step.create(bias, new Shape(c.batch, 1, 1, c.queries, c.keys));
    }

    /** Routes the block projections through {@code a} from now on; one set of adapters at a time. */
    void attach(LoraAdapters a) {
        if (adapters != null) {
            throw new IllegalStateException("the model already has LoRA adapters attached; close or merge them first");
        }
        adapters = a;
    }

    /** Stops routing through {@code a}, if it is the attached set. */
    void detach(LoraAdapters a) {
        if (adapters == a) {
            adapters = null;
        }
    }

    /** Turns gradient tracking on for the parameters whose key the filter accepts, off for the rest. */
    public void setTrainable(java.util.function.Predicate<String> which) {
        params.forEach((k, v) -> v.setRequiresGradient(which.test(k)));
    }

    /** A copy of one weight as F32 values on the Java heap. */
    public float[] weight(String key) {
        NDArray a = params.get(key);
        if (a == null) {
            throw new IllegalArgumentException("no parameter " + key);
        }
        return a.toFloatArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
