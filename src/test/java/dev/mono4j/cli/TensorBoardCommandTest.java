package dev.mono4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.EventFiles;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.train.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --tensorboard DIR} on each trainer: one event file with the expected tags, whose steps and values equal the
 * JSONL log's (read back by an independent reader), and a file given as DIR is a one-line error.
 */
class TensorBoardCommandTest {
    @TempDir
    Path tmp;

    @Test
    void pretrainWritesTrainerTags() throws Exception {
        List<String> words = WordLevelTokenizers.words(30);
        Path tokenizer = WordLevelTokenizers.write(tmp.resolve("tokenizer.json"), words);
        Path train = Files.writeString(tmp.resolve("train.txt"), WordLevelTokenizers.text(words, 100, 1));
        Path valid = Files.writeString(tmp.resolve("valid.txt"), WordLevelTokenizers.text(words, 10, 2));
        Path out = tmp.resolve("run");
        Path tb = tmp.resolve("tb");
        CliTest.Run r = CliTest.cli("pretrain", "--out", out, "--train", train, "--valid", valid, "--tokenizer", tokenizer,
                "--preset", "xs", "--d-model", 16, "--layers", 1, "--heads", 2, "--seq-len", 8, "--batch-size", 2,
                "--steps", 3, "--eval-batches", 1, "--eval-every", 2, "--tensorboard", tb);
        assertEquals(0, r.code(), r.err());
        Map<Long, Map<String, Float>> steps = onlyFile(tb);
        assertEquals(List.of("train/learning_rate", "train/loss", "train/grad_norm", "train/num_input_tokens_seen",
                "train/tokens_per_s", "eval/loss").stream().sorted().toList(), sortedTags(steps.get(2L)));
        assertEqualsLog(out, steps, Map.of("train/loss", j -> j.get("loss"), "train/learning_rate", j -> j.get("lr"),
                "train/grad_norm", j -> j.get("grad_norm"), "train/num_input_tokens_seen", j -> j.get("tokens"),
                "eval/loss", j -> j.get("valid_loss")));
        assertTrue(!steps.get(1L).containsKey("eval/loss"), "no validation at step 1");
    }

    @Test
    void alignWritesTrlTags() throws Exception {
        Path model = tmp.resolve("gpt2");
        try (TransformerLM m = TransformerLM.random(ModelConfig.gpt2(50257, 32, 2, 4, 128), 1)) {
            Checkpoint.save(m, model, Fixtures.dir("gpt2-tokenizer").resolve("tokenizer.json"), false);
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            lines.add(Json.line(Json.object("prompt", "Tell me about number " + i + ".", "chosen", " It is kind.",
                    "rejected", " It is awful.")));
        }
        Path pairs = Files.write(tmp.resolve("prefs.jsonl"), lines);
        Path out = tmp.resolve("run");
        Path tb = tmp.resolve("tb");
        CliTest.Run r = CliTest.cli("align", model, "--pairs", pairs, "--method", "decpo", "--steps", 2, "--batch-size",
                4, "--out", out, "--tensorboard", tb);
        assertEquals(0, r.code(), r.err());
        Map<Long, Map<String, Float>> steps = onlyFile(tb);
        Map<String, Float> last = steps.get(2L);
        for (String tag : List.of("train/loss", "train/learning_rate", "train/grad_norm", "train/rewards/chosen",
                "train/rewards/rejected", "train/rewards/accuracies", "train/rewards/margins", "train/pref_loss",
                "train/reg_loss", "train/fd", "eval/rewards/accuracies", "eval/rewards/margins", "eval/rewards/chosen",
                "eval/rewards/rejected", "eval/chosen_logp_per_token", "eval/fd_layers/0", "eval/fd_layers/1")) {
            assertTrue(last.containsKey(tag), tag + " in " + last.keySet());
        }
        assertEqualsLog(out, steps, Map.of("train/loss", j -> j.get("loss"), "train/rewards/margins",
                j -> j.get("reward_margin"), "train/rewards/accuracies", j -> j.get("reward_accuracy"),
                "train/rewards/chosen", j -> j.get("rewards_chosen"), "eval/rewards/margins", j -> j.get("eval_reward_margin"),
                "train/fd", j -> j.get("fd"), "eval/fd_layers/1", j -> j.path("fd_layers").get(1)));
    }

