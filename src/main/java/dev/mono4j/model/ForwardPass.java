package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.mono4j.UserInputException;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One forward pass of a {@link Transformer}: its inputs (token ids, mask, positions, KV cache, hooks) and the
 * pieces every family's {@link ModelFamily#embed} and {@link ModelFamily#block} are built from: projections
 * (through attached LoRA adapters), embeddings, LayerNorm/RMSNorm, the attention core (grouped-query,
 * masked, cached, optionally rotary) and the GELU MLP. Every array it makes is owned by {@link #step()};
 * the NDManager rules of {@link Transformer}'s class comment apply to code written against it.
 */
public final class ForwardPass {
    /** Added to attention scores of masked keys; finite so an all-padding query row stays NaN-free. */
    private static final float MASKED = -1e9f;

    private final Transformer model;
    private final ModelConfig config;
    private final NDManager step;
    private final int batch;
    private final int queries;
    private final int keys;
    private final long[] ids;
    /** Continuous inputs {@code [B, T, in]} in place of token ids (a {@link ConceptTransformer}), or null. */
    private final NDArray inputs;
    private final long[] mask;
    private final long[] positions;
    private final Hooks hooks;
    private final KvCache cache;
    private final boolean causal;
    private final Map<Integer, NDArray> maskBiasByWindow = new LinkedHashMap<>();
    private NDArray cos;
    private NDArray sin;
    private NDArray realTokens;
    /** What one block leaves for a later one in this pass (Monet's routing, reused within a routing group). */
    private final Map<String, Object> carried = new java.util.HashMap<>();

    /**
     * {@code ids} holds {@code newTokens} tokens per row; {@code mask} covers the cached and the new positions
     * ({@code batch * (cache.length() + newTokens)}).
     */
    ForwardPass(Transformer model, NDManager step, long[] ids, int batch, int newTokens, long[] mask, Hooks hooks,
            KvCache cache, boolean causal) {
        this(model, step, ids, null, batch, newTokens, mask, hooks, cache, causal);
    }

    /** A causal pass without a cache over continuous inputs {@code [B, T, in]} (owned by {@code step}). */
    ForwardPass(Transformer model, NDManager step, NDArray inputs, long[] mask, Hooks hooks) {
        this(model, step, null, inputs, Math.toIntExact(inputs.getShape().get(0)),
                Math.toIntExact(inputs.getShape().get(1)), mask, hooks, null, true);
    }

    private ForwardPass(Transformer model, NDManager step, long[] ids, NDArray inputs, int batch, int newTokens,
            long[] mask, Hooks hooks, KvCache cache, boolean causal) {
        this.model = model;
        this.config = model.config();
        this.step = step;
        this.batch = batch;
        this.queries = newTokens;
        this.keys = (cache == null ? 0 : cache.length()) + newTokens;
        this.hooks = hooks;
        this.cache = cache;
        this.causal = causal;
        if (mask.length != (long) batch * keys) {
            throw new IllegalArgumentException("mask has " + mask.length + " entries, expected " + batch * keys);
        }
        this.mask = mask;
        this.positions = positions();
        this.inputs = inputs;
        this.ids = inputs != null ? null : model.checkedIds("", ids, mask, batch, newTokens, keys);
    }

    public ModelConfig config() {
        return config;
    }

    /** Whether this pass appends to a KV cache (generation), so earlier positions are not recomputed. */
    public boolean cached() {
        return cache != null;
    }

    /** The per-step manager that owns every array of this pass. */
    public NDManager step() {
        return step;
    }

    public int batch() {
        return batch;
    }

    /** New tokens per row (the sequence length without a cache). */
    public int queries() {
        return queries;
    }

    public NDArray hook(String name, NDArray x) {
        return hooks.apply(name, x);
    }

    /** Whether this pass's hooks capture or replace {@code name} (see {@link Hooks#touches}). */
    public boolean hooked(String name) {
        return hooks.touches(name);
    }

    /** Whether the model runs in training mode ({@link Transformer#training()}). */
    public boolean training() {
        return model.training();
    }

    /** Keeps {@code value} under {@code key} for the later blocks of this pass. */
    public void carry(String key, Object value) {
        carried.put(key, value);
    }

    /** What an earlier block of this pass kept under {@code key}, or null. */
    public Object carried(String key) {
        return carried.get(key);
    }

    /** 1 for each new token that is real, 0 for padding, {@code [B, T]}; made once per pass. */
    public NDArray realTokens() {
        if (realTokens != null) {
            return realTokens;
        }
        float[] real = new float[batch * queries];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < queries; t++) {
                real[b * queries + t] = mask[b * keys + keys - queries + t] != 0 ? 1f : 0f;
            }
        }
        realTokens = step.create(real, new Shape(batch, queries));
        return realTokens;
    }

    /** A constant as a 0-d tensor that torch owns (see {@link Transformer}'s class comment). */
    public NDArray scalar(double v) {
        return step.full(new Shape(), (float) v);
    }

    /** A weight by Hugging Face key (null when the model has none, e.g. an absent bias). */
    public NDArray param(String key) {
        return model.parameters().get(key);
    }

    /** The token ids {@code [B, T]} (padding outside the vocabulary embedded as 0). */
    public NDArray tokenIds() {
        return step.create(ids, new Shape(batch, queries));
    }

    /** The continuous inputs {@code [B, T, in]} of a {@link ConceptTransformer}'s pass (null for token ids). */
    public NDArray inputs() {
        return inputs;
    }

    /** Each new token's position {@code [B, T]} (see {@link #positions()}). */
    public NDArray positionIds() {
        return step.create(positions, new Shape(batch, queries));
    }

    /** Rows of the embedding table {@code key} for {@code ids}. */
    public NDArray embed(NDArray ids, String key) {
        return ids.getNDArrayInternal().embedding(ids, param(key), SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * A block's projection, named by its module path (e.g. {@code model.layers.0.self_attn.q_proj}): y = x Wᵀ + b
     * for Linear weights {@code [out, in]}, y = x W + b for Conv1D ones {@code [in, out]} (see
     * {@link ModelFamily#conv1dWeights}). Every projection passes here, so attached LoRA adapters add their
     * term to each one they target.
     */
    public NDArray project(NDArray x, String module) {
        return project(x, module, param(module + ".bias"));
    }

    /** As {@link #project}, adding {@code bias} (null: none) instead of the module's own. */
    private NDArray project(NDArray x, String module, NDArray bias) {
        NDArray w = param(module + ".weight");
        NDArray y;
        if (config.family().conv1dWeights()) {
            y = x.matMul(w);
            y = bias == null ? y : y.add(bias);
        } else {
            y = linear(x, w, bias);
        }
        LoraAdapters adapters = model.adapters();
        return adapters == null ? y : adapters.apply(module, x, y);
    }

    /** PyTorch's Linear: weight stored {@code [out, in]}, y = x Wᵀ + b (bias may be null). */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    /** LayerNorm over the hidden axis with {@code key}.weight and {@code key}.bias. */
    public NDArray layerNorm(NDArray x, String key) {
        return x.getNDArrayInternal().layerNorm(x, new Shape(config.hiddenSize()), param(key + ".weight"),
                param(key + ".bias"), (float) config.normEps()).singletonOrThrow();
    }

    /** RMSNorm: x / sqrt(mean(x²) + eps) · w. */
    public NDArray rmsNorm(NDArray x, String key) {
        return rmsNormalized(x).mul(param(key + ".weight"));
    }

    /**
     * Gemma's RMSNorm, whose stored weight is an offset from 1: x / sqrt(mean(x²) + eps) · (1 + w)
     * (transformers {@code models/gemma2/modeling_gemma2.py}@006e869, {@code Gemma2RMSNorm}).
     */
    public NDArray rmsNormOnePlus(NDArray x, String key) {
        return rmsNormalized(x).mul(scalar(1).add(param(key + ".weight")));
    }

    /** x / sqrt(mean(x²) + eps) over the hidden axis. */
    private NDArray rmsNormalized(NDArray x) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.add(scalar(config.normEps())).sqrt());
    }

    /** cap · tanh(x / cap), which bounds x within ±cap smoothly (Gemma-2's soft-capping); cap 0 leaves x as is. */
    public NDArray softcap(NDArray x, double cap) {
        return cap == 0 ? x : x.div(scalar(cap)).tanh().mul(scalar(cap));
    }

    /**
     * GPT-2's and BERT's MLP: the {@code in} projection, GELU (erf for "gelu", else tanh), the {@code out}
     * projection, with hook_pre and hook_post of layer {@code l}.
     */
    public NDArray mlp(int l, String in, String out, NDArray x) {
        NDArray pre = hook(HookPoint.mlpPre(l), project(x, in));
        NDArray post = hook(HookPoint.mlpPost(l), config.activation().equals("gelu") ? pre.getNDArrayInternal().gelu()
                : geluTanh(pre));
        return project(post, out);
    }

    /**
     * GPT-2's "gelu_new": 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))), computed as x · σ(x (a + b x²)) with
     * a = 2√(2/π), b = 0.044715 a, since 0.5 (1 + tanh z) = σ(2z): six elementwise passes instead of nine
     * (DJL exposes only the erf GELU as one fused op).
     */
    public NDArray geluTanh(NDArray x) {
        double a = 2 * Math.sqrt(2 / Math.PI);
        NDArray z = x.mul(x).mul(scalar(0.044715 * a)).add(scalar(a)).mul(x);
        return x.mul(z.getNDArrayInternal().sigmoid());
    }

    /** SiLU, x · σ(x). */
    public NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /**
     * Multi-head attention of layer {@code l} over projected {@code q [B, T, heads·hd]} and {@code k, v
     * [B, T, kvHeads·hd]}, through the output projection {@code outModule} (as {@link #project}): {@code [B, T, d]}.
     * Causal for decoders, bidirectional for encoders, within the layer's sliding window if it has one; keys and
     * values are appended to the KV cache when there is one. The attention hooks ({@link HookPoint#attention}) are
     * called in TransformerLens' shapes; those that need a copy or extra work are made only when hooked.
     */
    public NDArray attention(int l, NDArray q, NDArray k, NDArray v, String outModule) {
        return attention(l, q, k, v, outModule, false);
    }

    /** As {@link #attention}, with q and k rotated by their positions first (RoPE). */
    public NDArray rotaryAttention(int l, NDArray q, NDArray k, NDArray v, String outModule) {
        return attention(l, q, k, v, outModule, true);
    }

    private NDArray attention(int l, NDArray q, NDArray k, NDArray v, String outModule, boolean rotary) {
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int rep = heads / kvHeads;
        int hd = config.headDim();
        // hook_q/k/v are [B, T, head, hd] (TransformerLens' shapes); the core works on [B, head, T, hd].
        q = hook(HookPoint.attnQ(l), q.reshape(batch, queries, heads, hd)).transpose(0, 2, 1, 3);
        k = hook(HookPoint.attnK(l), k.reshape(batch, queries, kvHeads, hd)).transpose(0, 2, 1, 3);
        v = hook(HookPoint.attnV(l), v.reshape(batch, queries, kvHeads, hd)).transpose(0, 2, 1, 3);
        if (rotary) {
            q = headsHook(HookPoint.attnRotQ(l), rotate(q));
            k = headsHook(HookPoint.attnRotK(l), rotate(k));
        }
        // Grouped-query attention without copying K/V: query heads are grouped [kvHeads, rep] so each
        // group broadcasts against its one key/value head (head h uses kv head h / rep, as HF's repeat_kv).
        NDArray keysT = k.expandDims(2).swapAxes(3, 4);
        NDArray vals = v.expandDims(2);
        if (cache != null) {
            keysT = cache.appendKeys(l, keysT);
            vals = cache.appendValues(l, vals);
        }
        ModelFamily family = config.family();
        NDArray scores = q.mul(scalar(family.attentionScale(config))).reshape(batch, kvHeads, rep, queries, hd)
                .matMul(keysT);
        // The soft cap comes before the mask, as in HF's Gemma-2 eager attention and TransformerLens'
        // calculate_attention_scores, so hook_attn_scores holds capped, masked scores.
        scores = softcap(scores, family.attentionSoftcap(config)).add(maskBias(config.slidingWindow(l)));
        scores = groupedHook(HookPoint.attnScores(l), scores);
        NDArray probs = scores.softmax(-1);
        int topk = family.attentionTopk(config);
        // STR: the k largest probabilities per query and head are kept, the rest zeroed, without renormalising
        // (shared_workspace Triangle/transformer_utilities/multihead_attention.py@caf1798 L539-543), so
        // hook_pattern holds the sparse pattern the values are weighted by.
        NDArray pattern = groupedHook(HookPoint.attnPattern(l), topk == 0 ? probs : keepTopk(probs, topk));
        NDArray z = hook(HookPoint.attnZ(l), pattern.matMul(vals).reshape(batch, heads, queries, hd)
                .transpose(0, 2, 1, 3));
        if (!hooked(HookPoint.attnResult(l))) {
            return project(z.reshape(batch, queries, (long) heads * hd), outModule);
        }
        // Per head: the output projection applied to z with every other head zeroed, [B, T, head, d]; summed
        // with the bias they are the projection of z (TransformerLens' hook_result, bias excluded).
        NDArray onlyOwnHead = z.expandDims(2).mul(step.eye(heads).reshape(1, 1, heads, heads, 1))
                .reshape(batch, queries, heads, (long) heads * hd);
        NDArray result = hook(HookPoint.attnResult(l), project(onlyOwnHead, outModule, null)).sum(new int[] {2});
        NDArray bias = param(outModule + ".bias");
        return bias == null ? result : result.add(bias);
    }

    /**
     * {@code probs} with all but the {@code k} largest entries along the last axis set to 0, not renormalised.
     * Ties go to the lower index (our choice, documented in docs/workspace.md: PyTorch's {@code topk} leaves the
     * order of ties unspecified): k rounds of argmax, which returns the first maximum (torch.argmax's documented
     * behaviour), each round removing its pick. Entries must be ≥ 0 (probabilities); when a row has fewer than
     * k non-zero entries, the extra picks are zeros and change nothing. The selection carries no gradient.
     */
    public static NDArray keepTopk(NDArray probs, int k) {
        long n = probs.getShape().getLastDimension();
        if (k >= n) {
            return probs;
        }
        NDManager m = probs.getManager();
        NDArray index = m.arange(0, (int) n).toType(DataType.INT64, false);
        NDArray taken = m.full(new Shape(), 2f);
        NDArray remaining = probs.stopGradient();
        NDArray keep = null;
        for (int round = 0; round < k; round++) {
            NDArray pick = index.eq(remaining.argMax(-1).expandDims(-1)).toType(probs.getDataType(), false);
            keep = keep == null ? pick : keep.add(pick);
            remaining = remaining.sub(pick.mul(taken)); // a pick (≤ 1) falls below every entry left (≥ 0)
        }
        return probs.mul(keep);
    }

    /** Calls hook {@code name} on {@code x [B, head, T, hd]} in TransformerLens' {@code [B, T, head, hd]}, when hooked. */
    private NDArray headsHook(String name, NDArray x) {
        return hooked(name) ? hook(name, x.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3) : x;
    }

    /** Calls hook {@code name} on grouped scores {@code [B, kvHeads, rep, Q, K]} as {@code [B, head, Q, K]}, when hooked. */
    private NDArray groupedHook(String name, NDArray x) {
        if (!hooked(name)) {
            return x;
        }
        Shape grouped = x.getShape();
        return hook(name, x.reshape(batch, config.numHeads(), queries, keys)).reshape(grouped);
    }

    /**
     * HF's rotate-half rotary embedding: x cos + rotate_half(x) sin, rotate_half(x) = [-x₂, x₁], on the first
     * {@link ModelFamily#rotaryDim} dimensions of each head; the others pass through (GPT-NeoX's partial rotary,
     * HF {@code modeling_gpt_neox.py}@006bd23: {@code query_rot}, {@code query_pass}, concatenated back).
     */
    private NDArray rotate(NDArray x) {
        int dim = config.family().rotaryDim(config);
        if (cos == null) {
            float[][] cs = new Rotary(config).tables(positions);
            cos = step.create(cs[0], new Shape(batch, 1, queries, dim));
            sin = step.create(cs[1], new Shape(batch, 1, queries, dim));
        }
        NDArray r = dim == config.headDim() ? x : x.get(new NDIndex("..., :" + dim));
        int half = dim / 2;
        NDArray rotated = r.get(new NDIndex("..., " + half + ":")).neg().concat(r.get(new NDIndex("..., :" + half)), -1);
        r = r.mul(cos).add(rotated.mul(sin));
        return dim == config.headDim() ? r : r.concat(x.get(new NDIndex("..., " + dim + ":")), -1);
    }

    /**
     * Additive attention mask {@code [B, 1, 1, T, S]}, one per window size per pass: 0 where query i may attend
     * key j (key is a real token, not after the query when causal, and within the sliding window when there is
     * one), {@link #MASKED} elsewhere. An encoder's padding queries still attend the real keys; their outputs
     * mean nothing.
     */
    private NDArray maskBias(int window) {
        return maskBiasByWindow.computeIfAbsent(window, w -> {
            int past = keys - queries;
            float[] bias = new float[batch * queries * keys];
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < queries; i++) {
                    int qPos = past + i;
                    for (int j = 0; j < keys; j++) {
                        boolean ok = (!causal || j <= qPos) && mask[b * keys + j] != 0 && (w == 0 || qPos - j < w);
                        bias[(b * queries + i) * keys + j] = ok ? 0f : MASKED;
                    }
                }
            }
            return step.create(bias, new Shape(batch, 1, 1, queries, keys));
        });
    }

    /**
     * Position of each new token: the number of real tokens before it in its row, so padding (left or
     * right) does not shift positions (as HF's generate() and TransformerLens count them; a plain HF
     * forward call on a left-padded batch would count pads too). Left padding gets position 0. For BERT
     * with right padding, its tokenizers' default, the real tokens get HF's positions 0, 1, 2, ...
     * A position beyond the family's limit is an error, rotary ones included (see
     * {@link ModelFamily#positionLimitField()}).
     */
    private long[] positions() {
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
        if (max >= config.maxPositions()) {
            throw new UserInputException("a sequence of " + (max + 1) + " tokens exceeds the model's "
                    + config.family().positionLimitField() + " " + config.maxPositions());
        }
        return pos;
    }
}
