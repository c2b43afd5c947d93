package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * A family of causal transformers over continuous inputs (a Large Concept Model's sentence embeddings) instead of
 * token ids: {@link #embed} reads {@link ForwardPass#inputs()}, and after the blocks {@link #output} maps the last
 * hidden state to the model's outputs. Its models are {@link ConceptTransformer}s.
 */
public interface ConceptFamily extends ModelFamily {
    /** The width of each input vector. */
    int inputWidth(ModelConfig c);

    /** The width of each output vector. */
    int outputWidth(ModelConfig c);

    /** From the last block's output {@code [B, T, d]} to the outputs {@code [B, T, outputWidth]} (final norm hooked). */
    NDArray output(ForwardPass f, NDArray h);

    @Override
    default ConceptTransformer newModel(ModelConfig c, NDManager manager, Map<String, NDArray> params) {
        return new ConceptTransformer(c, manager, params);
    }
}
