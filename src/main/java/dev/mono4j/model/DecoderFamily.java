package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/** A family of causal language models: after the blocks, a final norm and an LM head give next-token logits. */
public interface DecoderFamily extends ModelFamily {
    /** The final norm over the last block's output (hooked as {@code ln_final.hook_normalized} by the model). */
    NDArray finalNorm(ForwardPass f, NDArray h);

    /**
     * What {@link #finalNorm} computes, for analyses that freeze its scale (direct logit attribution): whether it
     * centres (LayerNorm) or not (RMSNorm), its weight and bias keys, and what is added to the stored weight.
     */
    FinalNormSpec finalNormSpec(ModelConfig c);

    /**
     * A final norm y = P(x) / sqrt(mean(P(x)²) + eps) ⊙ (w + weightOffset) + b, P centring x when {@code centres}.
     *
     * @param biasKey      null when the norm has no bias
     * @param weightOffset 0, or 1 for norms that store w − 1 (Gemma's x·(1 + w))
     */
    record FinalNormSpec(boolean centres, String weightKey, String biasKey, double weightOffset) {
    }

    /** The token embedding's key, which a tied LM head reuses. */
    String tokenEmbedding();

    /** The untied LM head's key ({@code lm_head.weight} in most families; GPT-NeoX's {@code embed_out.weight}). */
    default String lmHead() {
        return "lm_head.weight";
    }

    /** The soft cap on the logits, cap · tanh(logits / cap) ({@link ForwardPass#softcap}); 0 for none. */
    default double finalLogitSoftcap(ModelConfig c) {
        return 0;
    }

    @Override
    default TransformerLM newModel(ModelConfig c, NDManager manager, Map<String, NDArray> params) {
        return new TransformerLM(c, manager, params);
    }
}
