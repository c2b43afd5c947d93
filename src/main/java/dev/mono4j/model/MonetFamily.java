package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.model.MonetSettings.Decomposition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Monet, a mixture of monosemantic experts (Park et al., ICLR 2025; HF {@code MonetForCausalLM}, model_type
 * "monet"): Llama's attention and norms, with the MLP (intermediate size 0 here) replaced by an expert layer over a √N × √N grid of
 * experts that is never materialised. Sources: [P] arXiv 2412.04139v4 §3 (Eq. 6–15); [C] dmis-lab/Monet
 * {@code modeling_monet.py}@b5cb786 (cited by line). Parity: the authors' own router and expert classes computed
 * the fixtures {@code monet-vd-tiny} and {@code monet-hd-tiny} ({@code MonetParityTest}).
 *
 * <p><b>Router</b> ([C] L115–141): per side a ∈ {1, 2}, logits z = W_a x {@code [B, T, H, √N]} (no bias);
 * n = BatchNorm without affine over z, one mean and variance per head pooled over tokens and all √N logits;
 * threshold τ = min(max_e n, Φ⁻¹(1 − k/√N)), so at least one expert stays on; g^a = softmax over the raw logits
 * z where n ≥ τ, −1e10 elsewhere (finite, so no row is NaN). Training mode ({@link Transformer#training()})
 * normalises with the batch's statistics over real tokens only (padding excluded, our reading of the pitfall
 * that padding pollutes them) and updates the running statistics (PyTorch's BatchNorm: momentum 0.1, the
 * unbiased variance); inference uses the running statistics, as the authors' released models do. The
 * authors freeze the router ([C] L217, instruction tuning in [P] App. B.2); mono4j trains it when pretraining
 * from scratch. The threshold has no gradient, so the statistics are computed without one.
 *
 * <p><b>Experts</b>: expert (i, j) is scored g_ij = Σ_h g¹_hi g²_hj. The horizontal decomposition (HD, [C]
 * L180–197, Eq. 6–12): y = Σ_j V_j Σ_i g_ij relu²(U_i x + b¹_i) + Σ_j (Σ_i g_ij) b²_j. The vertical one (VD,
 * [C] L144–177, Eq. 13–15): each half of the output from six terms, both sides' halves of the expert
 * (see {@link #verticalExperts}). Heads are summed without 1/H ([C]). Every term is computed through the
 * two sides' probabilities (factorised) unless the pass captures or replaces
 * {@link HookPoint#moeExpertScores}: then the √N × √N grid of scores is materialised, passed through the hook
 * (zero a cell to remove an expert) and the terms are computed from it; with the grid untouched both paths agree.
 *
 * <p><b>Routing groups</b> ([C] L216, L250–254): only layers {@code l % moe_groups == 0} hold a router; the
 * layers after it reuse its probabilities, while every layer keeps its own experts.
 */
public final class MonetFamily implements DecoderFamily {
    public static final MonetFamily MONET = new MonetFamily();

    /** PyTorch's BatchNorm1d defaults, which the authors' router keeps ([C] L125–126). */
    static final double BN_EPS = 1e-5;
    static final double BN_MOMENTUM = 0.1;
    /** The logit given to experts below the threshold ([C] L139–140). */
    private static final float BELOW_THRESHOLD = -1e10f;
    private static final String ROUTING = "monet.routing";
    private static final Map<Double, Double> QUANTILES = new ConcurrentHashMap<>();

    private MonetFamily() {
    }

    @Override
    public String modelType() {
        return "monet";
    }

    @Override
    public String hfArchitecture() {
        return "MonetForCausalLM";
    }

    /** The settings of a Monet config. */
    public static MonetSettings settings(ModelConfig c) {
        return c.familySettings(MonetSettings.class);
    }

    /** A Monet model with Llama attention (no attention biases, untied head unless {@code tied}). */
    public static ModelConfig config(int vocab, int hidden, int layers, int heads, int kvHeads, int maxPositions,
            boolean tied, MonetSettings s) {
        return ModelConfig.builder(MONET, vocab, hidden, layers, heads).numKvHeads(kvHeads).maxPositions(maxPositions)
                .intermediateSize(0).normEps(1e-6).activation("relu2").ropeTheta(10000.0).tieEmbeddings(tied).familySettings(s)
                .specialTokens(1, List.of(2L)).build();
    }

    /** MonetConfig's fields over LlamaConfig's ([C] L45–87: rms_norm_eps 1e-6, 2048 positions, relu2). */
    @Override
    public ModelConfig readConfig(ConfigReader r) {
        String act = r.text("hidden_act", "relu2");
        if (!act.equals("relu2")) {
            throw r.error("hidden_act '" + act + "' is not supported (Monet's experts use relu2)");
        }
        String decompose = r.text("moe_decompose", "vertical");
        Decomposition d = switch (decompose) {
            case "vertical" -> Decomposition.VERTICAL;
            case "horizontal" -> Decomposition.HORIZONTAL;
            default -> throw r.error("moe_decompose '" + decompose + "' is not supported (vertical, horizontal)");
        };
        MonetSettings s;
        try {
            s = new MonetSettings(r.integer("moe_dim", MonetSettings.DEFAULT_DIM),
                    r.integer("moe_heads", MonetSettings.DEFAULT_HEADS),
                    r.integer("moe_experts", MonetSettings.DEFAULT_EXPERTS),
                    r.integer("moe_topk", MonetSettings.DEFAULT_TOPK),
                    r.integer("moe_groups", MonetSettings.DEFAULT_GROUPS), d);
        } catch (IllegalArgumentException e) {
            throw r.error(e.getMessage());
        }
        int hidden = r.integer("hidden_size", null);
        if (d == Decomposition.VERTICAL && hidden % 2 != 0) {
            throw r.error("moe_decompose vertical writes each half of the output: hidden_size " + hidden
                    + " must be even");
        }
        boolean bias = r.bool("attention_bias", false);
        return LlamaFamily.attentionConfig(r, this, 2048, 1e-6).intermediateSize(0).activation(act).qkvBias(bias)
                .outputBias(bias).familySettings(s).build();
    }

    @Override
    public void writeConfig(ModelConfig c, Map<String, Object> m) {
        MonetSettings s = settings(c);
        LlamaFamily.writeAttentionConfig(c, m);
        m.put("hidden_act", c.activation());
        m.put("attention_bias", c.qkvBias());
        m.put("moe_dim", s.moeDim());
        m.put("moe_heads", s.moeHeads());
        m.put("moe_experts", s.moeExperts());
        m.put("moe_topk", s.moeTopk());
        m.put("moe_groups", s.moeGroups());
        m.put("moe_decompose", s.decompose().configName());
        c.writeHeadAndTokens(m);
    }

    /** The authors' names and shapes ([C] L121–126, L149–160, L185–190): PyTorch Linear weights {@code [out, in]}. */
    @Override
    public Map<String, long[]> parameters(ModelConfig c) {
        MonetSettings s = settings(c);
        long d = c.hiddenSize();
        long e = s.moeExperts();
        long routes = (long) s.moeHeads() * s.moeExperts();
        return LlamaFamily.parameters(this, c, (layer, p, m) -> {
            if (s.decompose() == Decomposition.VERTICAL) {
                long half = e * s.moeDim() / 2;
                m.put(p + "moe.b1", new long[] {e, d / 2});
                m.put(p + "moe.b2", new long[] {e, d / 2});
                for (String u : List.of("u1", "u2")) {
                    m.put(p + "moe." + u + ".weight", new long[] {half, d});
                    m.put(p + "moe." + u + ".bias", new long[] {half});
                }
                for (String v : List.of("v11", "v12", "v21", "v22")) {
                    m.put(p + "moe." + v + ".weight", new long[] {d / 2, half});
                }
            } else {
                long width = e * s.moeDim();
                m.put(p + "moe.b", new long[] {e, d});
                m.put(p + "moe.u.weight", new long[] {width, d});
                m.put(p + "moe.u.bias", new long[] {width});
                m.put(p + "moe.v.weight", new long[] {d, width});
            }
            if (s.routes(layer)) {
                m.put(p + "router.w1.weight", new long[] {routes, d});
                m.put(p + "router.w2.weight", new long[] {routes, d});
                for (String norm : List.of("norm1", "norm2")) {
                    m.put(p + "router." + norm + ".running_mean", new long[] {s.moeHeads()});
                    m.put(p + "router." + norm + ".running_var", new long[] {s.moeHeads()});
                }
            }
        });
    }

    /** The uniformity and ambiguity losses of the routers ([P] Eq. 16–18), for pretraining. */
    @Override
    public Optional<AuxiliaryLoss> auxiliaryLoss(ModelConfig c) {
        return Optional.of(new MonetRoutingLoss(c));
    }

    /** The expert grid and the routers, for {@code inspect}. */
    @Override
    public Map<String, String> details(ModelConfig c) {
        MonetSettings s = settings(c);
        List<Integer> routers = java.util.stream.IntStream.range(0, c.numLayers()).filter(s::routes).boxed().toList();
        Map<String, String> d = new java.util.LinkedHashMap<>();
        d.put("experts", String.format(java.util.Locale.ROOT,
                "%s decomposition, %d x %d = %,d experts per layer of width %d, %d heads, top-k %d"
                        + " (threshold Phi^-1(1 - %d/%d)), relu2", s.decompose().configName(), s.moeExperts(),
                s.moeExperts(), s.experts(), s.moeDim(), s.moeHeads(), s.moeTopk(), s.moeTopk(), s.moeExperts()));
        d.put("routers", "on layers " + routers + ", each used by " + s.moeGroups() + " layer(s)");
        return d;
    }

    /** Llama's names for everything outside the expert layer: blocks, embeddings, final norm, head. */
    @Override
    public String blocksPrefix() {
        return LlamaFamily.LLAMA.blocksPrefix();
    }

    /** The routers' BatchNorm statistics: loaded, saved and updated in training mode, not optimised. */
    @Override
    public boolean isBuffer(String key) {
        return key.contains(".router.norm");
    }

    /**
     * Running statistics start as PyTorch's BatchNorm (mean 0, variance 1); the expert biases b as the authors'
     * {@code torch.zeros} ([C] L159–160, L190).
     */
    @Override
    public Float initialValue(String key) {
        if (key.endsWith(".running_var")) {
            return 1f;
        }
        return key.endsWith(".running_mean") || key.matches(".*\\.moe\\.b[12]?") ? 0f : null;
    }

    /**
     * BatchNorm's step counter is not kept (it only matters for a cumulative average, which momentum 0.1 is
     * not); besides, what Llama ignores (rotary tables, a tied head's copy).
     */
    @Override
    public boolean isIgnorable(ModelConfig c, String key) {
        return key.endsWith(".num_batches_tracked") || LlamaFamily.LLAMA.isIgnorable(c, key);
    }

    @Override
    public List<String> hookNames(ModelConfig c) {
        List<String> names = new ArrayList<>();
        names.add(HookPoint.EMBED);
        for (int l = 0; l < c.numLayers(); l++) {
            names.add(HookPoint.residPre(l));
            names.addAll(HookPoint.attention(l, true));
            names.addAll(List.of(HookPoint.attnOut(l), HookPoint.residMid(l),
                    HookPoint.moeRoute(l, 1), HookPoint.moeRoute(l, 2), HookPoint.moeExpertScores(l),
                    HookPoint.mlpOut(l), HookPoint.residPost(l)));
        }
        names.add(HookPoint.LN_FINAL);
        return names;
    }

    /** The expert layer's output (Monet has no single hidden activation of the MLP's kind). */
    @Override
    public String mlpActivationHook(int layer) {
        return HookPoint.mlpOut(layer);
    }

    /** q_proj and v_proj (PEFT's default for Llama attention). */
    @Override
    public List<String> defaultLoraTargets() {
        return List.of("q_proj", "v_proj");
    }

    @Override
    public NDArray embed(ForwardPass f) {
        return LlamaFamily.LLAMA.embed(f);
    }

    /** Llama's attention half, then the expert layer in the MLP's place ([C] L200–260). */
    @Override
    public NDArray block(ForwardPass f, int l, NDArray h) {
        MonetSettings s = settings(f.config());
        String p = layerPrefix(l);
        h = LlamaFamily.attention(f, p, l, h);
        NDArray x = f.rmsNorm(h, p + "post_attention_layernorm");
        Routing routing;
        if (s.routes(l)) {
            routing = new Routing(route(f, s, p, x, 1), route(f, s, p, x, 2));
            f.carry(ROUTING, routing);
        } else {
            routing = (Routing) f.carried(ROUTING);
        }
        routing = new Routing(f.hook(HookPoint.moeRoute(l, 1), routing.g1), f.hook(HookPoint.moeRoute(l, 2), routing.g2));
        Grid grid = f.hooked(HookPoint.moeExpertScores(l))
                ? new Grid(f.hook(HookPoint.moeExpertScores(l), routing.scores())) : null;
        Mixer mix = grid != null ? grid : routing;
        NDArray out = s.decompose() == Decomposition.VERTICAL ? verticalExperts(f, s, p, x, mix)
                : horizontalExperts(f, s, p, x, mix);
        return f.hook(HookPoint.residPost(l), h.add(f.hook(HookPoint.mlpOut(l), out)));
    }

    /**
     * One side's routing probabilities {@code [B, T, H, √N]} ([C] L128–141): softmax of the raw logits over the
     * experts whose normalised logit reaches τ = min(max, Φ⁻¹(1 − k/√N)).
     */
    private static NDArray route(ForwardPass f, MonetSettings s, String p, NDArray x, int side) {
        int heads = s.moeHeads();
        NDArray z = f.project(x, p + "router.w" + side).reshape(f.batch(), f.queries(), heads, s.moeExperts());
        // [B, T, √N, H]: the head is last, so per-head statistics {@code [H]} broadcast.
        NDArray byHead = z.stopGradient().transpose(0, 1, 3, 2);
        String norm = p + "router.norm" + side;
        NDArray mean;
        NDArray var;
        if (f.training()) {
            NDArray real = f.realTokens().reshape(f.batch(), f.queries(), 1, 1);
            // At least one value, so a batch of padding only normalises by 0/1 instead of NaN (and keeps NaN out of
            // the running statistics).
            double count = Math.max(real.sum().getFloat() * s.moeExperts(), 1);
            mean = byHead.mul(real).sum(new int[] {0, 1, 2}).div(f.scalar(count));
            var = byHead.sub(mean).mul(real).square().sum(new int[] {0, 1, 2}).div(f.scalar(count));
            updateRunning(f.param(norm + ".running_mean"), mean);
            updateRunning(f.param(norm + ".running_var"), var.mul(f.scalar(count / Math.max(count - 1, 1))));
        } else {
            mean = f.param(norm + ".running_mean");
            var = f.param(norm + ".running_var");
        }
        // As PyTorch's batch_norm: (z − mean) · 1/√(var + eps).
        NDArray normalised = byHead.sub(mean).mul(f.scalar(BN_EPS).add(var).sqrt().pow(f.scalar(-1)))
                .transpose(0, 1, 3, 2);
        float sigma = (float) standardNormalQuantile(f.step(), 1 - (double) s.moeTopk() / s.moeExperts());
        NDArray tau = normalised.max(new int[] {-1}, true).minimum(f.scalar(sigma));
        return NDArrays.where(normalised.gte(tau), z, f.scalar(BELOW_THRESHOLD)).softmax(-1);
    }

    /** running ← (1 − momentum) running + momentum batch, in place (PyTorch's BatchNorm update). */
    private static void updateRunning(NDArray running, NDArray batch) {
        // Number arguments are safe here: neither tensor takes part in autograd (statistics of stopGradient logits,
        // buffers that never require a gradient).
        try (NDArray update = batch.mul(BN_MOMENTUM)) {
            running.muli(1 - BN_MOMENTUM).addi(update);
        }
    }

    /** Φ⁻¹(p) = √2 erfinv(2p − 1), in double precision (as the authors' {@code scipy.stats.norm.ppf}, [C] L135). */
    static double standardNormalQuantile(NDManager m, double p) {
        return QUANTILES.computeIfAbsent(p, q -> {
            try (NDArray a = m.create(new double[] {2 * q - 1}); NDArray inv = a.erfinv()) {
                return Math.sqrt(2) * inv.toDoubleArray()[0];
            }
        });
    }

    /** relu(x)², the authors' "relu2" activation. */
    private static NDArray relu2(NDArray x) {
        return Activation.relu(x).square();
    }

    /**
     * VD ([C] L162–177, Eq. 13–15): expert (i, j) is the first half of side-1 expert i and the second of side-2
     * expert j, each half reading both sides. Output halves: [Σ_i V¹¹_i r_i a¹_i + Σ_i V¹² Σ_j g_ij a²_j +
     * Σ_i r_i b1_i, Σ_j V²¹ Σ_i g_ij a¹_i + Σ_j V²²_j c_j a²_j + Σ_j c_j b2_j], with a^s = relu²(U^s x + bias),
     * r_i = Σ_j g_ij and c_j = Σ_i g_ij.
     */
    private static NDArray verticalExperts(ForwardPass f, MonetSettings s, String p, NDArray x, Mixer g) {
        NDArray a1 = experts(f, s, relu2(f.project(x, p + "moe.u1")));
        NDArray a2 = experts(f, s, relu2(f.project(x, p + "moe.u2")));
        NDArray rows = g.rowWeights();
        NDArray cols = g.colWeights();
        NDArray first = f.project(flat(f, a1.mul(rows.expandDims(-1))), p + "moe.v11")
                .add(f.project(flat(f, g.mixRows(a2)), p + "moe.v12")).add(rows.matMul(f.param(p + "moe.b1")));
        NDArray second = f.project(flat(f, g.mixCols(a1)), p + "moe.v21")
                .add(f.project(flat(f, a2.mul(cols.expandDims(-1))), p + "moe.v22")).add(cols.matMul(f.param(p + "moe.b2")));
        return first.concat(second, -1);
    }

    /** HD ([C] L192–197, Eq. 6–12): Σ_j V_j Σ_i g_ij relu²(U_i x + b¹_i) + Σ_j c_j b_j. */
    private static NDArray horizontalExperts(ForwardPass f, MonetSettings s, String p, NDArray x, Mixer g) {
        NDArray a = experts(f, s, relu2(f.project(x, p + "moe.u")));
        return f.project(flat(f, g.mixCols(a)), p + "moe.v").add(g.colWeights().matMul(f.param(p + "moe.b")));
    }

    /** {@code [B, T, √N·w]} → {@code [B, T, √N, w]}: one row per expert of a side. */
    private static NDArray experts(ForwardPass f, MonetSettings s, NDArray x) {
        return x.reshape(new Shape(f.batch(), f.queries(), s.moeExperts(), -1));
    }

    private static NDArray flat(ForwardPass f, NDArray x) {
        return x.reshape(new Shape(f.batch(), f.queries(), -1));
    }

    /** How the expert terms combine the sides: Σ_j g_ij X_j, Σ_i g_ij X_i and the grid's row and column sums. */
    private interface Mixer {
        /** r_i = Σ_j g_ij {@code [B, T, √N]}. */
        NDArray rowWeights();

        /** c_j = Σ_i g_ij. */
        NDArray colWeights();

        /** Σ_j g_ij X_j for X {@code [B, T, √N, w]}. */
        NDArray mixRows(NDArray x);

        /** Σ_i g_ij X_i. */
        NDArray mixCols(NDArray x);
    }

    /**
     * The factorised path: g_ij = Σ_h g¹_hi g²_hj is never formed; since each side's probabilities sum to 1 per
     * head, r_i = Σ_h g¹_hi and c_j = Σ_h g²_hj.
     */
    private record Routing(NDArray g1, NDArray g2) implements Mixer {
        @Override
        public NDArray rowWeights() {
            return g1.sum(new int[] {2});
        }

        @Override
        public NDArray colWeights() {
            return g2.sum(new int[] {2});
        }

        @Override
        public NDArray mixRows(NDArray x) {
            return g1.transpose(0, 1, 3, 2).matMul(g2.matMul(x));
        }

        @Override
        public NDArray mixCols(NDArray x) {
            return g2.transpose(0, 1, 3, 2).matMul(g1.matMul(x));
        }

        /** The grid {@code [B, T, √N, √N]}: g_ij = Σ_h g¹_hi g²_hj. */
        NDArray scores() {
            return g1.transpose(0, 1, 3, 2).matMul(g2);
        }
    }

    /** The materialised path, over a grid of scores a hook may have changed. */
    private record Grid(NDArray g) implements Mixer {
        @Override
        public NDArray rowWeights() {
            return g.sum(new int[] {3});
        }

        @Override
        public NDArray colWeights() {
            return g.sum(new int[] {2});
        }

        @Override
        public NDArray mixRows(NDArray x) {
            return g.matMul(x);
        }

        @Override
        public NDArray mixCols(NDArray x) {
            return g.transpose(0, 1, 3, 2).matMul(x);
        }
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

    @Override
    public String toString() {
        return "MONET";
    }
}
