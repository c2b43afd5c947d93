package dev.mono4j.model;

import java.util.Locale;

/**
 * Monet's expert layer, as the authors' {@code MonetConfig} adds it to a Llama config (dmis-lab/Monet
 * {@code modeling_monet.py}@b5cb786, L45–112; the defaults are that signature's).
 *
 * @param moeDim       m, the width of one expert (default 8); VD splits it in two halves, so VD needs it even
 * @param moeHeads     H, the expert heads: routers per side (default 8)
 * @param moeExperts   √N, experts per side of the grid (default 512, so N = 262,144 experts)
 * @param moeTopk      k, the experts per head and side the threshold Φ⁻¹(1 − k/√N) aims at (default 32)
 * @param moeGroups    a router every this many layers, reused by the layers after it (default 4)
 * @param decompose    vertical (VD, default) or horizontal (HD)
 */
public record MonetSettings(int moeDim, int moeHeads, int moeExperts, int moeTopk, int moeGroups,
        Decomposition decompose) implements ModelConfig.FamilySettings {

    /** The paper's two ways to write an expert from the two sides of the grid ([P] §3, Eq. 6–15). */
    public enum Decomposition {
        VERTICAL, HORIZONTAL;

        /** As config.json's {@code moe_decompose} writes it. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final int DEFAULT_DIM = 8;
    public static final int DEFAULT_HEADS = 8;
    public static final int DEFAULT_EXPERTS = 512;
    public static final int DEFAULT_TOPK = 32;
    public static final int DEFAULT_GROUPS = 4;

    public MonetSettings {
        if (moeDim < 1 || moeHeads < 1 || moeExperts < 2 || moeGroups < 1) {
            throw new IllegalArgumentException("moe_dim, moe_heads and moe_groups must be at least 1, moe_experts 2");
        }
        if (moeTopk < 1 || moeTopk >= moeExperts) {
            throw new IllegalArgumentException("moe_topk " + moeTopk + " must lie in [1, moe_experts " + moeExperts
                    + ")");
        }
        if (decompose == Decomposition.VERTICAL && moeDim % 2 != 0) {
            throw new IllegalArgumentException("moe_decompose vertical splits each expert in halves: moe_dim " + moeDim
                    + " must be even");
        }
    }

    /** Whether layer {@code l} owns a router; the others reuse the last one's routing (L216, L250–254). */
    public boolean routes(int layer) {
        return layer % moeGroups == 0;
    }

    /** The layer whose router layer {@code l} uses. */
    public int routerOf(int layer) {
        return layer - layer % moeGroups;
    }

    /** N = √N², the experts of one layer. */
    public long experts() {
        return (long) moeExperts * moeExperts;
    }
}
