package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import java.util.Map;

/**
 * A causal language model (GPT-2, the Llama family, any {@link DecoderFamily}): causal attention, a final
 * norm and an LM head, so its forward pass gives next-token logits, with a KV cache for generation.
 * Generation, alignment, pretraining and the SAE splice take this type.
 */
public final class TransformerLM extends Transformer {
    private final DecoderFamily family;

    TransformerLM(ModelConfig config, NDManager manager, Map<String, NDArray> params) {
        super(config, manager, params);
        this.family = (DecoderFamily) config.family();
    }

    /** A randomly initialised decoder (see {@link Transformer#randomParameters}); an encoder's config is refused. */
    public static TransformerLM random(ModelConfig config, long seed) {
        return random(config, seed, TransformerLM.class);
    }

    /** Logits {@code [B, T, vocab]} for a padded batch, all arrays owned by {@code step}. */
    @Override
    public NDArray forward(NDManager step, TokenBatch batch, Hooks hooks) {
        return forward(step, batch.ids(), batch.batchSize(), batch.seqLen(), batch.mask(), hooks, null);
    }

    /**
     * Logits {@code [B, T, vocab]} of T new tokens per row in {@code ids}; {@code mask} covers the cached and the
     * new positions ({@code B * (cache.length() + T)}). With a cache, keys and values are appended to it.
     */
    public NDArray forward(NDManager step, long[] ids, int batchSize, int newTokens, long[] mask, Hooks hooks,
            KvCache cache) {
        ForwardPass f = new ForwardPass(this, step, ids, batchSize, newTokens, mask, hooks, cache, true);
        NDArray h = lastHiddenState(f);
        if (cache != null) {
            cache.advance(newTokens);
        }
        NDArray x = f.hook(HookPoint.LN_FINAL, family.finalNorm(f, h));
        NDArray head = parameters().get(config().tieEmbeddings() ? family.tokenEmbedding() : "lm_head.weight");
        return f.softcap(ForwardPass.linear(x, head, null), family.finalLogitSoftcap(config()));
    }

    @Override
    public String outputName() {
        return "logits";
    }

    @Override
    public long outputWidth() {
        return config().vocabSize();
    }
}
