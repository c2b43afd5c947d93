package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.WordLevelTokenizers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text and config files that are not what they should be (invalid UTF-8, a directory, an empty config.json),
 * flags outside the model (a stop token beyond the vocabulary) and sequences beyond a model's positions: one
 * line naming the file, line or flag, exit code 2 (issue 17, items 3 and 6).
 */
class TextInputCommandTest {
    @TempDir
    static Path tmp;
    /** A random GPT-2 (learned positions, n_positions 128) with GPT-2's tokenizer. */
    static Path gpt2;
    /** A random Llama (rotary, max_position_embeddings 16) with GPT-2's tokenizer. */
    static Path llama;

    @BeforeAll
    static void models() {
        Path tokenizer = Fixtures.dir("gpt2-tokenizer").resolve("tokenizer.json");
        gpt2 = tmp.resolve("gpt2");
        try (TransformerLM m = TransformerLM.random(ModelConfig.gpt2(50257, 32, 2, 4, 128), 1)) {
            Checkpoint.save(m, gpt2, tokenizer, false);
        }
        llama = tmp.resolve("llama");
        try (TransformerLM m = TransformerLM.random(ModelConfig.llama(50257, 32, 2, 4, 4, 64, 16, true), 1)) {
            Checkpoint.save(m, llama, tokenizer, false);
        }
    }

    /** {@code lines} as UTF-8, with byte 0xFF put into line {@code badLine} (1-based; 0: none). */
    private static Path write(String name, List<String> lines, int badLine) throws Exception {
        List<byte[]> rows = new ArrayList<>();
        int size = 0;
        for (int i = 0; i < lines.size(); i++) {
            byte[] row = (lines.get(i) + "\n").getBytes(StandardCharsets.UTF_8);
            if (i + 1 == badLine) {
                row[row.length / 2] = (byte) 0xff;
            }
            rows.add(row);
            size += row.length;
        }
        java.nio.ByteBuffer all = java.nio.ByteBuffer.allocate(size);
        rows.forEach(all::put);
        return Files.write(tmp.resolve(name), all.array());
    }

