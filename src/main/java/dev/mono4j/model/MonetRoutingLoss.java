package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Monet's auxiliary routing losses ([P] arXiv 2412.04139v4 §3, Eq. 16–18; fact sheet
 * {@code /work/shared/papers/monet.md} §4), which the authors' released code does not compute ([C]
 * dmis-lab/Monet {@code modeling_monet.py}@b5cb786: {@code aux_loss} is never set, L37, L566–577). From the
 * routing probabilities g^a {@code [B, T, H, √N]} of each side a ∈ {1, 2} ({@link HookPoint#moeRoute}):
 * <ul>
 * <li>uniformity, L_unif = −(1/(2H√N)) Σ_h Σ_i log ĝ¹_hi − (1/(2H√N)) Σ_h Σ_j log ĝ²_hj (Eq. 16–17): the KL
 * divergence of the mean routing ĝ from uniform, up to the constant log √N, so its minimum is log √N (at
 * √N = 512 that is 6.238, below every L_unif of [P] Table 7). ĝ is the routing probability averaged over the
 * batch's real tokens: our reading, as the paper does not say over what ĝ is averaged (the fact sheet marks it
 * an interpretation);</li>
 * <li>ambiguity, L_amb = (1/(2H)) Σ_h [(1 − max_i g¹_hi) + (1 − max_j g²_hj)] (Eq. 18), averaged over the real
 * tokens.</li>
 * </ul>
 * Both are averaged over the layers that own a router (our choice; later layers of a routing group reuse the
 * same probabilities, [C] L216, L250–254, so counting them again would only weigh groups by their size). The
 * trainer adds λ (L_unif + L_amb) to the language-modelling loss ([P] Eq. 18).
 *
 * <p>Logged beside them: {@code active_routes}, the mean over real tokens, heads and both sides of the experts
 * a side selects (g > 0; the threshold Φ⁻¹(1 − k/√N) aims at k = moe_topk of them), and
 * {@code active_experts}, the mean per token of Σ_h count¹_h · count²_h / H, the cells (i, j) of the grid one
 * head gives a non-zero score.
 */
public final class MonetRoutingLoss implements AuxiliaryLoss {
    /**
     * The least ĝ whose log is taken (our choice). An expert that no real token selected has ĝ exactly 0
     * (experts below the threshold get exp(−1e10) = 0), and log 0 would make the loss infinite and its gradient
     * NaN. Any expert a token selects with probability ≥ 1e-6 in a batch of up to 10^6 tokens has ĝ ≥ 1e-12, so
     * the floor leaves every selected expert's term as it is; an unselected one adds −log 1e-12 ≈ 27.6 to its
     * sum, a visible sign of a collapsed router, with no gradient (none reaches it through the softmax either).
     */
    public static final double FLOOR = 1e-12;

    private final List<Integer> routers;

    MonetRoutingLoss(ModelConfig c) {
        MonetSettings s = MonetFamily.settings(c);
        routers = IntStream.range(0, c.numLayers()).filter(s::routes).boxed().toList();
    }

    /** Both sides' routing of every layer that owns a router. */
    @Override
    public List<String> hooks() {
        List<String> names = new ArrayList<>();
        for (int l : routers) {
            names.add(HookPoint.moeRoute(l, 1));
            names.add(HookPoint.moeRoute(l, 2));
        }
        return names;
    }

    @Override
    public Value compute(Hooks hooks, TokenBatch batch) {
        NDManager m = hooks.get(hooks().get(0)).getManager();
        float[] realValues = new float[batch.mask().length];
        double count = 0;
        for (int i = 0; i < realValues.length; i++) {
            realValues[i] = batch.mask()[i] != 0 ? 1f : 0f;
            count += realValues[i];
        }
        // Constants are torch-owned tensors, never Number arguments (see Transformer's class comment).
        NDArray real = m.create(realValues, new Shape(batch.batchSize(), batch.seqLen()));
        NDArray perToken = m.full(new Shape(), (float) (1 / Math.max(count, 1))); // padding only: 0, not NaN
        NDArray one = m.full(new Shape(), 1f);
        NDArray floor = m.full(new Shape(), (float) FLOOR);
        NDArray zero = m.full(new Shape(), 0f);
        NDArray unif = m.zeros(new Shape());
        NDArray amb = m.zeros(new Shape());
        double routes = 0;
        double experts = 0;
        for (int l : routers) {
            NDArray[] counts = new NDArray[2];
            for (int side = 1; side <= 2; side++) {
                NDArray g = hooks.get(HookPoint.moeRoute(l, side));
                // ĝ_hi {@code [H, √N]}: the mean over real tokens; then −(1/(H√N)) Σ_h Σ_i log ĝ_hi.
                NDArray mean = g.mul(real.expandDims(-1).expandDims(-1)).sum(new int[] {0, 1}).mul(perToken);
                unif = unif.add(mean.maximum(floor).log().mean().neg());
                // (1/H) Σ_h (1 − max_i g_hi) per token {@code [B, T]}, then its mean over real tokens.
                NDArray perHead = one.sub(g.max(new int[] {-1})).mean(new int[] {-1});
                amb = amb.add(perHead.mul(real).sum().mul(perToken));
                counts[side - 1] = g.stopGradient().gt(zero).toType(DataType.FLOAT32, false).sum(new int[] {-1});
            }
            routes += tokenMean(counts[0].add(counts[1]).mean(new int[] {-1}), real, count) / 2;
            experts += tokenMean(counts[0].mul(counts[1]).mean(new int[] {-1}), real, count);
        }
        NDArray half = m.full(new Shape(), (float) (1.0 / (2 * routers.size())));
        NDArray lUnif = unif.mul(half);
        NDArray lAmb = amb.mul(half);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("l_unif", (double) lUnif.getFloat());
        metrics.put("l_amb", (double) lAmb.getFloat());
        metrics.put("active_routes", routes / routers.size());
        metrics.put("active_experts", experts / routers.size());
        return new Value(lUnif.add(lAmb), metrics);
    }

    /** The mean of a per-token value {@code [B, T]} over the real tokens, in double precision. */
    private static double tokenMean(NDArray perToken, NDArray real, double count) {
        return perToken.mul(real).sum().getFloat() / count;
    }
}
