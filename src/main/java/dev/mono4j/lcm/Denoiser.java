package dev.mono4j.lcm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Two-Tower LCM's denoiser (facebookresearch/large_concept_model@fd7db80 {@code lcm/nn/denoisers/lcm_denoiser.py},
 * {@code factory.py}, {@code attention_masks.py}, {@code lcm/nn/timestep_encoder.py}): the noisy embeddings through
 * an initial projection, no positional embedding, then layers of three pre-RMSNorm sub-blocks, each modulated by the
 * timestep (AdaLN: x̂·(1 + scale) + shift before, gate × output into the residual):
 * <ol>
 * <li>self-attention under their {@code NoAttentionMask} (each position attends only to itself), which makes it
 * o_proj(v_proj(x)): their q and k projections cannot change the output, so we have none;</li>
 * <li>cross-attention to the contextualizer's states with a zero vector prepended, position i seeing keys 0..i,
 * i.e. the zero vector and the context sentences before i ({@code ShiftedCausalAttentionMask}, shift 0);</li>
 * <li>a SwiGLU FFN (4·d, as theirs).</li>
 * </ol>
 * then a final RMSNorm and a projection back to the embedding width. The timestep embedding is DiT's: a 256-wide
 * sinusoid, Linear, SiLU, Linear; each layer's modulator is SiLU then Linear(d → 9d), zero-initialised, so at
 * initialisation every gate is 0 and every layer is the identity. Weights live in the owner's manager; the NDManager
 * rules of {@code dev.mono4j.model.Transformer} apply (activations first, constants as tensors).
 */
final class Denoiser {
    /** DiT's {@code frequency_embedding_size}, theirs. */
    static final int FREQUENCIES = 256;
    /** DiT's {@code max_period}. */
    static final double MAX_PERIOD = 10000;
    static final double NORM_EPS = 1e-5;
    /** Added to the scores of keys a query may not see. */
    private static final float MASKED = -1e9f;

    private final int dim;
    private final int d;
    private final int layers;
    private final int heads;
    private final Map<String, NDArray> params;

    private Denoiser(int dim, int d, int layers, int heads, Map<String, NDArray> params) {
        this.dim = dim;
        this.d = d;
        this.layers = layers;
        this.heads = heads;
        this.params = params;
    }

