package dev.mono4j.cli;

import dev.mono4j.data.TextSource;
import dev.mono4j.io.NonFinite;
import dev.mono4j.sae.ActivationStore;
import dev.mono4j.sae.ActivationStoreConfig;
import dev.mono4j.sae.SparkActivationCacher;
import dev.mono4j.spark.SparkAvailability;
import dev.mono4j.spark.SparkSessions;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code sae cache --spark}: a session on the master, the Spark cache, the session stopped. A class of its own so
 * that {@link SaeCacheCommand} names no Spark class: without Spark on the class path, --spark is one line.
 */
final class SparkCache {
    private SparkCache() {
    }

    static ActivationStore run(String master, Integer partitions, Path model, TextSource texts, ActivationStoreConfig cfg,
            Path out, boolean overwrite, boolean resume, NonFinite nonFinite) {
        SparkAvailability.require("--spark");
        return start(master, partitions, model, texts, cfg, out, overwrite, resume, nonFinite);
    }

    /** Only reached with Spark present: this method's body is the first to load a Spark class. */
    private static ActivationStore start(String master, Integer partitions, Path model, TextSource texts,
            ActivationStoreConfig cfg, Path out, boolean overwrite, boolean resume, NonFinite nonFinite) {
        SparkSession spark = SparkSessions.start(master);
        try {
            int tasks = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
            return SparkActivationCacher.cache(spark, model, texts, cfg, out, overwrite, resume, nonFinite, tasks);
        } finally {
            spark.stop();
        }
    }
}