    @Test
    void saeTrainWritesSaeLensTags() throws Exception {
        Path synthetic = tmp.resolve("synth");
        assertEquals(0, CliTest.cli("sae", "synth", "--out", synthetic, "--n", 24, "--d", 8, "--sparsity", "2").code());
        Path out = tmp.resolve("run");
        Path tb = tmp.resolve("tb");
        CliTest.Run r = CliTest.cli("sae", "train", "--architecture", "relu", "--synthetic", synthetic, "--d-sae", 32,
                "--batch-size", 64, "--steps", 10, "--log-every", 5, "--out", out, "--tensorboard", tb);
        assertEquals(0, r.code(), r.err());
        Map<Long, Map<String, Float>> steps = onlyFile(tb);
        assertEquals(List.of(5L, 10L), List.copyOf(steps.keySet()));
        assertEquals(List.of("losses/overall_loss", "losses/mse_loss", "losses/l1", "metrics/explained_variance",
                "metrics/l0", "sparsity/dead_features", "sparsity/dense_features", "metrics/frr_0.8", "metrics/frr_0.9",
                "details/current_learning_rate", "details/n_training_tokens", "details/grad_norm", "details/rows_per_s")
                .stream().sorted().toList(), sortedTags(steps.get(5L)));
        assertEqualsLog(out, steps, Map.of("losses/overall_loss", j -> j.get("loss"), "losses/mse_loss", j -> j.get("mse"),
                "losses/l1", j -> j.get("l1"), "metrics/l0", j -> j.get("l0"), "sparsity/dead_features", j -> j.get("dead"),
                "details/current_learning_rate", j -> j.get("lr"), "details/n_training_tokens", j -> j.get("rows"),
                "metrics/explained_variance", j -> Json.MAPPER.getNodeFactory().numberNode(1 - j.get("fvu").asDouble())));

        Path file = Files.writeString(tmp.resolve("a-file"), "");
        CliTest.assertBadInput(CliTest.cli("sae", "train", "--synthetic", synthetic, "--out", tmp.resolve("run2"),
                "--tensorboard", file), "--tensorboard", "a-file", "not a folder");
    }

    /** The one event file in {@code tb}, by step. */
    private static Map<Long, Map<String, Float>> onlyFile(Path tb) throws Exception {
        assertEquals(1, EventFiles.files(tb).size(), EventFiles.files(tb).toString());
        return EventFiles.scalarsByStep(tb);
    }

    private static List<String> sortedTags(Map<String, Float> scalars) {
        return scalars.keySet().stream().sorted().toList();
    }

    /** Every JSONL line has an event at its step, and each tag holds its field (as a 32-bit float). */
    private static void assertEqualsLog(Path out, Map<Long, Map<String, Float>> steps,
            Map<String, Function<JsonNode, JsonNode>> fieldOfTag) throws Exception {
        Map<Long, JsonNode> log = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out.resolve(RunFolder.LOG))) {
            JsonNode j = Json.MAPPER.readTree(line);
            log.put(j.get("step").asLong(), j);
        }
        assertEquals(log.keySet(), steps.keySet());
        for (Map.Entry<Long, JsonNode> e : log.entrySet()) {
            for (Map.Entry<String, Function<JsonNode, JsonNode>> f : fieldOfTag.entrySet()) {
                JsonNode value = f.getValue().apply(e.getValue());
                if (value != null) {
                    assertEquals((float) value.asDouble(), steps.get(e.getKey()).get(f.getKey()),
                            "step " + e.getKey() + " " + f.getKey());
                }
            }
        }
    }
}
