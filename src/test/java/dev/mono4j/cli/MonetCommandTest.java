package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.data.conceptworld.ConceptWorldConfig;
import dev.mono4j.data.conceptworld.ConceptWorldWriter;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.MonetFamily;
import dev.mono4j.model.MonetSettings;
import dev.mono4j.model.TransformerLM;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code monet experts} and {@code monet resect} end to end on a tiny random Monet with ConceptWorld's tokenizer. */
class MonetCommandTest {
    @TempDir
    static Path tmp;
    static Path monet;
    static Path dense;

    @BeforeAll
    static void tinyModels() {
        Path world = tmp.resolve("world");
        ConceptWorldWriter.Summary s = ConceptWorldWriter.write(new ConceptWorldConfig(20, 1, 2, 0.1), world);
        Path tokenizer = world.resolve("tokenizer.json");
        ModelConfig mc = MonetFamily.config(s.vocabSize(), 32, 3, 4, 2, 128, false,
                new MonetSettings(4, 2, 8, 2, 2, MonetSettings.Decomposition.VERTICAL));
        monet = save(mc, tokenizer, "monet");
        dense = save(ModelConfig.llama(s.vocabSize(), 32, 2, 4, 2, 64, 128, false), tokenizer, "dense");
    }

    private static Path save(ModelConfig c, Path tokenizer, String name) {
        try (TransformerLM lm = TransformerLM.random(c, 5)) {
            Checkpoint.save(lm, tmp.resolve(name), tokenizer, false);
        }
        return tmp.resolve(name);
    }

    @Test
    void expertsWritesEachLabelsExperts() {
        Path out = tmp.resolve("experts");
        CliTest.Run r = cli("monet", "experts", monet, "--data", "conceptworld", "--samples", 24, "--by", "dialect",
                "--out", out);
        assertEquals(0, r.code(), r.err());
        JsonNode json = Json.read(out.resolve("experts.json"));
        assertEquals(2, json.get("groups").size(), "routers 0 and 2");
        assertEquals(2, json.get("labels").size(), "two dialects");
        for (JsonNode l : json.get("labels")) {
            assertEquals(l.get("count").asInt(), l.get("experts").size());
            for (JsonNode x : l.get("experts")) {
                assertTrue(x.get("ratio").isNull() || x.get("ratio").asDouble() >= 2, x.toString());
            }
        }
        assertTrue(r.out().contains("experts: " + out.resolve("experts.json")), r.out());
    }

    @Test
    void resectReportsEveryLabelWithBothBaselinesAndTheToxicityRows() {
        Path out = tmp.resolve("resect");
        CliTest.Run r = cli("monet", "resect", monet, "--data", "conceptworld", "--samples", 40, "--by", "hostility",
                "--ratio", 1.2, "--dense", dense, "--dense-budget", "weights", "--random-draws", 2, "--toxicity",
                "--thresholds", "0.1,0.0", "--prompts", 3, "--out", out);
        assertEquals(0, r.code(), r.err());
        JsonNode json = Json.read(out.resolve("resect.json"));
        JsonNode labels = json.get("labels");
        assertTrue(labels.size() >= 2, labels.toString());
        for (JsonNode l : labels) {
            assertTrue(l.get("monet").get("target").isNumber() && l.get("random").get("others").isNumber(), l.toString());
            assertEquals(Math.round(l.get("removedWeights").asDouble() / (3.0 * 32)), l.get("denseNeurons").asLong(),
                    "the weight budget: 3·d per SwiGLU neuron");
        }
        JsonNode tox = json.get("toxicity");
        assertEquals(3, tox.size(), "no mask, then each threshold");
        assertEquals(0, tox.get(0).get("masked").asInt());
        assertTrue(tox.get(2).get("masked").asInt() >= tox.get(1).get("masked").asInt(), "a lower threshold masks more");
        assertTrue(r.out().contains("threshold"), r.out());
        String html = read(out.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("dense neurons") && html.contains("Toxicity analogue"), html);
    }

    /** By default the dense baseline masks the same share of its neurons as of Monet's expert units. */
    @Test
    void theDefaultDenseBudgetIsTheSameShareOfUnits() {
        Path out = tmp.resolve("resect-units");
        CliTest.Run r = cli("monet", "resect", monet, "--data", "conceptworld", "--samples", 40, "--by", "hostility",
                "--ratio", 1.2, "--dense", dense, "--random-draws", 1, "--out", out);
        assertEquals(0, r.code(), r.err());
        for (JsonNode l : Json.read(out.resolve("resect.json")).get("labels")) {
            assertEquals(Math.round(l.get("unitShare").asDouble() * 64 * 2), l.get("denseNeurons").asLong(),
                    "the share of the dense model's 2 x 64 neurons: " + l);
        }
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path out = tmp.resolve("bad");
        assertBadInput(cli("monet", "experts", dense, "--data", "conceptworld", "--samples", 4, "--out", out),
                "config.json", "need a Monet model");
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "dog cat\nbread soup\n");
        assertBadInput(cli("monet", "experts", monet, "--data", plain, "--out", out), "plain.txt:1", "no label");
        assertBadInput(cli("monet", "experts", monet, "--data", plain, "--by", "domain", "--out", out), "--by");
        assertBadInput(cli("monet", "resect", monet, "--data", "conceptworld", "--samples", 8, "--ratio", 0.5, "--out", out),
                "ratio");
        assertBadInput(cli("monet", "resect", monet, "--data", "conceptworld", "--samples", 20, "--only", "nowhere",
                "--out", out), "--only", "nowhere");
        assertTrue(Files.notExists(out), "nothing was written");
    }

    private static String read(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
