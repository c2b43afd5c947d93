package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerEncoder;
import dev.mono4j.testing.WordLevelTokenizers;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI on a tiny random BERT: what works on an encoder, and what refuses it in one line. */
class BertCommandTest {
    @TempDir
    static Path tmp;

    static Path bert;

    @BeforeAll
    static void saveTinyBert() {
        bert = tmp.resolve("bert");
        Path tokenizer = WordLevelTokenizers.write(tmp.resolve("tokenizer.json"), WordLevelTokenizers.words(36));
        try (TransformerEncoder model = TransformerEncoder.random(ModelConfig.bert(40, 16, 2, 2, 32, 24, 2, 1e-12), 3)) {
            Checkpoint.save(model, bert, tokenizer, false);
        }
    }

    @Test
    void inspectListsEncoderHooks() throws Exception {
        JsonNode json = Json.MAPPER.readTree(cli("inspect", bert, "--json").out());
        assertEquals("BertModel", json.get("architecture").asText());
        assertEquals(2, json.get("type_vocab_size").asInt());
        String hooks = json.get("hook_points").toString();
        assertTrue(hooks.contains("blocks.{0..1}.hook_resid_mid") && hooks.contains("hook_pos_embed"), hooks);
        assertFalse(hooks.contains("ln_final"), hooks);
    }

    @Test
    void forwardSavesTheLastHiddenState() throws Exception {
        Path out = tmp.resolve("acts.safetensors");
        CliTest.Run r = cli("forward", bert, "--text", "w1 w2 w3", "--text", "w4", "--hooks", "blocks.1.hook_resid_post",
                "--out", out);
        assertEquals(0, r.code(), r.err());
        try (SafetensorsReader acts = SafetensorsReader.open(out)) {
            assertEquals("[2, 4, 16]", acts.info("last_hidden_state").shapeString());
            assertEquals(java.util.Arrays.toString(acts.readFloats("blocks.1.hook_resid_post")),
                    java.util.Arrays.toString(acts.readFloats("last_hidden_state")));
        }
    }

    @Test
    void embedPrintsUnitVectorsIndependentOfPadding() throws Exception {
        CliTest.Run both = cli("embed", bert, "--text", "w1 w2 w3", "--text", "w4", "--pooling", "MEAN");
        assertEquals(0, both.code(), both.err());
        String[] lines = both.out().strip().split("\n");
        assertEquals(2, lines.length);
        double[] v = Json.MAPPER.readValue(lines[1], double[].class);
        assertEquals(16, v.length);
        assertEquals(1.0, java.util.Arrays.stream(v).map(x -> x * x).sum(), 1e-5);
        double[] alone = Json.MAPPER.readValue(cli("embed", bert, "--text", "w4").out().strip(), double[].class);
        for (int i = 0; i < v.length; i++) {
            assertEquals(alone[i], v[i], 1e-5, "padding does not enter the mean");
        }
    }

    @Test
    void causalOnlyCommandsRefuseAnEncoder() {
        assertBadInput(cli("generate", bert, "--prompt", "w1"), bert.resolve("config.json").toString(),
                "BertModel is an encoder", "generation needs a causal language model");
        assertBadInput(cli("embed", Path.of("src/test/resources/fixtures/gpt2-tiny"), "--text", "x"),
                "GPT2LMHeadModel is a causal language model");
    }
}
