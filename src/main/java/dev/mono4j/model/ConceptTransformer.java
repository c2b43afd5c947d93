package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import java.util.Map;

/**
 * A causal transformer over continuous inputs (any {@link ConceptFamily}): a sequence of vectors in, one vector per
 * position out, each seeing only the positions up to its own. The Large Concept Models' body (Base-LCM, the
 * Two-Tower's contextualizer) is one.
 */
public final class ConceptTransformer extends Transformer {
    private final ConceptFamily family;

    ConceptTransformer(ModelConfig config, NDManager manager, Map<String, NDArray> params) {
        super(config, manager, params);
        this.family = (ConceptFamily) config.family();
    }

    /** A randomly initialised model (see {@link Transformer#randomParameters}); another family's config is refused. */
    public static ConceptTransformer random(ModelConfig config, long seed) {
        return random(config, seed, ConceptTransformer.class);
    }

    /**
     * The outputs {@code [B, T, out]} for inputs {@code [B, T, in]} (owned by {@code step}); {@code mask} is 1 for a
     * real position and 0 for padding, {@code B * T} entries. All arrays made are owned by {@code step}.
     */
    public NDArray forward(NDManager step, NDArray inputs, long[] mask, Hooks hooks) {
        ForwardPass f = new ForwardPass(this, step, inputs, mask, hooks);
        return family.output(f, lastHiddenState(f));
    }

    /** Refused: a concept model reads vectors, not token ids. */
    @Override
    public NDArray forward(NDManager step, TokenBatch batch, Hooks hooks) {
        throw new IllegalArgumentException(family.hfArchitecture() + " reads vectors, not token ids");
    }

    @Override
    public String outputName() {
        return "outputs";
    }

    @Override
    public long outputWidth() {
        return family.outputWidth(config());
    }
}
