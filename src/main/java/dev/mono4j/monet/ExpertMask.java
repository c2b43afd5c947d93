package dev.mono4j.monet;

import dev.mono4j.hooks.HookPoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.MonetFamily;
import dev.mono4j.model.MonetSettings;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * Removing Monet experts at inference: g_ij = 0 for the masked cells of the √N × √N grid ([P] arXiv 2412.04139v4
 * §5.1 "setting g_hij = 0"; fact sheet /work/shared/papers/monet.md §8: G_ij = Σ_h g¹_hi g²_hj (1 − M_ij)), through
 * the hook {@link HookPoint#moeExpertScores}. Experts are named by routing group (its router layer): layers of a
 * group share the routing, so their statistics are one, and masking a group's expert (i, j) removes cell (i, j) in
 * every layer of that group (each layer has its own expert weights; all of them lose that cell). Hooking the grid
 * switches those layers to the materialised path, {@code [B, T, √N, √N]} floats per layer and pass; with no cell
 * masked it computes what the factorised path does.
 */
public final class ExpertMask {
    private ExpertMask() {
    }

    /** Masks, per router layer, the cells {@code i · √N + j} given; groups not named are left on the factorised path. */
    public static Ablation of(ModelConfig c, Map<Integer, ? extends Collection<Integer>> cellsByRouter) {
        MonetSettings s = MonetFamily.settings(c);
        int e = s.moeExperts();
        Ablation a = new Ablation();
        cellsByRouter.forEach((router, cells) -> {
            if (!s.routes(router) || router >= c.numLayers()) {
                throw new IllegalArgumentException("layer " + router + " holds no router");
            }
            float[] keep = new float[e * e];
            Arrays.fill(keep, 1f);
            for (int cell : cells) {
                keep[cell] = 0f;
            }
            for (int l : layersOf(c, router)) {
                a.multiply(HookPoint.moeExpertScores(l), keep, e, e);
            }
        });
        return a;
    }

    /** Every group's grid hooked with nothing masked: the materialised path, which must equal the factorised one. */
    public static Ablation none(ModelConfig c) {
        Map<Integer, java.util.List<Integer>> all = new java.util.TreeMap<>();
        routers(c).forEach(r -> all.put(r, java.util.List.of()));
        return of(c, all);
    }

    /** The router layers (the first layer of each routing group). */
    public static java.util.List<Integer> routers(ModelConfig c) {
        MonetSettings s = MonetFamily.settings(c);
        return java.util.stream.IntStream.range(0, c.numLayers()).filter(s::routes).boxed().toList();
    }

    /** The layers that use router {@code router}'s routing: it and the ones after it up to the next router. */
    public static int[] layersOf(ModelConfig c, int router) {
        MonetSettings s = MonetFamily.settings(c);
        return java.util.stream.IntStream.range(router, Math.min(router + s.moeGroups(), c.numLayers())).toArray();
    }
}
