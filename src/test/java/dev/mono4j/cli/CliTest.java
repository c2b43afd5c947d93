package dev.mono4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.RawSafetensors;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end, in-process: outputs, files written, and one-line errors with exit code 2. */
class CliTest {
    record Run(int code, String out, String err) {
    }

    static Run cli(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] a = Stream.of(args).map(String::valueOf).toArray(String[]::new);
        int code = Main.run(a, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @TempDir
    static Path tmp;

    /** A random tiny GPT-2 with GPT-2's real tokenizer, saved as an HF folder. */
    static Path gpt2WithTokenizer;

    @BeforeAll
    static void saveCheckpointWithTokenizer() {
        gpt2WithTokenizer = tmp.resolve("gpt2-tok");
        try (TransformerLM model = TransformerLM.random(ModelConfig.gpt2(50257, 32, 2, 4, 128), 1)) {
            Checkpoint.save(model, gpt2WithTokenizer, Fixtures.dir("gpt2-tokenizer").resolve("tokenizer.json"), false);
        }
    }

    @Test
    void inspectDescribesTheCheckpoint() throws Exception {
        Run r = cli("inspect", Fixtures.dir("llama-tiny-bf16-sharded"));
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("LlamaForCausalLM"));
        assertTrue(r.out.contains("139,584"), r.out);
        assertTrue(r.out.contains("BF16"));
        assertTrue(r.out.contains("blocks.{0..1}.mlp.hook_pre_linear"));
        JsonNode json = Json.MAPPER.readTree(cli("inspect", Fixtures.dir("gpt2-tiny"), "--json").out);
        assertEquals("GPT2LMHeadModel", json.get("architecture").asText());
        assertEquals(2, json.get("layers").asInt());
    }

    @Test
    void tokenizePrintsIdsAsJson() {
        Run r = cli("tokenize", Fixtures.dir("gpt2-tokenizer"), "--text", "Hello world");
        assertEquals(0, r.code, r.err);
        assertEquals("[15496,995]", r.out.strip());
    }

    @Test
    void generateIsSeededAndCacheIndependent() {
        Run greedy = cli("generate", gpt2WithTokenizer, "--prompt", "Hello", "--max-new-tokens", 12, "--temperature", 0);
        assertEquals(0, greedy.code, greedy.err);
        assertTrue(greedy.out.startsWith("Hello") && greedy.out.strip().length() > "Hello".length(), greedy.out);
        assertEquals(greedy.out, cli("generate", gpt2WithTokenizer, "--prompt", "Hello", "--max-new-tokens", 12,
                "--temperature", 0, "--no-cache").out);
        Object[] sampled = {"generate", gpt2WithTokenizer, "--prompt", "Hello", "--max-new-tokens", 12, "--temperature",
            0.8, "--top-p", 0.9, "--seed", 1};
        String firstRun = cli(sampled).out;
        assertEquals(firstRun, cli(sampled).out, "same seed, same text in a second run");
        assertNotEquals(greedy.out, cli(sampled).out);
    }

    @Test
    void forwardSavesLogitsAndHooksMatchingTheReference() throws Exception {
        Path fixture = Fixtures.dir("llama-tiny");
        Path ids = tmp.resolve("ids.safetensors");
        try (SafetensorsReader expected = SafetensorsReader.open(fixture.resolve("expected.safetensors"))) {
            new SafetensorsWriter().addI64("input_ids", new long[] {2, 16}, expected.readLongs("input_ids")).write(ids);
            Path out = tmp.resolve("acts.safetensors");
            Run r = cli("forward", fixture, "--input", ids, "--hooks", "blocks.*.hook_resid_post,blocks.1.mlp.*", "--out",
                    out, "--batch-size", 1);
            assertEquals(0, r.code, r.err);
            try (SafetensorsReader acts = SafetensorsReader.open(out)) {
                for (String name : new String[] {"logits", "blocks.0.hook_resid_post", "blocks.1.mlp.hook_post",
                    "blocks.1.mlp.hook_pre_linear"}) {
                    double diff = Fixtures.maxAbsDiff(expected.readFloats(name), acts.readFloats(name));
                    assertTrue(diff < 1e-4, name + " differs by " + diff);
                }
                assertTrue(acts.tensors().containsKey("blocks.1.hook_resid_post"));
                assertTrue(!acts.tensors().containsKey("blocks.0.mlp.hook_post"), "only matching hooks are saved");
            }
            Run again = cli("forward", fixture, "--input", ids, "--out", out);
            assertBadInput(again, out.toString(), "--overwrite");
        }
    }