    private static List<String> texts(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Json.line(Json.object("text", "The cat number " + i + " sat on the mat.", "label", i % 2 == 0 ? "a" : "b")));
        }
        return out;
    }

    /** Before: JSONL and .txt said "cannot read: Input length = 1" without a line. */
    @Test
    void invalidUtf8InDataOrLabelsNamesTheFileAndLine() throws Exception {
        Path out = tmp.resolve("measure-bad");
        Path jsonl = write("bad.jsonl", texts(10), 3);
        assertBadInput(cli("measure", gpt2, "--data", jsonl, "--out", out), jsonl + ":3: not valid UTF-8");
        Path txt = write("bad.txt", List.of("one", "two", "three", "four", "five text", "six"), 5);
        assertBadInput(cli("measure", gpt2, "--data", txt, "--out", out), txt + ":5: not valid UTF-8");
        Path good = write("good.txt", List.of("one", "two", "three"), 0);
        Path labels = write("labels.txt", List.of("a", "bb", "c"), 2);
        assertBadInput(cli("measure", gpt2, "--data", good, "--labels", labels, "--out", out),
                labels + ":2: not valid UTF-8");
        assertTrue(Files.notExists(out), "nothing was written");
    }

    /** Before: the error surfaced at the line BufferedReader's read-ahead had reached (line 500 reported as 437). */
    @Test
    void invalidUtf8InPairsAndPromptsNamesTheLineItIsOn() throws Exception {
        List<String> pairs = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            pairs.add(Json.line(Json.object("prompt", "Tell me about cat number " + i + ".", "chosen", " It is kind.",
                    "rejected", " It is awful.")));
            prompts.add(Json.line(Json.object("prompt", "Tell me about dog number " + i + ".")));
        }
        Path out = tmp.resolve("align-bad");
        for (int bad : new int[] {500, 1500}) {
            Path file = write("pairs" + bad + ".jsonl", pairs, bad);
            assertBadInput(cli("align", gpt2, "--pairs", file, "--steps", 1, "--out", out),
                    file + ":" + bad + ": not valid UTF-8");
        }
        Path goodPairs = write("pairs.jsonl", pairs.subList(0, 20), 0);
        Path badPrompts = write("prompts.jsonl", prompts, 1500);
        assertBadInput(cli("align", gpt2, "--pairs", goodPairs, "--prompts", badPrompts, "--steps", 1, "--out", out),
                badPrompts + ":1500: not valid UTF-8");
        assertTrue(Files.notExists(out), "nothing was written");
    }

    /** Before: "not UTF-8 text" without a line. */
    @Test
    void invalidUtf8InPretrainingTextNamesTheLine() throws Exception {
        List<String> words = WordLevelTokenizers.words(30);
        Path tokenizer = WordLevelTokenizers.write(tmp.resolve("tokenizer.json"), words);
        List<String> docs = WordLevelTokenizers.text(words, 100, 1).lines().toList();
        Path train = write("train.txt", docs, 77);
        Path valid = write("valid.txt", docs.subList(0, 10), 0);
        assertBadInput(cli("pretrain", "--out", tmp.resolve("pretrain-bad"), "--train", train, "--valid", valid,
                "--tokenizer", tokenizer, "--steps", 1), train + ":77: not valid UTF-8");
    }

    /** Before: "file not found" for a folder that exists. */
    @Test
    void aDirectoryGivenAsATextFileIsNamedAsOne() {
        Path dir = tmp.resolve("a-folder");
        dir.toFile().mkdirs();
        assertBadInput(cli("measure", gpt2, "--data", dir, "--out", tmp.resolve("m")), dir + ": is a directory");
        assertBadInput(cli("align", gpt2, "--pairs", dir, "--steps", 1, "--out", tmp.resolve("a")), dir + ": is a directory");
        assertBadInput(cli("pretrain", "--out", tmp.resolve("p"), "--train", dir, "--valid", dir, "--tokenizer",
                gpt2.resolve("tokenizer.json"), "--steps", 1), dir + ": is a directory");
    }

    /** Before: "unsupported architecture '?'" for both. */
    @Test
    void anEmptyConfigOrOneWithoutAFamilySaysSo() throws Exception {
        Path dir = tmp.resolve("no-config");
        Files.createDirectories(dir);
        Files.copy(Fixtures.dir("gpt2-tiny").resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Path config = dir.resolve("config.json");
        Files.writeString(config, "");
        assertBadInput(cli("inspect", dir), config + ": the file is empty");
        Files.writeString(config, "{\"n_embd\": 64}");
        assertBadInput(cli("inspect", dir), config + ": no \"architectures\" or \"model_type\" field");
        Files.writeString(config, "[1, 2]");
        assertBadInput(cli("inspect", dir), config + ": expected a JSON object, got array");
    }

    /** Before: accepted, and generation simply never stopped on it. */
    @Test
    void aStopTokenOutsideTheVocabularyIsRefused() {
        assertBadInput(cli("generate", gpt2, "--prompt", "Hello", "--stop-token", 99999), "--stop-token 99999",
                "outside the vocabulary", "vocab_size 50257");
        assertBadInput(cli("generate", gpt2, "--prompt", "Hello", "--stop-token", -1), "--stop-token -1");
        CliTest.Run ok = cli("generate", gpt2, "--prompt", "Hello", "--stop-token", 50256, "--max-new-tokens", 3);
        assertEquals(0, ok.code(), ok.err());
    }

    /**
     * A rotary model runs past max_position_embeddings without a crash, outside its trained range: refused as
     * learned positions are (before: accepted). measure cuts texts at the limit, as it always did for GPT-2.
     */
    @Test
    void rotaryModelsRefuseSequencesBeyondMaxPositionEmbeddings() throws Exception {
        assertBadInput(cli("generate", llama, "--prompt", "Hello", "--max-new-tokens", 20), llama.resolve("config.json")
                + ": the prompt (1 tokens) plus --max-new-tokens 20 exceeds max_position_embeddings 16");
        CliTest.Run fits = cli("generate", llama, "--prompt", "Hello", "--max-new-tokens", 15);
        assertEquals(0, fits.code(), fits.err());

        long[] ids = new long[20];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 100 + i;
        }
        Path input = tmp.resolve("twenty.safetensors");
        new SafetensorsWriter().addI64("input_ids", new long[] {1, 20}, ids).write(input);
        assertBadInput(cli("forward", llama, "--input", input, "--out", tmp.resolve("f.safetensors")),
                "a sequence of 20 tokens exceeds the model's max_position_embeddings 16");

        List<String> longPairs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            longPairs.add(Json.line(Json.object("prompt", "one two three four five six seven " + i, "chosen",
                    " eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen", "rejected", " no")));
        }
        Path pairs = write("long-pairs.jsonl", longPairs, 0);
        assertBadInput(cli("align", llama, "--pairs", pairs, "--steps", 1, "--out", tmp.resolve("al")),
                "tokens exceeds the model's max_position_embeddings 16");

        Path data = write("long.txt", List.of("one two three four five six seven eight nine ten eleven twelve thirteen"
                + " fourteen fifteen sixteen seventeen eighteen nineteen twenty", "a short one"), 0);
        Path out = tmp.resolve("measure-llama");
        CliTest.Run m = cli("measure", llama, "--data", data, "--out", out);
        assertEquals(0, m.code(), m.err());
        assertEquals(1, Json.read(out.resolve("metrics.json")).get("models").get(0).get("truncatedTexts").asInt(),
                "the long text is cut at max_position_embeddings (16 tokens)");
    }
}
