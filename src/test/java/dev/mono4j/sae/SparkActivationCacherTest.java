package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TextSource;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.TorchThreads;
import dev.mono4j.spark.PartFolder;
import dev.mono4j.spark.SparkSessions;
import dev.mono4j.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sae cache --spark} gives the single-machine store byte for byte: on local[1], local[3], 7 partitions,
 * and after an injected task failure (local[2,2]: one retry); a stopped job resumes to the same store; SAE
 * training on either store gives the same weights. ConceptWorld texts, so the concept table's remap counts.
 */
@Tag("spark")
class SparkActivationCacherTest {
    /** 22 texts in batches of 4: ranges of whole batches and a short last batch; small shards, so several. */
    static final ActivationStoreConfig CFG = new ActivationStoreConfig("blocks.1.hook_resid_post", 4, 32, 96);

    @TempDir
    static Path tmp;
    static Path model;
    static Path reference;

    static TextSource texts() {
        return TextSource.conceptWorld(22, 5, 2);
    }

    @BeforeAll
    static void singleMachineStore() {
        // A Spark task runs torch at spark.task.cpus (1) threads; the reference at the same count, as a float
        // reduction split over more threads may round differently (docs/benchmarks.md, --threads).
        TorchThreads.set(1);
        model = TinyModels.save(TinyModels.gpt2(), 4, tmp.resolve("model"));
        reference = tmp.resolve("single");
        ActivationCacher.cache(model, texts(), CFG, reference, false, false, NonFinite.REFUSE, false);
        assertTrue(ActivationStore.open(reference).shards().size() > 2, "several shards");
    }

    /** Runs {@code body} with a session on {@code master}, stopped after (one SparkContext per JVM at a time). */
    static void onSpark(String master, Consumer<SparkSession> body) {
        SparkSession spark = SparkSessions.start(master);
        try {
            body.accept(spark);
        } finally {
            spark.stop();
        }
    }

    static ActivationStore sparkCache(SparkSession spark, Path out, boolean resume, int partitions) {
        return SparkActivationCacher.cache(spark, model, texts(), CFG, out, false, resume, NonFinite.REFUSE, partitions);
    }

    @Test
    void localMastersAndPartitionsGiveTheSingleMachineStoreByteForByte() {
        onSpark("local[1]", spark -> assertSameFiles(reference, sparkCache(spark, tmp.resolve("l1"), false, 2).dir()));
        onSpark("local[3]", spark -> {
            assertSameFiles(reference, sparkCache(spark, tmp.resolve("l3"), false, 3).dir());
            Path seven = sparkCache(spark, tmp.resolve("p7"), false, 7).dir();
            assertSameFiles(reference, seven);
            assertTrue(ActivationStore.open(seven).concepts().size() > 3, "concepts were remapped");

            UserInputException again = assertThrows(UserInputException.class, () -> sparkCache(spark, seven, false, 7));
            assertTrue(again.getMessage().contains("not empty"), again.getMessage());
            assertSameFiles(reference, sparkCache(spark, seven, true, 7).dir()); // resuming a finished store: unchanged
            assertSameFiles(reference, SparkActivationCacher.cache(spark, model, texts(), CFG, seven, true, false,
                    NonFinite.REFUSE, 2).dir());
        });
        // SAE training reads the stores identically: the same weights to the bit.
        assertArrayEquals(trainedWeights(reference, "train-single"), trainedWeights(tmp.resolve("p7"), "train-spark"));
    }

    @Test
    void aFailedTaskIsRetriedAndAStoppedJobResumesToTheSameStore() throws Exception {
        onSpark("local[2,2]", spark -> {
            SparkActivationCacher.FAILURES_TO_INJECT.set(1);
            assertSameFiles(reference, sparkCache(spark, tmp.resolve("retried"), false, 3).dir());
            assertEquals(0, SparkActivationCacher.FAILURES_TO_INJECT.get(), "the failure was injected");

            // Four failures exhaust a task's two attempts: the job stops, some parts may be whole, store.json is not.
            Path stopped = tmp.resolve("stopped");
            SparkActivationCacher.FAILURES_TO_INJECT.set(4);
            assertThrows(RuntimeException.class, () -> sparkCache(spark, stopped, false, 3));
            SparkActivationCacher.FAILURES_TO_INJECT.set(0);
            JsonNode json = Json.read(stopped.resolve(ActivationStore.STORE_FILE));
            assertFalse(json.get("complete").asBoolean());
            PartFolder parts = PartFolder.in(stopped, "safetensors");
            try {
                // What a killed attempt leaves: a temp file, never read; and a part of other texts, recomputed.
                Files.createDirectories(parts.dir());
                Files.writeString(parts.dir().resolve(".part-00000.safetensors.dead.tmp"), "half a part");
                Files.writeString(parts.part(1), "not a part of these texts");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertSameFiles(reference, sparkCache(spark, stopped, true, 3).dir());
        });
    }

    @Test
    void aStoreStoppedAfterSomeShardsIsContinuedOnSpark() throws Exception {
        List<String> lines = new java.util.ArrayList<>();
        texts().iterator().forEachRemaining(t -> lines.add(t.text()));
        Path data = tmp.resolve("stories.txt");
        Path whole = tmp.resolve("whole-from-file");
        Files.write(data, lines);
        ActivationCacher.cache(model, TextSource.file(data, null, 100), CFG, whole, false, false, NonFinite.REFUSE, false);
        // Text 14 empty: the single-machine cache stops there, leaving the shards before it (a store mid-way).
        List<String> broken = new java.util.ArrayList<>(lines);
        broken.set(14, " ");
        Files.write(data, broken);
        Path out = tmp.resolve("continued");
        assertThrows(UserInputException.class, () -> ActivationCacher.cache(model, TextSource.file(data, null, 100), CFG,
                out, false, false, NonFinite.REFUSE, false));
        int committed = Json.read(out.resolve(ActivationStore.STORE_FILE)).get("texts").asInt();
        assertTrue(committed > 0 && committed < 14, "stopped after some shards: " + committed);
        Files.write(data, lines);
        onSpark("local[2]", spark -> assertSameFiles(whole, SparkActivationCacher.cache(spark, model,
                TextSource.file(data, null, 100), CFG, out, false, true, NonFinite.REFUSE, 3).dir()));
    }

    /** The SAE weights of a few TopK steps on {@code store}'s rows. */
    static byte[] trainedWeights(Path store, String run) {
        SaeConfig cfg = SaeConfig.builder().architecture(TopKConfig.DEFAULT).dSae(64).batchSize(16).steps(6).seed(3)
                .logEvery(3).checkpointEvery(6).build();
        SaeTrainer.Summary s = SaeTrainer.train(cfg, SaeData.store(store, 1, 256), tmp.resolve(run), false, r -> { });
        try {
            return Files.readAllBytes(s.sae().resolve("sae_weights.safetensors"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Both folders hold the same file names with the same bytes (nothing else: no part folder, no temp files). */
    static void assertSameFiles(Path expected, Path actual) {
        Map<String, byte[]> a = files(expected);
        Map<String, byte[]> b = files(actual);
        assertEquals(a.keySet(), b.keySet(), actual.toString());
        a.forEach((name, bytes) -> assertArrayEquals(bytes, b.get(name), actual + ": " + name));
    }

    static Map<String, byte[]> files(Path dir) {
        Map<String, byte[]> out = new TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}