    @Test
    void forwardSavesAttentionHooksInTransformerLensShapes() throws Exception {
        Path fixture = Fixtures.dir("llama-tiny");
        Path ids = tmp.resolve("ids.safetensors");
        new SafetensorsWriter().addI64("input_ids", new long[] {3, 5}, new long[15]).write(ids);
        Path out = tmp.resolve("attn.safetensors");
        Run r = cli("forward", fixture, "--input", ids, "--hooks", "blocks.1.attn.hook_pattern,blocks.1.attn.hook_z,"
                + "blocks.1.attn.hook_k", "--no-logits", "--out", out, "--batch-size", 2);
        assertEquals(0, r.code, r.err);
        try (SafetensorsReader acts = SafetensorsReader.open(out)) {
            assertEquals("[3, 4, 5, 5]", acts.info("blocks.1.attn.hook_pattern").shapeString(), "[batch, head, query, key]");
            assertEquals("[3, 5, 4, 16]", acts.info("blocks.1.attn.hook_z").shapeString(), "[batch, pos, head, d_head]");
            assertEquals("[3, 5, 2, 16]", acts.info("blocks.1.attn.hook_k").shapeString(), "GQA: key/value heads");
            float[] p = acts.readFloats("blocks.1.attn.hook_pattern");
            double rowSum = 0;
            for (int k = 0; k < 5; k++) {
                rowSum += p[(2 * 4 + 3) * 25 + 4 * 5 + k];
            }
            assertEquals(1.0, rowSum, 1e-5, "the last row's probabilities sum to 1 (third micro-batch's row)");
        }
    }

    @Test
    void forwardOnTextPadsTheBatch() throws Exception {
        Path out = tmp.resolve("text.safetensors");
        Run r = cli("forward", gpt2WithTokenizer, "--text", "Hello world", "--text", "The quick brown fox", "--hooks",
                "ln_final.*", "--out", out, "--pad-side", "LEFT");
        assertEquals(0, r.code, r.err);
        try (SafetensorsReader acts = SafetensorsReader.open(out)) {
            assertEquals("[2, 4]", acts.info("attention_mask").shapeString());
            assertEquals("[2, 4, 32]", acts.info("ln_final.hook_normalized").shapeString());
            assertEquals(0L, acts.readLongs("attention_mask")[0], "left padding");
        }
    }

