package dev.mono4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.train.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./mono4j pretrain} end to end on a word-level tokenizer, and its one-line errors. */
class PretrainCommandTest {
    @TempDir
    static Path tmp;
    static Object[] data;

    @BeforeAll
    static void writeData() throws Exception {
        List<String> words = WordLevelTokenizers.words(30);
        Path tokenizer = WordLevelTokenizers.write(tmp.resolve("tokenizer.json"), words);
        Path train = Files.writeString(tmp.resolve("train.txt"), WordLevelTokenizers.text(words, 100, 1));
        Path valid = Files.writeString(tmp.resolve("valid.txt"), WordLevelTokenizers.text(words, 10, 2));
        data = new Object[] {"--train", train, "--valid", valid, "--tokenizer", tokenizer};
    }

    private static CliTest.Run pretrain(Path out, Object... flags) {
        return CliTest.cli(Stream.of(new Object[] {"pretrain", "--out", out}, data, flags).flatMap(Stream::of).toArray());
    }

    private static final Object[] TINY = {"--preset", "xs", "--d-model", 16, "--layers", 1, "--heads", 2, "--seq-len", 8,
        "--batch-size", 2, "--steps", 3, "--eval-batches", 1};

    @Test
    void trainsAModelThatInspectAndGenerateLoad() throws Exception {
        Path out = tmp.resolve("run");
        CliTest.Run r = pretrain(out, TINY);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("for 3 steps") && r.out().contains("valid loss"), r.out());
        List<String> log = Files.readAllLines(out.resolve(RunFolder.LOG));
        assertEquals(3, log.size());
        JsonNode last = Json.MAPPER.readTree(log.get(2));
        for (String field : List.of("step", "tokens", "lr", "loss", "grad_norm", "tokens_per_s", "valid_loss")) {
            assertTrue(last.has(field), field + " in " + last);
        }
        assertEquals(3 * 2 * 8, last.get("tokens").asInt());
        Path model = out.resolve("final");
        CliTest.Run inspect = CliTest.cli("inspect", model, "--json");
        assertEquals(0, inspect.code(), inspect.err());
        assertEquals("LlamaForCausalLM", Json.MAPPER.readTree(inspect.out()).get("architecture").asText());
        CliTest.Run gen = CliTest.cli("generate", model, "--prompt", "w1 w2", "--max-new-tokens", 4, "--temperature", 0);
        assertEquals(0, gen.code(), gen.err());
        assertTrue(gen.out().startsWith("w1 w2"), gen.out());

        CliTest.assertBadInput(pretrain(out, TINY), "not empty", "--resume", "--overwrite");
        CliTest.assertBadInput(CliTest.cli("pretrain", "--out", out, "--resume"), "already finished");
        CliTest.Run again = pretrain(out, Stream.concat(Stream.of(TINY), Stream.of("--overwrite")).toArray());
        assertEquals(0, again.code(), again.err());

