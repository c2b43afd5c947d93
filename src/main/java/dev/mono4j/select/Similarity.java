package dev.mono4j.select;

import ai.djl.ndarray.NDArray;

/**
 * How a pooled sample vector is compared with the target prototype. MoNA scores by generalised Jaccard and reports
 * cosine and Euclidean as ablations (arXiv 2503.15573v2 Eq. 9 and Table 14: Jaccard 66.29 > cosine 63.78 >
 * Euclidean 63.46).
 */
enum Similarity {
    /**
     * Σ_k min(z_k, p_k) / Σ_k max(z_k, p_k) (Eq. 9). Defined for non-negative vectors only, which SAE codes are; a
     * sample and prototype that are both all-zero score 0 (our choice: nothing in common).
     */
    JACCARD {
        @Override
        NDArray score(NDArray z, NDArray p) {
            NDArray num = z.minimum(p).sum(new int[] {1});
            NDArray den = z.maximum(p).sum(new int[] {1});
            return num.div(den.maximum(Float.MIN_NORMAL)).mul(den.gt(0f));
        }
    },
    /** z·p / (max(‖z‖, ε) · max(‖p‖, ε)) with ε = 1e-8, as torch.nn.functional.cosine_similarity. */
    COSINE {
        @Override
        NDArray score(NDArray z, NDArray p) {
            NDArray dot = z.mul(p).sum(new int[] {1});
            NDArray zn = z.norm(new int[] {1}).maximum(1e-8f);
            return dot.div(zn.mul(p.norm().maximum(1e-8f)));
        }
    },
    /** −‖z − p‖₂: nearer scores higher. */
    EUCLIDEAN {
        @Override
        NDArray score(NDArray z, NDArray p) {
            return z.sub(p).norm(new int[] {1}).neg();
        }
    };

    /** Scores {@code [B]} of sample vectors {@code z [B, D]} against the prototype {@code p [D]}. */
    abstract NDArray score(NDArray z, NDArray p);
}