    @Test
    void badCheckpointsGiveOneLineNamingFileAndTensor() throws Exception {
        Path src = Fixtures.dir("gpt2-tiny");
        // Config/tensor shape mismatch.
        Path shape = copy(src, "shape");
        Files.writeString(shape.resolve("config.json"), Files.readString(src.resolve("config.json"))
                .replace("\"n_embd\": 64", "\"n_embd\": 128"));
        assertBadInput(cli("inspect", shape), "model.safetensors", "transformer.wte.weight", "[320, 64]", "[320, 128]");
        // A missing tensor.
        Path missing = copy(src, "missing");
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsReader r = SafetensorsReader.open(src.resolve("model.safetensors"))) {
            for (String name : r.tensors().keySet()) {
                if (!name.equals("transformer.ln_f.bias")) {
                    w.addF32(name, r.info(name).shape(), r.readFloats(name));
                }
            }
        }
        w.write(missing.resolve("model.safetensors"));
        assertBadInput(cli("inspect", missing), "missing tensor 'transformer.ln_f.bias'");
        // Truncated file.
        Path truncated = copy(src, "truncated");
        byte[] bytes = Files.readAllBytes(src.resolve("model.safetensors"));
        Files.write(truncated.resolve("model.safetensors"), java.util.Arrays.copyOf(bytes, 1000));
        assertBadInput(cli("inspect", truncated), "model.safetensors", "beyond the end of the file");
        // Unknown dtype.
        Path dtype = copy(src, "dtype");
        RawSafetensors.write(dtype.resolve("model.safetensors"),
                "{" + RawSafetensors.entry("transformer.wte.weight", "Q7", new long[] {320, 64}, 0, 4) + "}", 4);
        assertBadInput(cli("inspect", dtype), "model.safetensors", "transformer.wte.weight", "unknown dtype 'Q7'");
        // Unsupported architecture.
        Path arch = copy(src, "arch");
        Files.writeString(arch.resolve("config.json"), Files.readString(src.resolve("config.json"))
                .replace("GPT2LMHeadModel", "T5ForConditionalGeneration"));
        assertBadInput(cli("inspect", arch), "config.json", "T5ForConditionalGeneration", "LlamaForCausalLM", "BertModel");
    }

    @Test
    void badForwardInputNamesTheTensorAndPosition() {
        Path ids = tmp.resolve("bad-ids.safetensors");
        new SafetensorsWriter().addI64("input_ids", new long[] {1, 3}, new long[] {1, 999, 2}).write(ids);
        assertBadInput(cli("forward", Fixtures.dir("gpt2-tiny"), "--input", ids, "--out", tmp.resolve("o.safetensors")),
                "bad-ids.safetensors", "input_ids", "999 at [0, 1]", "vocabulary [0, 320)");
        Path good = tmp.resolve("good-ids.safetensors");
        new SafetensorsWriter().addI64("input_ids", new long[] {1, 3}, new long[] {1, 9, 2}).write(good);
        assertBadInput(cli("forward", Fixtures.dir("gpt2-tiny"), "--input", good, "--hooks", "nothing.here", "--out",
                tmp.resolve("o.safetensors")), "matches no hook point");
    }

    @Test
    void emptyOrTooLongInputsAreUserErrors() {
        assertBadInput(cli("generate", gpt2WithTokenizer, "--prompt", ""), "--prompt encodes to no tokens");
        assertBadInput(cli("generate", gpt2WithTokenizer, "--prompt", "Hello", "--max-new-tokens", 500), "config.json",
                "exceeds n_positions 128");
        assertBadInput(cli("forward", gpt2WithTokenizer, "--text", "", "--out", tmp.resolve("e.safetensors")),
                "no tokens");
        assertBadInput(cli("generate", gpt2WithTokenizer, "--prompt", "Hi", "--top-p", 0), "invalid flags");
    }

    @Test
    void dataConceptWorldWritesTheCorpusAndRefusesToOverwrite() throws Exception {
        Path out = tmp.resolve("cw");
        Run r = cli("data", "conceptworld", "--out", out, "--docs", 200, "--seed", 3, "--dialects", 2);
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("entropy floor"), r.out);
        for (String f : new String[] {"corpus.jsonl", "train.txt", "valid.txt", "tokenizer.json", "stats.json",
            "preferences/toxicity/train.jsonl", "preferences/sycophancy/eval_prompts.jsonl"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        assertBadInput(cli("data", "conceptworld", "--out", out, "--docs", 10), out.toString(), "not empty");
        assertBadInput(cli("data", "conceptworld", "--out", tmp.resolve("cw2"), "--dialects", 9), "dialects");
    }

    /** Demo flags that a later stage would refuse fail at once, before anything is written or trained. */
    @Test
    void badDemoFlagsFailBeforeAnyWork() {
        Path out = tmp.resolve("demo-bad");
        assertBadInput(cli("demo", "--out", out, "--dialects", 5), "dialects");
        assertBadInput(cli("demo", "--out", out, "--presets", "xs,XL", "--steps", "5,5"), "XL");
        assertBadInput(cli("demo", "--out", out, "--presets", "xs,xs", "--steps", "5,5"), "presets must differ");
        assertBadInput(cli("demo", "--out", out, "--docs", 20), "docs >= 200");
        assertBadInput(cli("demo", "--out", out, "--lr", -1), "lr");
        assertTrue(Files.notExists(out), "nothing was written");
    }

    @Test
    void measureWritesMetricsAndAReport() throws Exception {
        Path data = tmp.resolve("measure-texts.jsonl");
        Files.write(data, java.util.List.of("{\"text\":\"The cat sat on the mat.\",\"label\":\"animal\"}",
                "{\"text\":\"Stocks fell sharply today.\",\"label\":\"money\"}",
                "{\"text\":\"A dog barked at the mail carrier.\",\"label\":\"animal\"}"));
        Path out = tmp.resolve("measure-out");
        Run r = cli("measure", gpt2WithTokenizer, "--data", data, "--out", out, "--pool", "mean");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("gpt2-tok: 3 texts"), r.out);
        JsonNode m = Json.read(out.resolve("metrics.json"));
        JsonNode model = m.get("models").get(0);
        assertEquals(2, model.get("hooks").size(), "GPT-2's default hook, mlp.hook_post, in both layers");
        assertEquals("blocks.0.mlp.hook_post", model.get("hooks").get(0).get("hook").asText());
        assertEquals(2, model.get("weightProxy").get("normalized").size(), "GPT-2 has the weight proxy");
        assertEquals(3, model.get("hooks").get(0).get("textSelectivity").get("units").asInt());
        assertTrue(Files.readString(out.resolve("report.html")).contains("Feature decorrelation"));

        assertBadInput(cli("measure", gpt2WithTokenizer, "--data", data, "--out", out), "not empty", "--overwrite");
        assertEquals(0, cli("measure", gpt2WithTokenizer, "--data", data, "--out", out, "--overwrite").code);
    }

    @Test
    void measureRejectsBadInputInOneLine() throws Exception {
        Path data = tmp.resolve("two.txt");
        Files.write(data, java.util.List.of("one text", "another text"));
        Path labels = tmp.resolve("three-labels.txt");
        Files.write(labels, java.util.List.of("a", "b", "c"));
        Path empty = tmp.resolve("empty.txt");
        Files.writeString(empty, "");
        Path out = tmp.resolve("measure-bad");
        assertBadInput(cli("measure", gpt2WithTokenizer, "--data", empty, "--out", out), "empty.txt", "no texts");
        assertBadInput(cli("measure", gpt2WithTokenizer, "--data", data, "--labels", labels, "--out", out),
                "three-labels.txt", "3 labels for 2 texts");
        assertBadInput(cli("measure", gpt2WithTokenizer, "--data", data, "--hooks", "blocks.*.mlp.hook_pre_linear",
                "--out", out), "matches no hook point");
        assertBadInput(cli("measure", gpt2WithTokenizer, "--data", data, "--pool", "max", "--out", out), "--pool");
        assertBadInput(cli("measure", gpt2WithTokenizer, "--data", data, "--threshold", 0.4, "--out", out), "threshold");
        assertBadInput(cli("measure", tmp.resolve("nowhere"), "--data", data, "--out", out), "nowhere");
        assertTrue(Files.notExists(out), "nothing was written");
    }

    @Test
    void verbosePrintsTheStackTrace() {
        Run r = cli("inspect", tmp.resolve("nowhere"), "--verbose");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("UserInputException") && r.err.contains("\tat "), r.err);
    }

    /** Exit code 2, nothing on stdout, exactly one line on stderr holding every expected fragment. */
    static void assertBadInput(Run r, String... fragments) {
        assertEquals(2, r.code, "exit code; stderr: " + r.err);
        assertEquals("", r.out);
        String err = r.err.strip();
        assertTrue(err.startsWith("error: ") && !err.contains("\n"), "one line: " + r.err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' missing from: " + err);
        }
    }

    private static Path copy(Path src, String name) throws Exception {
        Path dir = tmp.resolve("bad-" + name);
        Files.createDirectories(dir);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        return dir;
    }
}
