package dev.mono4j.sae;

/**
 * How {@code sae cache} fills an activation store.
 *
 * @param hook      the one hook point cached, e.g. {@code blocks.1.hook_resid_post}
 * @param batchSize texts per forward pass (bounds the model's working memory)
 * @param maxTokens longer texts are cut to this many tokens
 * @param shardRows rows per shard file at most, and so the rows the cache holds in memory; a shard holds
 *                  whole texts, so it must fit the longest one
 */
public record ActivationStoreConfig(String hook, int batchSize, int maxTokens, int shardRows)
        implements java.io.Serializable { // Spark tasks carry it (SparkActivationCacher)
    public static final int DEFAULT_BATCH_SIZE = 16;
    public static final int DEFAULT_MAX_TOKENS = 256;
    /**
     * 65,536 rows: 64 MiB of F32 at d_in 256 (ConceptWorld models), 192 MiB at GPT-2 small's 768-wide residual
     * stream, 768 MiB at its 3,072-wide MLP, all within the launcher's 8 GB heap; a million-token store is 16
     * files, and a kill loses at most one shard's forward passes.
     */
    public static final int DEFAULT_SHARD_ROWS = 65_536;

    public ActivationStoreConfig {
        if (hook == null || hook.isBlank()) {
            throw new IllegalArgumentException("a hook point is needed, e.g. blocks.0.hook_resid_post");
        }
        if (batchSize < 1 || maxTokens < 1) {
            throw new IllegalArgumentException("batch size and max tokens must be at least 1");
        }
        if (shardRows < maxTokens) {
            throw new IllegalArgumentException("shard rows (" + shardRows + ") must be at least max tokens (" + maxTokens
                    + "): a shard holds whole texts");
        }
    }
}
