package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import dev.mono4j.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lens} and {@code patch} end to end on a tiny Llama with a word-level tokenizer (words w0 .. w39). */
class LensCommandTest {
    @TempDir
    static Path tmp;

    static Path model;

    @BeforeAll
    static void saveModel() {
        model = TinyModels.save(TinyModels.llama(), 3, tmp.resolve("llama"));
    }

    @Test
    void lensWritesTheLayersAndTheAttributionThatSumsToTheLogitDifference() throws Exception {
        Path out = tmp.resolve("lens");
        CliTest.Run r = cli("lens", model, "--text", "w1 w2 w3 w4", "--top-k", 3, "--answer", "w5", "--wrong", "id:9",
                "--out", out);
        assertEquals(0, r.code(), r.err());
        JsonNode json = Json.read(out.resolve("lens.json"));
        assertEquals(3, json.get("layers").size(), "embed and two layers");
        JsonNode firstPosition = json.get("layers").get(0).get("positions").get(0);
        assertEquals(3, firstPosition.get("top").size());
        JsonNode a = json.get("attribution");
        assertEquals("w5", a.get("answer").get("token").asText());
        assertEquals(9, a.get("wrong").get("id").asLong());
        assertEquals(a.get("logit_diff").asDouble(), a.get("sum").asDouble(), 1e-4);
        assertTrue(Files.readString(out.resolve("report.html")).contains("Direct logit attribution"));
        assertBadInput(cli("lens", model, "--text", "w1", "--out", out), "--overwrite");
    }

    @Test
    void patchWritesTheGridAndTheNormalisedMetric() throws Exception {
        Path out = tmp.resolve("patch");
        CliTest.Run r = cli("patch", model, "--clean", "w1 w2 w3 w4", "--corrupt", "w1 w7 w3 w4", "--answer", "w5",
                "--wrong", "w6", "--hook", "mlp-out", "--batch-size", 3, "--out", out);
        assertEquals(0, r.code(), r.err());
        JsonNode json = Json.read(out.resolve("patch.json"));
        assertEquals("mlp_out", json.get("hook").asText());
        assertEquals(2, json.get("rows").size());
        int tokens = json.get("clean_tokens").size();
        assertEquals(tokens, json.get("normalised").get(0).size());
        double clean = json.get("clean_logit_diff").asDouble();
        double corrupt = json.get("corrupt_logit_diff").asDouble();
        double patched = json.get("logit_diff").get(1).get(tokens - 1).asDouble();
        assertEquals((patched - corrupt) / (clean - corrupt), json.get("normalised").get(1).get(tokens - 1).asDouble(), 1e-9);
        assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));
    }

    @Test
    void badInputIsOneLine() {
        Path out = tmp.resolve("bad");
        assertBadInput(cli("patch", model, "--clean", "w1 w2 w3", "--corrupt", "w1 w2", "--answer", "w5", "--wrong", "w6",
                "--out", out), "--clean", "--corrupt", "same number");
        assertBadInput(cli("patch", model, "--clean", "w1 w2", "--corrupt", "w1 w3", "--answer", "nosuchword", "--wrong",
                "w6", "--out", out), "--answer", "not in the tokenizer's vocabulary");
        assertBadInput(cli("patch", model, "--clean", "w1 w2", "--corrupt", "w1 w3", "--answer", "w5 w6", "--wrong", "w6",
                "--out", out), "--answer", "2 tokens");
        assertBadInput(cli("patch", model, "--clean", "w1 w2", "--corrupt", "w1 w3", "--answer", "w5", "--wrong", "w6",
                "--hook", "resid-post", "--out", out), "--hook", "resid-pre");
        assertBadInput(cli("lens", model, "--text", "w1", "--answer", "w5", "--out", out), "--answer and --wrong");
        assertBadInput(cli("lens", model, "--text", "w1", "--answer", "w5", "--wrong", "id:500", "--out", out),
                "outside the model's vocabulary");
    }
}
