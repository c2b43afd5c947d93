package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.data.factorgraph.FactorGraphWriter;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data factorgraph} and {@code factorgraph eval} through the CLI: files, summaries, one-line errors (exit 2). */
class FactorGraphCommandTest {
    @TempDir
    Path tmp;

    static void assertBadInput(CliTest.Run r, String expected) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    @Test
    void generateThenEvaluate() throws Exception {
        Path data = tmp.resolve("fg");
        CliTest.Run r = cli("data", "factorgraph", "--out", data, "--variables", 6, "--values", 3, "--samples", 50,
                "--valid", 30, "--ood", 30, "--seed", 2);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("wrote " + data + ": 6 variables x 3 values\n"), r.out());
        assertTrue(r.out().matches("(?s).*\\n  ood +30 lines \\(\\d+ masked roots\\), Bayes NLL .*"), r.out());
        for (String f : FactorGraphWriter.OUTPUTS) {
            assertTrue(Files.exists(data.resolve(f)), f);
        }
        String train = Files.readString(data.resolve("train.txt"));
        assertBadInput(cli("data", "factorgraph", "--out", data, "--samples", 5), "not empty");
        r = cli("data", "factorgraph", "--out", data, "--variables", 6, "--values", 3, "--samples", 50, "--valid", 30,
                "--ood", 30, "--seed", 2, "--overwrite");
        assertEquals(0, r.code(), r.err());
        assertEquals(train, Files.readString(data.resolve("train.txt")), "same seed, same lines");

        Path model = tmp.resolve("model");
        try (Tokenizer tok = Tokenizer.load(data.resolve("tokenizer.json"));
                TransformerLM m = TransformerLM.random(ModelConfig.llama(tok.vocabSize(), 16, 1, 2, 2, 32, 16, true), 1)) {
            Checkpoint.save(m, model, data.resolve("tokenizer.json"), false);
        }
        Path json = tmp.resolve("eval.json");
        r = cli("factorgraph", "eval", model, "--data", data, "--split", "ood", "--batch-size", 8, "--out", json);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("ood: 30 lines: NLL "), r.out());
        assertTrue(r.out().contains("masked non-roots: "), r.out());
        JsonNode result = Json.read(json);
        assertEquals("ood", result.get("split").asText());
        assertEquals(30, result.get("all").get("lines").asInt());
        assertEquals(result.get("all").get("nll").asDouble() - result.get("all").get("bayesNll").asDouble(),
                result.get("all").get("excess").asDouble(), 1e-12);
        assertTrue(result.get("blanket").isNull(), "no blanket unless asked for");

        Path withBlanket = tmp.resolve("blanket.json");
        r = cli("factorgraph", "eval", model, "--data", data, "--split", "ood", "--blanket", "--out", withBlanket);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("blanket F1 (attention pattern, "), r.out());
        JsonNode blanket = Json.read(withBlanket).get("blanket");
        assertEquals(1, blanket.get("f1ByLayer").size(), "one layer");
        assertEquals(blanket.get("f1ByLayer").get(0).asDouble(), blanket.get("meanF1").asDouble(), 1e-12);
    }

    @Test
    void badInputIsOneLine() throws Exception {
        assertBadInput(cli("data", "factorgraph", "--out", tmp.resolve("a"), "--alpha", 0), "alpha 0.0 must be a positive number");
        assertBadInput(cli("data", "factorgraph", "--out", tmp.resolve("a"), "--max-parents", 12), "max parents 12");
        assertFalse(Files.exists(tmp.resolve("a")), "nothing written");
        Path data = tmp.resolve("fg");
        assertEquals(0, cli("data", "factorgraph", "--out", data, "--variables", 4, "--values", 2, "--samples", 5,
                "--valid", 5, "--ood", 0).code());
        Path model = tmp.resolve("model");
        try (Tokenizer tok = Tokenizer.load(data.resolve("tokenizer.json"));
                TransformerLM m = TransformerLM.random(ModelConfig.llama(tok.vocabSize(), 16, 1, 2, 2, 32, 16, true), 1)) {
            Checkpoint.save(m, model, data.resolve("tokenizer.json"), false);
        }
        assertBadInput(cli("factorgraph", "eval", model, "--data", data, "--split", "test"), "--split");
        assertBadInput(cli("factorgraph", "eval", model, "--data", data, "--split", "ood"), "ood.txt: has no lines");
        assertBadInput(cli("factorgraph", "eval", model, "--data", tmp.resolve("none")), "valid.txt: file not found");
        assertBadInput(cli("factorgraph", "eval", model, "--data", data, "--batch-size", 0), "--batch-size 0");
        // A model whose tokenizer lacks the tokens.
        Path other = tmp.resolve("other");
        assertEquals(0, cli("data", "factorgraph", "--out", other, "--variables", 3, "--values", 2, "--samples", 5).code());
        Path otherModel = tmp.resolve("other-model");
        try (Tokenizer tok = Tokenizer.load(other.resolve("tokenizer.json"));
                TransformerLM m = TransformerLM.random(ModelConfig.llama(tok.vocabSize(), 16, 1, 2, 2, 32, 16, true), 1)) {
            Checkpoint.save(m, otherModel, other.resolve("tokenizer.json"), false);
        }
        assertBadInput(cli("factorgraph", "eval", otherModel, "--data", data), "has no token 'v3_0'");
    }
}
