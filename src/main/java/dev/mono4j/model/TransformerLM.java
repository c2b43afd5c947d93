package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import java.util.Arrays;
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
        return f.softcap(ForwardPass.linear(x, unembedding(), null), family.finalLogitSoftcap(config()));
    }

    /**
     * Logits {@code [..., vocab]} of any residual-stream tensor {@code [..., d_model]} (owned by {@code step}):
     * the family's final norm, then the LM head, as at the end of {@link #forward}, with no hooks. The logit lens
     * reads an earlier layer's residual this way; the norm uses that residual's own statistics.
     */
    public NDArray unembed(NDManager step, NDArray residual) {
        Shape shape = residual.getShape();
        int rows = Math.toIntExact(shape.size() / config().hiddenSize());
        long[] ones = new long[rows];
        Arrays.fill(ones, 1);
        // One token per row: a pass whose only job is to give the norm its weights (position 0 is always allowed).
        ForwardPass f = new ForwardPass(this, step, new long[rows], rows, 1, ones, Hooks.none(), null, true);
        NDArray x = family.finalNorm(f, residual.reshape(rows, 1, config().hiddenSize()));
        long[] out = shape.getShape().clone();
        out[out.length - 1] = config().vocabSize();
        return f.softcap(ForwardPass.linear(x, unembedding(), null), family.finalLogitSoftcap(config())).reshape(out);
    }

    /** The LM head's weight {@code [vocab, d_model]}: the token embedding when tied ({@code tie_word_embeddings}). */
    public NDArray unembedding() {
        return parameters().get(config().tieEmbeddings() ? family.tokenEmbedding() : family.lmHead());
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
