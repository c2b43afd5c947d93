package dev.mono4j.select;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.UserInputException;
import dev.mono4j.data.LabelledText;
import java.util.List;

/**
 * Scores samples by their {@link SampleVectors} against the prototype, the mean of the targets' vectors (Eq. 8 of
 * arXiv 2503.15573v2), with a {@link Similarity} (Eq. 9 for Jaccard). With a {@link VectorCache}, pool vectors
 * computed once are read back by every later selection from the same pool (several target sets, several
 * similarities), as the paper scores one pool against six tasks.
 */
final class VectorScorer implements PoolScorer {
    private final SampleVectors vectors;
    private final Similarity similarity;
    private final String codesName;
    private final VectorCache cache;
    private final float[] prototype;

    /**
     * @param codesName what produced the vectors, for the message when Jaccard meets a negative value
     * @param cache     pool vectors kept between selections, or null
     */
    VectorScorer(SampleVectors vectors, Similarity similarity, String codesName, List<LabelledText> targets, int batchSize,
            VectorCache cache) {
        this.vectors = vectors;
        this.similarity = similarity;
        this.codesName = codesName;
        this.cache = cache;
        this.prototype = prototype(targets, batchSize);
    }

    @Override
    public String hook() {
        return vectors.hook();
    }

    private float[] prototype(List<LabelledText> targets, int batchSize) {
        double[] sum = null;
        for (int start = 0; start < targets.size(); start += batchSize) {
            List<LabelledText> part = targets.subList(start, Math.min(targets.size(), start + batchSize));
            try (NDManager step = vectors.manager().newSubManager()) {
                NDArray v = checked(vectors.vectors(step, part), part);
                int d = Math.toIntExact(v.getShape().get(1));
                float[] rows = v.toFloatArray();
                if (sum == null) {
                    sum = new double[d];
                }
                for (int i = 0; i < rows.length; i++) {
                    sum[i % d] += rows[i];
                }
            }
        }
        float[] p = new float[sum.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (sum[i] / targets.size());
        }
        return p;
    }

    @Override
    public float[] score(long first, List<LabelledText> batch) {
        try (NDManager step = vectors.manager().newSubManager()) {
            NDArray v;
            float[] cached = cache == null ? null : cache.read(first, batch.size());
            if (cached != null) {
                v = step.create(cached, new Shape(batch.size(), prototype.length));
            } else {
                v = checked(vectors.vectors(step, batch), batch);
                if (cache != null) {
                    cache.append(first, batch.size(), v.toFloatArray());
                }
            }
            return similarity.score(v, step.create(prototype)).toFloatArray();
        }
    }

    /** Generalised Jaccard is defined for non-negative vectors only (the fact sheet's pitfall 1): check every batch. */
    private NDArray checked(NDArray v, List<LabelledText> batch) {
        if (similarity == Similarity.JACCARD) {
            float min = v.min().getFloat();
            if (min < 0) {
                throw new UserInputException(codesName + ": its codes are negative (" + min + ") for the batch starting at "
                        + batch.get(0).source() + "; generalised Jaccard needs non-negative codes (try --method cosine)");
            }
        }
        return v;
    }

    @Override
    public void close() {
        try {
            if (cache != null) {
                cache.close();
            }
        } finally {
            vectors.close();
        }
    }
}