        // --overwrite never deletes a run before its inputs are read: a typo'd or inside-the-output input
        // fails with the earlier run intact.
        Object[] overwrite = Stream.concat(Stream.of(TINY), Stream.of("--overwrite")).toArray();
        CliTest.assertBadInput(CliTest.cli(Stream.of(new Object[] {"pretrain", "--out", out, "--train", tmp.resolve("nope.txt"),
            "--valid", data[3], "--tokenizer", data[5]}, overwrite).flatMap(Stream::of).toArray()), "nope.txt");
        CliTest.assertBadInput(CliTest.cli(Stream.of(new Object[] {"pretrain", "--out", out, "--train", data[1],
            "--valid", data[3], "--tokenizer", model.resolve("tokenizer.json")}, overwrite).flatMap(Stream::of).toArray()),
                "inside the output folder");
        assertTrue(Files.exists(model.resolve("model.safetensors")), "the earlier run is still there");
    }

    /**
     * {@code --init}: a model pretrained here is fine-tuned with its own tokenizer, and the summary shows its loss
     * before training; architecture flags, windows past its positions and a tokenizer of another vocabulary
     * size are one-line errors; the architecture flags' defaults still show in the help.
     */
    @Test
    void fineTunesACheckpointAndRefusesWhatItRulesOut() throws Exception {
        Path baseRun = tmp.resolve("base");
        assertEquals(0, pretrain(baseRun, TINY).code());
        Path base = baseRun.resolve("final");
        Path out = tmp.resolve("tuned");
        Object[] training = {"--seq-len", 8, "--batch-size", 2, "--steps", 3, "--eval-batches", 1};

        CliTest.Run r = fineTune(out, base, training);
        assertEquals(0, r.code(), r.err());
        JsonNode summary = Json.read(out.resolve(RunFolder.SUMMARY));
        double before = summary.get("summary").get("initialValidLoss").asDouble();
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "(before training %.4f)", before)), r.out());
        assertEquals(base.toAbsolutePath().toString(), summary.get("config").get("init").asText());
        assertEquals(Json.read(base.resolve("config.json")), Json.read(out.resolve("final").resolve("config.json")));

        Path refused = tmp.resolve("refused");
        for (Object[] flags : List.of(new Object[] {"--arch", "llama"}, new Object[] {"--preset", "xs"},
                new Object[] {"--d-model", 16}, new Object[] {"--layers", 1}, new Object[] {"--heads", 2})) {
            CliTest.assertBadInput(fineTune(refused, base, Stream.concat(Stream.of(training), Stream.of(flags)).toArray()),
                    "invalid flags", "init already has a model", "drop arch, preset, d-model, layers and heads");
        }
        CliTest.assertBadInput(fineTune(refused, base, "--seq-len", 9, "--steps", 3),
                "--seq-len 9 exceeds the model's max_position_embeddings 8 in " + base.resolve("config.json"));
        Path other = WordLevelTokenizers.write(tmp.resolve("other-tokenizer.json"), WordLevelTokenizers.words(20));
        CliTest.assertBadInput(fineTune(refused, base, Stream.concat(Stream.of(training), Stream.of("--tokenizer", other))
                .toArray()), other + ": 24 tokens", base.resolve("config.json") + " has vocab_size 34");
        assertTrue(Files.notExists(refused), "a refused run writes nothing");

        CliTest.Run help = CliTest.cli("pretrain", "--help");
        assertTrue(help.out().contains("default llama)") && help.out().contains("(default s)"), help.out());
    }

    private static CliTest.Run fineTune(Path out, Path base, Object... flags) {
        return CliTest.cli(Stream.of(new Object[] {"pretrain", "--out", out, "--train", data[1], "--valid", data[3], "--init",
            base}, flags).flatMap(Stream::of).toArray());
    }

    /** Issue 17 item 1: a diverging run exits 2 naming the step, keeps no NaN, and writes no final/. */
    @Test
    void aDivergedRunStopsWithExitTwoAndWritesNoFinalModel() throws Exception {
        Path out = tmp.resolve("diverged");
        CliTest.Run r = pretrain(out, Stream.concat(Stream.of(TINY), Stream.of("--lr", 1e30)).toArray());
        CliTest.assertBadInput(r, "step 2: ", "stopped, before the first checkpoint");
        assertTrue(Files.notExists(out.resolve("final")), "no final model");
        assertTrue(Files.notExists(out.resolve(RunFolder.CHECKPOINT)), "no checkpoint");
        assertTrue(Files.readString(out.resolve(RunFolder.LOG)).lines().allMatch(l -> !l.contains("null")), "no null loss");
    }

    @Test
    void badFlagsAreOneLineErrors() {
        Path out = tmp.resolve("bad");
        CliTest.assertBadInput(pretrain(out, "--arch", "bert"), "invalid flags", "unknown arch 'bert'");
        CliTest.assertBadInput(pretrain(out, "--preset", "xs", "--heads", 3), "invalid flags", "not divisible");
        CliTest.assertBadInput(pretrain(out, "--steps", 0), "invalid flags", "steps");
        CliTest.assertBadInput(pretrain(out, "--moe-aux-weight", 0), "invalid flags",
                "moe-aux-weight applies to monet-vd and monet-hd only, not llama");
        CliTest.assertBadInput(CliTest.cli("pretrain", "--out", out, "--steps", 5), "--train, --valid and --tokenizer");
        CliTest.assertBadInput(CliTest.cli("pretrain", "--out", out, "--train", data[1], "--valid", data[3]),
                "--tokenizer is optional with --init");
        CliTest.assertBadInput(CliTest.cli("pretrain", "--out", out, "--resume", "--lr", 0.1), "drop --lr");
        CliTest.assertBadInput(CliTest.cli("pretrain", "--out", out, "--resume"), "no " + RunFolder.CHECKPOINT + "/" + RunFolder.STATE);
        CliTest.assertBadInput(pretrain(out, "--seq-len", 100000, "--preset", "xs"), "train.txt", "fewer than one window");
        assertTrue(Files.notExists(out), "a refused run writes nothing");
    }
}
