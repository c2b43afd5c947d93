package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import java.util.Map;

/**
 * A bidirectional encoder (BERT, any {@link EncoderFamily}): attention without the causal mask and no LM head,
 * so its forward pass returns the last hidden state; sentence embeddings pool it.
 */
public final class TransformerEncoder extends Transformer {
    TransformerEncoder(ModelConfig config, NDManager manager, Map<String, NDArray> params) {
        super(config, manager, params);
    }

    /** A randomly initialised encoder (see {@link Transformer#randomParameters}); a decoder's config is refused. */
    public static TransformerEncoder random(ModelConfig config, long seed) {
        return random(config, seed, TransformerEncoder.class);
    }

    /** The last hidden state {@code [B, T, hidden]} for a padded batch, all arrays owned by {@code step}. */
    @Override
    public NDArray forward(NDManager step, TokenBatch batch, Hooks hooks) {
        return lastHiddenState(new ForwardPass(this, step, batch.ids(), batch.batchSize(), batch.seqLen(), batch.mask(),
                hooks, null, false));
    }

    @Override
    public String outputName() {
        return "last_hidden_state";
    }

    @Override
    public long outputWidth() {
        return config().hiddenSize();
    }
}
