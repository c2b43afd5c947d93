package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.hooks.Hooks;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Autoregressive decoding of one prompt, with or without a KV cache, seeded. */
public final class Generator {
    private Generator() {
    }

    /** The new tokens, and whether generation ended on a stop token (which is then the last token). */
    public record Result(long[] tokens, boolean stopped) {
        /** The new tokens without the stop token that ended them: the text to show. */
        public long[] text() {
            return stopped ? Arrays.copyOf(tokens, tokens.length - 1) : tokens;
        }
    }

    public static Result generate(TransformerLM model, long[] prompt, GenerationConfig cfg) {
        return generate(model, prompt, cfg, Hooks.none());
    }

    /**
     * As {@link #generate(TransformerLM, long[], GenerationConfig)}, every forward pass run with {@code hooks}: for
     * interventions only (an ablation while sampling); captures would keep just the last pass's tensors.
     */
    public static Result generate(TransformerLM model, long[] prompt, GenerationConfig cfg, Hooks hooks) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt must hold at least one token");
        }
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        long[] seq = Arrays.copyOf(prompt, prompt.length + cfg.maxNewTokens());
        int len = prompt.length;
        boolean stopped = false;
        try (KvCache cache = cfg.useCache() ? new KvCache(model.manager(), model.config().numLayers()) : null) {
            while (len < seq.length && !stopped) {
                float[] logits;
                try (NDManager step = model.manager().newSubManager()) {
                    // With a cache only the tokens not yet seen run through the model.
                    int from = cache == null ? 0 : cache.length();
                    long[] ids = Arrays.copyOfRange(seq, from, len);
                    long[] mask = new long[len];
                    Arrays.fill(mask, 1);
                    NDArray out = model.forward(step, ids, 1, ids.length, mask, hooks, cache);
                    logits = out.get("0, -1, :").toFloatArray();
                }
                long next = Sampler.sample(logits, cfg, rng);
                seq[len++] = next;
                stopped = cfg.stopTokens().contains(next);
            }
        }
        return new Result(Arrays.copyOfRange(seq, prompt.length, len), stopped);
    }
}
