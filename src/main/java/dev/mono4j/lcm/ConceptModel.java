package dev.mono4j.lcm;

import java.util.List;

/**
 * What predicts the next concept from the concepts before it, in the normalised space: a trained LCM (Base-LCM,
 * Two-Tower diffusion) or a baseline (copy the last sentence, the training mean, the next sentence of the nearest
 * training context). Evaluation and generation see only this.
 */
public interface ConceptModel extends AutoCloseable {
    /** Its name in reports ("base-lcm", "two-tower", "copy-last", ...). */
    String name();

    /**
     * The predicted next concept (normalised, {@code dim} values) after each context; a context is its sentences'
     * normalised embeddings, oldest first, at least one. {@code seed} fixes any sampling (diffusion noise).
     */
    float[][] predictNext(List<float[][]> contexts, long seed);

    @Override
    default void close() {
    }
}
