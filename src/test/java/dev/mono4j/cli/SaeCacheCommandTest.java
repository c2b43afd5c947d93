package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import dev.mono4j.sae.ActivationStore;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.testing.WordLevelTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./mono4j sae cache} end to end on a tiny model, and its one-line errors. */
class SaeCacheCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path texts;

    @BeforeAll
    static void tinyModelAndTexts() throws Exception {
        model = TinyModels.save(TinyModels.gpt2(), 2, tmp.resolve("model"));
        texts = Files.writeString(tmp.resolve("texts.txt"), WordLevelTokenizers.text(WordLevelTokenizers.words(40), 12, 1));
    }

    /** {@code sae cache} of the tiny model's first MLP over the texts; shards of 64 rows unless flags say otherwise. */
    private static CliTest.Run cache(Path out, Object... flags) {
        Object[] size = Stream.of(flags).anyMatch(f -> f.equals("--shard-rows") || f.equals("--max-tokens"))
                ? new Object[0] : new Object[] {"--max-tokens", 32, "--shard-rows", 64};
        return cli(Stream.of(new Object[] {"sae", "cache", model, "--hook", "blocks.0.mlp.hook_post", "--data", texts,
            "--out", out}, size, flags).flatMap(Stream::of).toArray());
    }

    @Test
    void cachesAStoreAndRefusesToReplaceIt() throws Exception {
        Path out = tmp.resolve("store");
        CliTest.Run r = cache(out, "--batch-size", 5);
        assertEquals(0, r.code(), r.err());
        ActivationStore s = ActivationStore.open(out);
        assertEquals(String.format("cached %,d rows of blocks.0.mlp.hook_post (d_in 128) from 12 texts in %d shards: %s",
                s.rows(), s.shards().size(), out), r.out().strip());
        assertEquals(4 * TinyModels.gpt2().hiddenSize(), s.dIn(), "GPT-2's MLP is 4x wide");
        assertTrue(s.shards().size() > 1);

        assertBadInput(cache(out), out.toString(), "not empty", "--resume", "--overwrite");
        assertEquals(r.out(), cache(out, "--resume").out(), "resuming a finished store changes nothing");
        assertEquals(r.out(), cache(out, "--overwrite").out());
        assertBadInput(cache(out, "--resume", "--overwrite"), "exclude each other");
        assertBadInput(cache(out, "--resume", "--max-tokens", 16, "--shard-rows", 64), "store.json",
                "max tokens 32, now 16");
    }

    @Test
    void conceptWorldStoriesBringTheirConcepts() {
        Path out = tmp.resolve("cw");
        CliTest.Run r = cli("sae", "cache", model, "--hook", "blocks.1.hook_resid_post", "--data", "conceptworld",
                "--samples", 4, "--seed", 3, "--out", out);
        assertEquals(0, r.code(), r.err());
        JsonNode json = Json.read(out.resolve(ActivationStore.STORE_FILE));
        assertEquals("conceptworld (seed 3, 2 dialects)", json.get("data").asText());
        assertEquals(4, json.get("texts").asInt());
        assertTrue(json.get("concepts").size() > 0, json.toString());
        assertEquals(1, json.get("shards").size());
    }

    @Test
    void badInputIsOneLine() throws Exception {
        assertBadInput(cli("sae", "cache", model, "--hook", "blocks.9.hook_resid_post", "--data", texts, "--out",
                tmp.resolve("no-hook")), "blocks.9.hook_resid_post", "blocks.0.hook_resid_post", "blocks.1.mlp.hook_post");
        assertBadInput(cache(tmp.resolve("small"), "--shard-rows", 8), "invalid flags", "shard rows (8)", "max tokens (256)");
        assertBadInput(cache(tmp.resolve("none"), "--resume"), "no store.json to resume from");
        assertBadInput(cache(tmp.resolve("parts"), "--partitions", 3), "--partitions needs --spark MASTER");
        assertTrue(Files.notExists(tmp.resolve("no-hook")) && Files.notExists(tmp.resolve("small")));

        // Issue 17 item 5: texts that fail before the first shard leave no empty --out behind.
        Path badLine = Files.writeString(tmp.resolve("bad.jsonl"), "{\"text\": \"w1 w2\"}\n{bad\n");
        assertBadInput(cli("sae", "cache", model, "--hook", "blocks.0.mlp.hook_post", "--data", badLine, "--out",
                tmp.resolve("bad-texts")), "bad.jsonl:2");
        assertTrue(Files.notExists(tmp.resolve("bad-texts")), "no empty folder");

        Path broken = tmp.resolve("broken");
        assertEquals(0, cache(broken).code());
        Path json = broken.resolve(ActivationStore.STORE_FILE);
        String good = Files.readString(json);
        Files.writeString(json, good.replace("\"complete\" : true", "\"complete\" : false").substring(0, 40));
        assertBadInput(cache(broken, "--resume"), "store.json", "invalid JSON");
        Files.writeString(json, good.replace("\"complete\" : true", "\"complete\" : false"));
        Path shard = broken.resolve("activations_00000.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertBadInput(cache(broken, "--resume"), "activations_00000.safetensors", "beyond the end of the file");
    }
}