    /** Every weight's key and shape, in the order they are saved. */
    static Map<String, long[]> layout(int dim, int d, int layers) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("time.fc1.weight", new long[] {d, FREQUENCIES});
        m.put("time.fc1.bias", new long[] {d});
        m.put("time.fc2.weight", new long[] {d, d});
        m.put("time.fc2.bias", new long[] {d});
        m.put("in_proj.weight", new long[] {d, dim});
        m.put("in_proj.bias", new long[] {d});
        for (int l = 0; l < layers; l++) {
            String p = "layers." + l + ".";
            m.put(p + "modulator.weight", new long[] {9L * d, d});
            m.put(p + "modulator.bias", new long[] {9L * d});
            m.put(p + "self_attn_norm.weight", new long[] {d});
            m.put(p + "self_attn.v_proj.weight", new long[] {d, d});
            m.put(p + "self_attn.o_proj.weight", new long[] {d, d});
            m.put(p + "self_attn.o_proj.bias", new long[] {d});
            m.put(p + "cross_attn_norm.weight", new long[] {d});
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj"}) {
                m.put(p + "cross_attn." + proj + ".weight", new long[] {d, d});
            }
            m.put(p + "cross_attn.o_proj.weight", new long[] {d, d});
            m.put(p + "cross_attn.o_proj.bias", new long[] {d});
            m.put(p + "ffn_norm.weight", new long[] {d});
            m.put(p + "ffn.gate_proj.weight", new long[] {4L * d, d});
            m.put(p + "ffn.up_proj.weight", new long[] {4L * d, d});
            m.put(p + "ffn.down_proj.weight", new long[] {d, 4L * d});
        }
        m.put("final_norm.weight", new long[] {d});
        m.put("out_proj.weight", new long[] {dim, d});
        m.put("out_proj.bias", new long[] {dim});
        return m;
    }

    /**
     * A new denoiser: norm scales 1, biases 0, the modulators 0 (theirs: {@code AdaLNModulator.reset_parameters}),
     * other weights N(0, 0.02) (theirs for the timestep MLP; the shared rule of {@code Transformer.random} for the rest).
     */
    static Denoiser random(int dim, int d, int layers, int heads, long seed, NDManager manager) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        layout(dim, d, layers).forEach((key, shape) -> {
            float[] v = new float[Math.toIntExact(new Shape(shape).size())];
            if (key.contains("norm")) {
                java.util.Arrays.fill(v, 1f);
            } else if (!key.endsWith(".bias") && !key.contains("modulator")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (0.02 * rng.nextGaussian());
                }
            }
            params.put(key, manager.create(v, new Shape(shape)));
        });
        return new Denoiser(dim, d, layers, heads, params);
    }

    /** A denoiser over loaded weights (keys and shapes as {@link #layout}). */
    static Denoiser of(int dim, int d, int layers, int heads, Map<String, NDArray> params) {
        Map<String, long[]> expected = layout(dim, d, layers);
        if (!expected.keySet().equals(params.keySet())) {
            throw new IllegalArgumentException("denoiser weights do not match its layout");
        }
        return new Denoiser(dim, d, layers, heads, params);
    }

    Map<String, NDArray> parameters() {
        return params;
    }

    int layers() {
        return layers;
    }

    int heads() {
        return heads;
    }

    /**
     * The predicted clean embeddings {@code [B, T, dim]} for noisy ones {@code noisy [B, T, dim]} at timesteps
     * {@code timesteps} (B·T, one per position), given the contextualizer's states {@code context [B, C, d]} and the
     * cross-attention bias {@code crossBias [B, 1, T, C + 1]} over the zero vector and the context ({@link CrossMask}).
     */
    NDArray forward(NDManager step, NDArray noisy, int[] timesteps, NDArray context, NDArray crossBias) {
        long b = noisy.getShape().get(0);
        long t = noisy.getShape().get(1);
        NDArray time = linear(silu(linear(sinusoid(step, timesteps).reshape(b, t, FREQUENCIES), "time.fc1")), "time.fc2");
        NDArray keys = step.zeros(new Shape(b, 1, d)).concat(context, 1);
        NDArray h = linear(noisy, "in_proj");
        for (int l = 0; l < layers; l++) {
            String p = "layers." + l + ".";
            NDList mod = linear(silu(time), p + "modulator").split(9, 2);
            NDArray x = modulate(rmsNorm(h, p + "self_attn_norm"), mod.get(0), mod.get(1));
            h = h.add(mod.get(2).mul(linear(linear(x, p + "self_attn.v_proj"), p + "self_attn.o_proj")));
            x = modulate(rmsNorm(h, p + "cross_attn_norm"), mod.get(3), mod.get(4));
            h = h.add(mod.get(5).mul(crossAttention(x, keys, crossBias, p + "cross_attn.")));
            x = modulate(rmsNorm(h, p + "ffn_norm"), mod.get(6), mod.get(7));
            NDArray ffn = silu(linear(x, p + "ffn.gate_proj")).mul(linear(x, p + "ffn.up_proj"));
            h = h.add(mod.get(8).mul(linear(ffn, p + "ffn.down_proj")));
        }
        return linear(rmsNorm(h, "final_norm"), "out_proj");
    }

    /** DiT's sinusoidal timestep embedding: [cos(t·f_i), sin(t·f_i)], f_i = exp(−ln(10000)·i/128), {@code [N, 256]}. */
    static NDArray sinusoid(NDManager step, int[] timesteps) {
        int half = FREQUENCIES / 2;
        float[] e = new float[timesteps.length * FREQUENCIES];
        for (int n = 0; n < timesteps.length; n++) {
            for (int i = 0; i < half; i++) {
                double arg = timesteps[n] * Math.exp(-Math.log(MAX_PERIOD) * i / half);
                e[n * FREQUENCIES + i] = (float) Math.cos(arg);
                e[n * FREQUENCIES + half + i] = (float) Math.sin(arg);
            }
        }
        return step.create(e, new Shape(timesteps.length, FREQUENCIES));
    }

    /** Multi-head attention of {@code x [B, T, d]} over {@code keys [B, K, d]} with an additive {@code bias [B, 1, T, K]}. */
    private NDArray crossAttention(NDArray x, NDArray keys, NDArray bias, String p) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long k = keys.getShape().get(1);
        long hd = d / heads;
        NDArray q = linear(x, p + "q_proj").reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
        NDArray kk = linear(keys, p + "k_proj").reshape(b, k, heads, hd).transpose(0, 2, 3, 1);
        NDArray v = linear(keys, p + "v_proj").reshape(b, k, heads, hd).transpose(0, 2, 1, 3);
        NDArray scores = q.mul(x.getManager().full(new Shape(), (float) (1 / Math.sqrt(hd)))).matMul(kk).add(bias);
        NDArray z = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, t, d);
        return linear(z, p + "o_proj");
    }

    private static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
        return x.add(x.mul(scale)).add(shift);
    }

    private NDArray rmsNorm(NDArray x, String key) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.add(x.getManager().full(new Shape(), (float) NORM_EPS)).sqrt()).mul(params.get(key + ".weight"));
    }

    private static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /** PyTorch's Linear y = x Wᵀ + b over {@code module}.weight and, where present, {@code module}.bias. */
    private NDArray linear(NDArray x, String module) {
        return x.getNDArrayInternal().linear(x, params.get(module + ".weight"), params.get(module + ".bias"))
                .singletonOrThrow();
    }

    /** The cross-attention bias rows: which keys (0 the zero vector, j ≥ 1 context position j − 1) each query sees. */
    static final class CrossMask {
        private CrossMask() {
        }

        /**
         * Training: query i sees keys 0..i among the real context positions ({@code realContext [B·T]}, 1 or 0),
         * except the {@code dropped} query rows, which see only the zero vector (their classifier-free guidance
         * with {@code zero_vector=True}).
         */
        static NDArray training(NDManager step, int batch, int t, long[] realContext, boolean[] dropped) {
            float[] bias = new float[batch * t * (t + 1)];
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j <= t; j++) {
                        boolean ok = j == 0 || j <= i && !dropped[i] && realContext[b * t + j - 1] != 0;
                        bias[(b * t + i) * (t + 1) + j] = ok ? 0f : MASKED;
                    }
                }
            }
            return step.create(bias, new Shape(batch, 1, t, t + 1));
        }

        /**
         * Inference, one query per row after its whole context ({@code lengths[b]} real positions of {@code width}):
         * all of them and the zero vector, or only the zero vector ({@code conditioned} false: guidance's unconditioned
         * pass, theirs an all-padding context).
         */
        static NDArray inference(NDManager step, int[] lengths, int width, boolean conditioned) {
            float[] bias = new float[lengths.length * (width + 1)];
            for (int b = 0; b < lengths.length; b++) {
                for (int j = 1; j <= width; j++) {
                    bias[b * (width + 1) + j] = conditioned && j <= lengths[b] ? 0f : MASKED;
                }
            }
            return step.create(bias, new Shape(lengths.length, 1, 1, width + 1));
        }
    }
}
