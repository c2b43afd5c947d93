package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.train.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sae synth → train → eval} and {@code sae cache → train → eval --model} end to end on tiny inputs. */
class SaeTrainEvalCommandTest {
    @TempDir
    static Path tmp;
    static Path synthetic;

    @BeforeAll
    static void syntheticData() {
        synthetic = tmp.resolve("synth");
        CliTest.Run r = cli("sae", "synth", "--out", synthetic, "--n", 24, "--d", 8, "--sparsity", "2");
        assertEquals(0, r.code(), r.err());
    }

    private static CliTest.Run train(Path out, String arch, Object... extra) {
        // --k is TopK's and BatchTopK's own flag; the other architectures refuse it.
        Object[] k = arch.endsWith("topk") ? new Object[] {"--k", 2} : new Object[0];
        Object[] base = {"sae", "train", "--architecture", arch, "--synthetic", synthetic, "--d-sae", 32,
            "--batch-size", 64, "--steps", 20, "--log-every", 5, "--checkpoint-every", 10, "--out", out};
        base = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(k)).toArray();
        Object[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return cli(all);
    }

    @Test
    void trainsEvaluatesAndComparesSeeds() throws Exception {
        Path a = tmp.resolve("topk-a");
        Path b = tmp.resolve("topk-b");
        CliTest.Run r = train(a, "topk");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("trained topk SAE (d_in 8, d_sae 32)"), r.out());
        assertEquals(0, train(b, "topk", "--seed", 2).code());
        assertEquals(4, Files.readAllLines(a.resolve(RunFolder.LOG)).size());
        JsonNode cfg = Json.read(a.resolve("final/cfg.json"));
        assertEquals("topk", cfg.get("architecture").asText());
        assertEquals(2, cfg.get("k").asInt());
        assertEquals("synthetic", cfg.get("hook_name").asText());

