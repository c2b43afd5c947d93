package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code align}, {@code align eval} and {@code align compare} on a GPT-2 layout with GPT-2's real tokenizer. */
class AlignCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path pairs;

    @BeforeAll
    static void modelAndPairs() throws Exception {
        model = tmp.resolve("gpt2");
        try (TransformerLM m = TransformerLM.random(ModelConfig.gpt2(50257, 32, 2, 4, 128), 1)) {
            Checkpoint.save(m, model, Fixtures.dir("gpt2-tokenizer").resolve("tokenizer.json"), false);
        }
        String[] animals = {"cat", "dog", "bird", "fish", "horse", "cow", "goat", "duck", "frog", "mouse", "bear", "wolf"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < animals.length * 3; i++) {
            String a = animals[i % animals.length];
            lines.add(Json.line(Json.object("prompt", "Tell me about the " + a + " number " + i + ".",
                    "chosen", " The " + a + " is kind.", "rejected", " The " + a + " is awful.")));
        }
        pairs = Files.write(tmp.resolve("prefs.jsonl"), lines);
    }

    @Test
    void alignsWithLoraOnGpt2AndEvaluatesAgainstTheBase() throws Exception {
        Path out = tmp.resolve("run");
        CliTest.Run r = cli("align", model, "--pairs", pairs, "--method", "decpo", "--lora", "--lr", "1e-2", "--steps", 4,
                "--batch-size", 4, "--out", out);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("decpo: 4 steps"), r.out());
        JsonNode summary = Json.read(out.resolve("summary.json"));
        assertEquals("blocks.1.mlp.hook_post", summary.path("hook").asText(), "GPT-2's default hook: the MLP activation");
        JsonNode adapter = Json.read(out.resolve("adapter").resolve("adapter_config.json"));
        assertEquals("[\"c_attn\",\"c_fc\"]", adapter.path("target_modules").toString());

        CliTest.Run e = cli("align", "eval", out.resolve("final"), "--base", model, "--pairs", pairs, "--max-new-tokens", 4,
                "--out", tmp.resolve("eval.json"));
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("no prompt has a judge") && e.out().contains("reward accuracy"), e.out());
        JsonNode samples = Json.read(tmp.resolve("eval.json")).path("samples");
        assertTrue(samples.size() > 0 && samples.get(0).path("aligned").isNull(), samples.toString());

        assertBadInput(cli("align", model, "--pairs", pairs, "--out", out), "not empty", "--resume");
        assertBadInput(cli("align", "--resume", "--out", out, "--lr", "1"), "drop --lr");
    }

    @Test
    void evalTakesOnlyTheFlagsItUses() {
        CliTest.Run help = cli("align", "eval", "--help");
        assertEquals(0, help.code(), help.err());
        for (String used : List.of("--base", "--pairs", "--task", "--beta", "--logp", "--batch-size", "--max-prompt",
                "--max-length", "--eval-share", "--max-new-tokens", "--temperature", "--sample-seed", "--out")) {
            assertTrue(help.out().contains(used + "="), used + " missing:\n" + help.out());
        }
        for (String training : List.of("--lr", "--steps", "--decorr-mode", "--lora", "--memel-k", "--gamma", "--lambda",
                "--seed", "--warmup", "--reference", "--checkpoint-every")) {
            assertFalse(help.out().matches("(?s).*" + training + "[=,\\s].*"), training + " listed:\n" + help.out());
        }
        assertBadInput(cli("align", "eval", model, "--pairs", pairs, "--lr", "1"), "Unknown option", "--lr");
        CliTest.Run train = cli("align", "--help");
        assertTrue(train.out().contains("--beta=") && train.out().contains("--lr="), "align trains with both parts");
    }

    @Test
    void compareRunsEveryMethodAndSeedIntoOneReport() throws Exception {
        Path out = tmp.resolve("cmp");
        CliTest.Run r = cli("align", "compare", model, "--pairs", pairs, "--methods", "dpo,memel", "--seeds", 2, "--steps", 2,
                "--batch-size", 4, "--lr", "1e-2", "--memel-batches", 1, "--measure-texts", 4, "--out", out);
        assertEquals(0, r.code(), r.err());
        JsonNode cmp = Json.read(out.resolve("compare.json"));
        assertEquals(2, cmp.path("methods").size());
        assertEquals(2, cmp.path("methods").get(1).path("rewardAccuracy").size(), "one value per seed");
        assertTrue(Files.exists(out.resolve("runs/memel/seed1/final/model.safetensors")));
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Reward margin while training") && html.contains("<svg"), "charts in the report");
        assertTrue(Files.exists(out.resolve("measure/report.html")));
        long before = Files.getLastModifiedTime(out.resolve("runs/dpo/seed0/summary.json")).toMillis();
        assertEquals(0, cli("align", "compare", model, "--pairs", pairs, "--methods", "dpo,memel", "--seeds", 2, "--steps", 2,
                "--batch-size", 4, "--lr", "1e-2", "--memel-batches", 1, "--measure-texts", 4, "--out", out).code());
        assertEquals(before, Files.getLastModifiedTime(out.resolve("runs/dpo/seed0/summary.json")).toMillis(),
                "a rerun keeps finished runs");
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path broken = Files.writeString(tmp.resolve("broken.jsonl"), "{\"prompt\": \"a\", \"chosen\": \"b\"}\n");
        assertBadInput(cli("align", model, "--pairs", broken, "--out", tmp.resolve("x")), "broken.jsonl:1", "rejected");
        assertBadInput(cli("align", model, "--out", tmp.resolve("x")), "--pairs", "--task");
        assertBadInput(cli("align", model, "--pairs", pairs, "--method", "ppo", "--out", tmp.resolve("x")), "unknown method");
        assertBadInput(cli("align", model, "--pairs", pairs, "--hook", "blocks.9.mlp.hook_post", "--out", tmp.resolve("x")),
                "blocks.9.mlp.hook_post");
        assertBadInput(cli("align", model, "--pairs", pairs, "--lora", "--lora-targets", "q_prj", "--out", tmp.resolve("x")),
                "q_prj");
        assertBadInput(cli("align", model, "--pairs", pairs, "--method", "decpo", "--decorr-mode", "code", "--out",
                tmp.resolve("x")), "--decorr-mode", "paper", "released-code-last-token");
        assertBadInput(cli("align", model, "--pairs", pairs, "--method", "memel", "--memel-window", 16, "--out", tmp.resolve("x")),
                "--memel-window", "per-batch");
        assertBadInput(cli("align", model, "--pairs", pairs, "--method", "memel", "--memel-select", "per-batch",
                "--memel-batches", 3, "--out", tmp.resolve("x")), "--memel-batches", "per-sample");
        assertBadInput(cli("align", model, "--pairs", pairs, "--method", "memel", "--memel-k", 0, "--out", tmp.resolve("x")),
                "memel-k");
    }
}
