package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.sae.ActivationCacher;
import dev.mono4j.sae.ActivationStore;
import dev.mono4j.sae.ActivationStoreConfig;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./mono4j sae cache}: one hook's activations of a model over texts, stored for SAE training. */
@Command(name = "cache", mixinStandardHelpOptions = true,
        description = "Cache one hook's activations of a model over texts (an activation store for sae train and eval): --out gets store.json and"
                + " activations_NNNNN.safetensors.")
final class SaeCacheCommand extends CliCommand {
    @Parameters(paramLabel = "MODEL_DIR", description = "Checkpoint folder (config.json, weights, tokenizer.json).")
    Path model;

    @Option(names = "--hook", required = true, description = "The hook point, e.g. blocks.1.hook_resid_post or"
            + " blocks.0.mlp.hook_post (./mono4j inspect lists them).")
    String hook;

    @Mixin
    TextOptions texts;

    @Mixin
    OutputFolderOptions output;

    @Option(names = "--batch-size", description = "Texts per forward pass (default ${DEFAULT-VALUE}).")
    int batchSize = ActivationStoreConfig.DEFAULT_BATCH_SIZE;

    @Option(names = "--max-tokens", description = "Longer texts are cut to this many tokens (default ${DEFAULT-VALUE}).")
    int maxTokens = ActivationStoreConfig.DEFAULT_MAX_TOKENS;

    @Option(names = "--shard-rows", description = "Rows per shard file, and so rows held in memory (default ${DEFAULT-VALUE}).")
    int shardRows = ActivationStoreConfig.DEFAULT_SHARD_ROWS;

    @Option(names = "--seed", description = "Seed of generated ConceptWorld stories (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resume", description = "Continue a stopped cache in --out (same model, hook, data and settings).")
    boolean resume;

    @Mixin
    NonFiniteOption nonFinite;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Run the forward passes as Apache Spark tasks on"
            + " this master (local[2], spark://host:7077, yarn; docs/scale-out.md): the same store, byte for byte."
            + " Needs Spark on the class path (mvn -P spark package).")
    String spark;

    @Option(names = "--partitions", description = "With --spark: Spark tasks, each a range of whole batches (default:"
            + " Spark's default parallelism, the cores of a local master).")
    Integer partitions;

    @Override
    public void run() {
        ActivationStoreConfig cfg = Flags.check(() -> new ActivationStoreConfig(hook, batchSize, maxTokens, shardRows));
        if (spark == null && partitions != null) {
            throw new UserInputException("--partitions needs --spark MASTER");
        }
        ActivationStore s = spark == null
                ? ActivationCacher.cache(model, texts.open(seed, null), cfg, output.out, output.overwrite, resume,
                        nonFinite.policy(), true)
                : SparkCache.run(spark, partitions, model, texts.open(seed, null), cfg, output.out, output.overwrite,
                        resume, nonFinite.policy());
        out().printf(java.util.Locale.ROOT, "cached %,d rows of %s (d_in %d) from %,d texts in %d"
                + " shards: %s%n", s.rows(), s.hookName(), s.dIn(), s.texts(), s.shards().size(), s.dir());
    }
}
