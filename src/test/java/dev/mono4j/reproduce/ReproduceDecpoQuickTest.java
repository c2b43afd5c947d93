package dev.mono4j.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.align.AlignTrainer;
import dev.mono4j.io.Json;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reproduce decpo --quick} end to end: the same seed gives the same numbers, and a partial run resumes to them. */
@Tag("slow")
class ReproduceDecpoQuickTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void quickRunIsRepeatableAndResumes(@TempDir Path tmp) throws Exception {
        ReproduceDecpoConfig cfg = ReproduceDecpoConfig.quickBuilder().build();
        ReproduceDecpo.run(cfg, tmp.resolve("a"), false, QUIET);
        ReproduceDecpo.run(cfg, tmp.resolve("b"), false, QUIET);
        JsonNode a = numbers(tmp.resolve("a"));
        assertEquals(a, numbers(tmp.resolve("b")), "same config, same numbers");
        assertTrue(a.path("claims").size() >= 10, "a verdict per claim");
        assertTrue(Files.readString(tmp.resolve("a").resolve(ReproduceDecpo.VERDICTS_FILE)).contains("| Table 2 |"));

        // A stopped run: one alignment run lost its end (final model, summary) but kept its checkpoint, and the
        // run's own outputs are gone; continuing it must give the same numbers.
        Path b = tmp.resolve("b");
        Path run = b.resolve("align/llama-xs/toxicity/dpo/runs/dpo/seed1");
        assertTrue(AlignTrainer.resumable(run));
        Files.delete(run.resolve(AlignTrainer.SUMMARY_FILE));
        deleteTree(run.resolve(AlignTrainer.FINAL_DIR));
        Files.delete(run.resolve("eval.json"));
        Files.delete(b.resolve(ReproduceDecpo.RESULTS_FILE));
        ReproduceDecpo.run(cfg, b, false, QUIET);
        assertEquals(a, numbers(b), "the resumed run ends with the same numbers");
    }

    /** results.json without its timings. */
    private static JsonNode numbers(Path out) {
        ObjectNode n = (ObjectNode) Json.read(out.resolve(ReproduceDecpo.RESULTS_FILE));
        n.remove("wall_seconds");
        return n;
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
