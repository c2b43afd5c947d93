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

    /** The untied LM head's key ({@code lm_head.weight} in most families; GPT-NeoX's {@code embed_out.weight}). */
    default String lmHead() {
        return "lm_head.weight";
    }

    @Override
    default TransformerLM newModel(ModelConfig c, NDManager manager, Map<String, NDArray> params) {
        return new TransformerLM(c, manager, params);
    }
}
