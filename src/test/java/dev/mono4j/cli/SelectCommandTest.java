package dev.mono4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code select} from the command line: its files and summary line, and one-line errors with exit code 2. */
class SelectCommandTest {
    @TempDir
    Path tmp;

    private Path jsonl(String name, int n, String prefix) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add(Json.line(Json.object("text", prefix + " apple " + i, "domain", i % 2 == 0 ? "fruit" : "other")));
        }
        return Files.write(tmp.resolve(name), lines);
    }

    @Test
    void bm25SelectsAndReportsPrecision() throws Exception {
        Path pool = jsonl("pool.jsonl", 40, "pear");
        Files.writeString(pool, Json.line(Json.object("text", "kiwi kiwi banana", "domain", "fruit")) + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        Path targets = Files.write(tmp.resolve("t.jsonl"), List.of(Json.line(Json.object("text", "kiwi banana"))));
        CliTest.Run r = CliTest.cli("select", "--pool", pool, "--targets", targets, "--method", "bm25", "--count", "1",
                "--relevant", "domain=fruit", "--out", tmp.resolve("out"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("selected 1 of 41 samples by bm25"), r.out());
        assertTrue(r.out().contains("domain=fruit: precision 1.000, recall 0.048 (21 relevant in the pool)"), r.out());
        assertEquals(List.of("kiwi kiwi banana"), Files.readAllLines(tmp.resolve("out/selected.txt")));
        assertEquals(41 * 4, Files.size(tmp.resolve("out/scores.f32")));
        CliTest.Run again = CliTest.cli("select", "--pool", pool, "--targets", targets, "--method", "bm25", "--out",
                tmp.resolve("out"));
        CliTest.assertBadInput(again, "not empty", "--resume", "--overwrite");
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path pool = jsonl("pool.jsonl", 3, "pear");
        Files.writeString(pool, "{\"text\": 3\n", java.nio.file.StandardOpenOption.APPEND);
        Path targets = jsonl("t.jsonl", 2, "kiwi");
        CliTest.assertBadInput(CliTest.cli("select", "--pool", pool, "--targets", targets, "--method", "random", "--out",
                tmp.resolve("a")), "pool.jsonl:4");
        CliTest.assertBadInput(CliTest.cli("select", "--pool", jsonl("p2.jsonl", 3, "x"), "--targets", targets, "--out",
                tmp.resolve("b")), "--method jaccard needs --model");
        CliTest.assertBadInput(CliTest.cli("select", "--pool", jsonl("p3.jsonl", 3, "x"), "--targets", targets,
                "--method", "bm25", "--relevant", "domain", "--out", tmp.resolve("c")), "FIELD=VALUE");
        CliTest.assertBadInput(CliTest.cli("select", "--pool", jsonl("p4.jsonl", 3, "x"), "--targets", targets,
                "--method", "clustering", "--out", tmp.resolve("d")), "jaccard", "bm25");
    }
}