        Path eval = tmp.resolve("eval");
        CliTest.Run e = cli("sae", "eval", a.resolve("final"), b.resolve("final"), "--synthetic", synthetic, "--rows", 500,
                "--out", eval);
        assertEquals(0, e.code(), e.err());
        JsonNode j = Json.read(eval.resolve("eval.json"));
        assertEquals(2, j.get("saes").size());
        double frr = j.get("saes").get(0).get("frr_0.8").asDouble();
        assertTrue(frr >= 0 && frr <= 1);
        assertEquals(500, j.get("saes").get(0).get("reconstruction").get("rows").asLong());
        double c = j.get("consistency").get("mean").asDouble();
        assertTrue(c > 0 && c <= 1.0001, "consistency " + c);
        // The training log tracks recovery on synthetic rows; its last line scores the SAE that eval scores.
        java.util.List<String> lines = Files.readAllLines(a.resolve(RunFolder.LOG));
        JsonNode last = Json.MAPPER.readTree(lines.get(lines.size() - 1));
        assertEquals(j.get("saes").get(0).get("frr_0.9").asDouble(), last.get("frr_0.9").asDouble(), 1e-9);
        assertEquals(frr, last.get("frr_0.8").asDouble(), 1e-9);
        assertBadInput(cli("sae", "eval", a.resolve("final"), "--synthetic", synthetic, "--out", eval), "not empty");
    }

    @Test
    void resumeContinuesAFinishedOrKilledRun() throws Exception {
        Path out = tmp.resolve("gba");
        assertEquals(0, train(out, "gba").code());
        String log = Files.readString(out.resolve(RunFolder.LOG));
        CliTest.Run r = cli("sae", "train", "--resume", "--out", out);
        assertEquals(0, r.code(), r.err());
        assertEquals(log, Files.readString(out.resolve(RunFolder.LOG)), "a finished run has nothing left to do");
        assertBadInput(cli("sae", "train", "--resume", "--out", out, "--steps", 5), "--resume", "--steps");
        assertBadInput(cli("sae", "train", "--resume", "--out", tmp.resolve("none")), "no checkpoint");
    }

    @Test
    void badFlagsAreOneLineErrors() {
        assertBadInput(train(tmp.resolve("x1"), "sparse"), "unknown SAE architecture");
        assertBadInput(cli("sae", "train", "--out", tmp.resolve("x2")), "--activations", "--synthetic");
        assertBadInput(cli("sae", "train", "--synthetic", synthetic, "--k", 0, "--out", tmp.resolve("x3")), "k must be");
        assertBadInput(cli("sae", "train", "--synthetic", tmp.resolve("missing"), "--out", tmp.resolve("x4")), "missing");
        assertBadInput(cli("sae", "train", "--synthetic", synthetic, "--d-sae", 7, "--k", 30, "--out", tmp.resolve("x4k")),
                "--k 30 is more than the SAE's 7 latents");
        assertTrue(java.nio.file.Files.notExists(tmp.resolve("x4k")));
        assertBadInput(cli("sae", "eval", tmp.resolve("missing"), "--synthetic", synthetic, "--out", tmp.resolve("x5")),
                "cfg.json");
    }

    /** A flag of another architecture is refused, naming the flag and the architecture, not ignored. */
    @Test
    void flagsOfAnotherArchitectureAreRefused() {
        assertBadInput(cli("sae", "train", "--architecture", "topk", "--l1", 5, "--synthetic", synthetic, "--out",
                tmp.resolve("y1")), "--l1", "topk", "relu");
        assertBadInput(train(tmp.resolve("y2"), "gba", "--k", 4), "--k", "gba");
        assertBadInput(train(tmp.resolve("y3"), "ba", "--gba-groups", 3), "--gba-groups", "ba");
        assertBadInput(cli("sae", "compare", "--architectures", "relu,gba", "--k", 2, "--synthetic", synthetic, "--out",
                tmp.resolve("y4")), "--k", "relu,gba");
        assertFalse(Files.exists(tmp.resolve("y1")), "nothing was trained");
    }

    /** The SAE spliced into a model: CE loss recovered and KL from three forward passes per batch. */
    @Test
    void evaluatesSplicedIntoTheModel() throws Exception {
        Path model = TinyModels.save(TinyModels.gpt2(), 2, tmp.resolve("model"));
        Path texts = Files.writeString(tmp.resolve("texts.txt"), WordLevelTokenizers.text(WordLevelTokenizers.words(40), 30, 1));
        Path store = tmp.resolve("store");
        assertEquals(0, cli("sae", "cache", model, "--hook", "blocks.1.hook_resid_post", "--data", texts, "--out", store,
                "--max-tokens", 32).code());
        Path sae = tmp.resolve("relu");
        CliTest.Run t = cli("sae", "train", "--architecture", "relu", "--activations", store, "--d-sae", 64, "--batch-size", 64,
                "--steps", 30, "--out", sae, "--buffer-rows", 128);
        assertEquals(0, t.code(), t.err());
        Path eval = tmp.resolve("eval-model");
        CliTest.Run e = cli("sae", "eval", sae.resolve("final"), "--model", model, "--data", texts, "--samples", 10,
                "--max-tokens", 32, "--out", eval);
        assertEquals(0, e.code(), e.err());
        JsonNode r = Json.read(eval.resolve("eval.json")).get("saes").get(0);
        assertEquals("blocks.1.hook_resid_post", r.get("hook").asText());
        double orig = r.get("ce_original").asDouble();
        double zero = r.get("ce_zero_ablation").asDouble();
        double recovered = r.get("ce_loss_recovered").asDouble();
        assertEquals((zero - r.get("ce_sae").asDouble()) / (zero - orig), recovered, 1e-9);
        assertTrue(r.get("kl_divergence").asDouble() >= 0);
        assertEquals(64, Files.readAllLines(eval.resolve("latents.jsonl")).size());
    }
}
