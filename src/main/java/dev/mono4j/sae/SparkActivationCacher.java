package dev.mono4j.sae;

import dev.mono4j.UserInputException;
import dev.mono4j.data.EncodedTexts;
import dev.mono4j.data.LabelledText;
import dev.mono4j.data.TextSource;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.Transformer;
import dev.mono4j.sae.ActivationCacher.TextRows;
import dev.mono4j.spark.ExecutorCache;
import dev.mono4j.spark.PartFolder;
import dev.mono4j.spark.TextRanges;
import dev.mono4j.spark.TextRanges.Range;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.SparkSession;

/**
 * {@code sae cache --spark}: the same store as {@link ActivationCacher}, byte for byte, with the forward passes
 * run as Spark tasks (docs/scale-out.md). The driver numbers the texts and cuts them into contiguous ranges of
 * whole batches ({@link TextRanges}); each task runs {@link ActivationCacher#captureBatch} over its range's
 * batches (the batches one machine would run: same padding, same float bits) and writes one part file
 * ({@link ActivationPart}) into the store's {@link PartFolder}; then the driver streams the parts, in text order,
 * through the one {@link ActivationStoreWriter}, so shards, store.json and the concept table (first seen, first
 * listed) are the single-machine ones, and deletes the part folder.
 *
 * <p>Failures: a failed task is retried by Spark and rewrites its part identically; a part is only ever renamed
 * into place whole, and the driver checks that each holds the texts it numbered. With {@code resume}, a store
 * already complete is returned; an unfinished one keeps its complete shards and the parts that still hold their
 * range's texts (a stopped job or commit loses no finished task), the missing parts are computed and the commit
 * continues after the shards.
 */
public final class SparkActivationCacher {
    /** Test seam: tasks to fail (once each) after computing their rows, before writing the part. */
    static final AtomicInteger FAILURES_TO_INJECT = new AtomicInteger();

    private SparkActivationCacher() {
    }

    /**
     * Caches {@code cfg.hook()} of the checkpoint in {@code modelDir} over {@code texts} into {@code out} on
     * {@code spark}, in at most {@code partitions} tasks. {@code out} must be a folder that the driver and every
     * executor see at the same path; so must {@code modelDir}.
     */
    public static ActivationStore cache(SparkSession spark, Path modelDir, TextSource texts, ActivationStoreConfig cfg,
            Path out, boolean overwrite, boolean resume, NonFinite nonFinite, int partitions) {
        if (partitions < 1) {
            throw new UserInputException("--partitions must be at least 1, not " + partitions);
        }
        String modelPath = modelDir.toAbsolutePath().normalize().toString();
        if (!resume) { // a bad --out fails before any work
            ActivationStoreWriter.checkOut(out, overwrite);
        }
        ModelConfig config = ModelConfig.read(modelDir.resolve("config.json"));
        Tokenizer.load(modelDir).close(); // a missing or broken tokenizer fails here, not in every task
        ActivationStore.Manifest planned = ActivationCacher.plan(config, modelPath, texts, cfg, overwrite, resume);
        PartFolder parts = PartFolder.in(out, "safetensors");
        ActivationStoreWriter w;
        if (resume) {
            w = ActivationStoreWriter.resume(out, planned);
            if (w.complete()) {
                parts.delete();
                return ActivationStore.open(out);
            }
        } else {
            w = ActivationStoreWriter.create(out, planned, overwrite);
            w.begin(); // store.json first: a job stopped before its commit is continued with --resume
        }
        List<LabelledText> all = new ArrayList<>(texts.size());
        texts.iterator().forEachRemaining(t -> all.add(serializable(t)));
        ActivationCacher.skipCachedTexts(w, all.iterator(), texts.name(), out);
        int committed = w.texts();
        // Cut from text 0 whatever was committed: the ranges, and so the batches, are those of a fresh run.
        List<Range> ranges = TextRanges.cut(0, all.size(), partitions, cfg.batchSize()).stream()
                .filter(r -> r.to() > committed).toList();
        parts.deleteTempFiles();
        List<RangeTask> todo = ranges.stream().filter(r -> !parts.has(r.index())
                || !ActivationPart.holds(parts.part(r.index()), r.from(), all.subList(r.from(), r.to())))
                .map(r -> new RangeTask(r, new ArrayList<>(all.subList(r.from(), r.to())))).toList();
        if (!todo.isEmpty()) {
            runTasks(spark, todo, new PartTask(modelPath, cfg, planned.maxTokens(), nonFinite, parts));
        }
        for (Range r : ranges) { // the commit: one part in memory at a time
            List<TextRows> rows = ActivationPart.read(parts.part(r.index()), r.from(), all.subList(r.from(), r.to()));
            for (int t = Math.max(r.from(), committed) - r.from(); t < rows.size(); t++) {
                w.add(rows.get(t));
            }
        }
        ActivationStore store = w.finish();
        parts.delete();
        return store;
    }

    /** A text with its concepts in a serializable list (a source may give a view that is not). */
    private static LabelledText serializable(LabelledText t) {
        return t.wordConcepts() == null ? t
                : new LabelledText(t.source(), t.text(), t.label(), new ArrayList<>(t.wordConcepts()));
    }

    /** Runs one Spark task per range; a task's own one-line error (after Spark's retries) is the job's. */
    private static void runTasks(SparkSession spark, List<RangeTask> todo, PartTask task) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try {
            // As many slices as elements: Spark's parallelize then puts exactly one range in each partition.
            jsc.parallelize(todo, todo.size()).map(task).collect();
        } catch (Exception e) { // Scala throws SparkException, a checked exception, undeclared
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof UserInputException u) {
                    throw u;
                }
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
    }

    /** A range and its texts: what one task gets. */
    record RangeTask(Range range, ArrayList<LabelledText> texts) implements java.io.Serializable {
    }

    /** A loaded model and its tokenizer, kept for the executor's life (ExecutorCache). */
    private record Loaded(Transformer model, Tokenizer tok) {
    }

    /**
     * What each task runs on its executor: loads the model once per JVM, limits torch's threads to the task's
     * slot, captures its range batch by batch and writes the range's part. All task threads of one JVM share one
     * model: a forward pass keeps its state in its own ForwardPass, Hooks and NDManager sub-manager (DJL attaches
     * sub-managers in a concurrent map), and the weights are only read, so concurrent passes do not interfere (the
     * local[3] test compares their bytes with one thread's).
     */
    record PartTask(String modelPath, ActivationStoreConfig cfg, int maxTokens, NonFinite nonFinite, PartFolder parts)
            implements Function<RangeTask, Integer> {
        @Override
        public Integer call(RangeTask task) {
            ExecutorCache.limitTorchThreadsToTaskSlot();
            Loaded m = ExecutorCache.get("mono4j model " + modelPath + " (" + nonFinite + ")", () -> {
                Path dir = Path.of(modelPath);
                return new Loaded(Checkpoint.load(dir, nonFinite), Tokenizer.load(dir));
            });
            List<TextRows> rows = new ArrayList<>(task.texts().size());
            Iterator<LabelledText> it = task.texts().iterator();
            while (it.hasNext()) {
                rows.addAll(ActivationCacher.captureBatch(m.model(), m.tok(), EncodedTexts.nextBatch(it, cfg.batchSize()),
                        cfg.hook(), maxTokens, nonFinite));
            }
            if (FAILURES_TO_INJECT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("injected failure of the task of range " + task.range().index());
            }
            Range r = task.range();
            ActivationPart.write(parts.part(r.index()), r.from(), task.texts(), rows);
            return r.index();
        }
    }
}
