package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.bench.ModelShape;
import dev.mono4j.io.Json;
import dev.mono4j.metrics.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the commands share: enum conversion, the output-folder options, parent commands, and a bench end to end. */
class SharedOptionsTest {
    @TempDir
    Path tmp;

    @Test
    void enumsConvertOneWayAndListTheirValues() {
        assertEquals(Pool.MEAN, Enums.parse(Pool.class, "mean"));
        assertEquals(Pool.MEAN, Enums.parse(Pool.class, " MEAN "));
        assertEquals(ModelShape.SMOLLM_135M, Enums.parse(ModelShape.class, "smollm-135m"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Enums.parse(Pool.class, "max"));
        assertEquals("'max' is not one of [last, mean]", e.getMessage());
        // Through picocli: one line naming the flag and the values, exit code 2, before any work.
        assertBadInput(cli("bench", "forward", "--models", "gpt2-small,gpt2-huge"), "--models", "'gpt2-huge'",
                "[gpt2-small, smollm-135m]");
        assertBadInput(cli("measure", tmp.resolve("m"), "--data", "conceptworld", "--pool", "max", "--out", tmp.resolve("o")),
                "--pool", "[last, mean]");
        assertTrue(Files.notExists(tmp.resolve("o")));
    }

    @Test
    void outputFolderOptionsNameTheirCommandInHelp() {
        CliTest.Run r = cli("data", "conceptworld", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().replaceAll("\\s+", " ").contains("Replace an earlier 'mono4j data conceptworld' in --out"), r.out());
        assertBadInput(cli("data", "conceptworld"), "--out");
    }

    @Test
    void aParentCommandPrintsItsSubcommands() {
        CliTest.Run r = cli("bench");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Usage: mono4j bench") && r.out().contains("pretrain"), r.out());
    }

    @Test
    void benchSaePrintsItsTableAndWritesTheSameAsJson() throws Exception {
        Path json = tmp.resolve("bench.json");
        CliTest.Run r = cli("bench", "sae", "--d-in", 8, "--d-sae", 32, "--k", 4, "--batch-size", 16, "--steps", 1,
                "--runs", "topk-sparse,relu", "--json", json);
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(5, lines.length, r.out());
        assertEquals("d_in 8, d_sae 32, k 4, batch 16", lines[0]);
        assertTrue(lines[2].startsWith("topk-sparse ") && lines[3].startsWith("relu "), r.out());
        assertTrue(lines[4].startsWith("fp32 GEMM [512 x 768] x [768 x 3072], best of the run: "), r.out());
        JsonNode report = Json.MAPPER.readTree(json.toFile());
        assertEquals(2, report.get("results").size());
        assertEquals("relu", report.get("results").get(1).get("run").asText());
        assertTrue(report.get("results").get(0).get("sparse_decode").asBoolean());
        assertTrue(report.get("results").get(1).get("tokens_per_s").asDouble() > 0);
        assertBadInput(cli("bench", "sae", "--runs", "topk-fast"), "--runs", "topk-fast");
        assertBadInput(cli("bench", "sae", "--steps", 0, "--runs", "relu"), "invalid flags", "steps");
    }

    @Test
    void benchSelectRefusesBadFlagsWithOneLine() {
        assertBadInput(cli("bench", "select", "--pool", 1), "invalid flags", "--pool must be at least 2");
        assertBadInput(cli("bench", "select", "--repeats", 0), "invalid flags", "--repeats must be at least 1");
        assertBadInput(cli("bench", "select", "--presets", "xs,xl"), "invalid flags", "--presets", "unknown preset 'xl'");
        assertBadInput(cli("bench", "select", "--pool", "many"), "--pool", "'many'");
    }
}
