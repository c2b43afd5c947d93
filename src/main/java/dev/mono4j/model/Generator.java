package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.hooks.Hooks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Autoregressive decoding, with or without a KV cache, seeded; several prompts at once, left-padded. Positions count
 * real tokens only and padding is masked out of attention ({@link ForwardPass}), so each prompt's continuation is the
 * one it gets alone: every row samples with its own generator seeded by {@link GenerationConfig#seed()}, and the batch
 * changes only floating-point rounding (our choice: results do not depend on how prompts are batched).
 */
public final class Generator {
    /** The id written after a row has stopped and at left padding; masked out, so any id in the vocabulary serves. */
    private static final long PAD = 0;

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
     * interventions only (steering, an ablation while sampling); captures would keep just the last pass's tensors.
     */
    public static Result generate(TransformerLM model, long[] prompt, GenerationConfig cfg, Hooks hooks) {
        return generate(model, List.of(prompt), cfg, hooks).get(0);
    }

    /**
     * Continues every prompt in one batch (left-padded to the longest), until each has {@code maxNewTokens} new tokens
     * or has emitted a stop token; a row that stopped is masked out of later steps.
     */
    public static List<Result> generate(TransformerLM model, List<long[]> prompts, GenerationConfig cfg, Hooks hooks) {
        long[] seeds = new long[prompts.size()];
        Arrays.fill(seeds, cfg.seed());
        return generate(model, prompts, cfg, seeds, hooks);
    }

    /**
     * As {@link #generate(TransformerLM, List, GenerationConfig, Hooks)}, row r sampling with seed {@code seeds[r]}
     * instead of the config's (an evaluation that gives each prompt its own seed).
     */
    public static List<Result> generate(TransformerLM model, List<long[]> prompts, GenerationConfig cfg, long[] seeds,
            Hooks hooks) {
        int rows = prompts.size();
        if (seeds.length != rows) {
            throw new IllegalArgumentException(seeds.length + " seeds for " + rows + " prompts");
        }
        int longest = 0;
        for (long[] p : prompts) {
            if (p.length == 0) {
                throw new IllegalArgumentException("every prompt must hold at least one token");
            }
            longest = Math.max(longest, p.length);
        }
        int total = longest + cfg.maxNewTokens();
        long[][] seq = new long[rows][total];
        long[][] real = new long[rows][total];
        SplittableRandom[] rng = new SplittableRandom[rows];
        int[] produced = new int[rows];
        boolean[] stopped = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            long[] p = prompts.get(r);
            System.arraycopy(p, 0, seq[r], longest - p.length, p.length);
            Arrays.fill(real[r], longest - p.length, longest, 1);
            rng[r] = new SplittableRandom(seeds[r]);
        }
        int len = longest;
        int active = rows;
        try (KvCache cache = cfg.useCache() ? new KvCache(model.manager(), model.config().numLayers()) : null) {
            while (len < total && active > 0) {
                float[] logits;
                int vocab;
                try (NDManager step = model.manager().newSubManager()) {
                    // With a cache only the positions not yet seen run through the model.
                    int from = cache == null ? 0 : cache.length();
                    long[] ids = new long[rows * (len - from)];
                    long[] mask = new long[rows * len];
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(seq[r], from, ids, r * (len - from), len - from);
                        System.arraycopy(real[r], 0, mask, r * len, len);
                    }
                    NDArray out = model.forward(step, ids, rows, len - from, mask, hooks, cache);
                    vocab = Math.toIntExact(out.getShape().get(2));
                    logits = out.get(":, -1, :").toFloatArray();
                }
                for (int r = 0; r < rows; r++) {
                    if (stopped[r]) {
                        seq[r][len] = PAD;
                        continue;
                    }
                    long next = Sampler.sample(Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab), cfg, rng[r]);
                    seq[r][len] = next;
                    real[r][len] = 1;
                    produced[r]++;
                    if (cfg.stopTokens().contains(next)) {
                        stopped[r] = true;
                        active--;
                    }
                }
                len++;
            }
        }
        List<Result> results = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            results.add(new Result(Arrays.copyOfRange(seq[r], longest, longest + produced[r]), stopped[r]));
        }
        return results;
    }
}
