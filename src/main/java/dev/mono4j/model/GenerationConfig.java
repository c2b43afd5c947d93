package dev.mono4j.model;

import java.util.Set;

/**
 * How to pick each next token.
 *
 * @param temperature 0 for greedy decoding; otherwise logits are divided by it before sampling
 * @param topK        keep only the k most likely tokens (0: all)
 * @param topP        keep the smallest set of most likely tokens whose probability reaches p (1: all)
 * @param stopTokens  generation ends after emitting one of these (the model's eos ids by default)
 * @param useCache    reuse keys/values of earlier positions (same tokens, much faster)
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, long seed,
        Set<Long> stopTokens, boolean useCache) {

    public GenerationConfig {
        if (maxNewTokens < 0 || temperature < 0 || topK < 0 || topP <= 0 || topP > 1) {
            throw new IllegalArgumentException("need maxNewTokens >= 0, temperature >= 0, topK >= 0, 0 < topP <= 1");
        }
        stopTokens = Set.copyOf(stopTokens);
    }

    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, 0, 0, 1, 0, Set.of(), true);
    }

    public GenerationConfig withCache(boolean cache) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stopTokens, cache);
    }
}
