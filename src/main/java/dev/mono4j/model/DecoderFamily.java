package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/** A family of causal language models: after the blocks, a final norm and an LM head give next-token logits. */
public interface DecoderFamily extends ModelFamily {
    /** The final norm over the last block's output (hooked as {@code ln_final.hook_normalized} by the model). */
    NDArray finalNorm(ForwardPass f, NDArray h);

    /** The token embedding's key, which a tied LM head reuses. */
    String tokenEmbedding();

    /** The soft cap on the logits, cap · tanh(logits / cap) ({@link ForwardPass#softcap}); 0 for none. */
    default double finalLogitSoftcap(ModelConfig c) {
        return 0;
    }

    @Override
    default TransformerLM newModel(ModelConfig c, NDManager manager, Map<String, NDArray> params) {
        return new TransformerLM(c, manager, params);
    }
}
