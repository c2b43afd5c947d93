package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.testing.WordLevelTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 2: NaN or ±Inf in a checkpoint, an SAE or an activation store is one line naming the file and
 * tensor, exit 2, in every command that loads them; {@code --allow-nonfinite} loads them anyway.
 */
class NonFiniteCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path nanModel;
    static Path texts;
    /** The tensor poisoned in {@link #nanModel}: a NaN at element 5 and +Inf at element 9. */
    static final String TENSOR = "transformer.h.1.mlp.c_fc.weight";

    @BeforeAll
    static void tinyModels() throws Exception {
        model = TinyModels.save(TinyModels.gpt2(), 2, tmp.resolve("model"));
        texts = Files.writeString(tmp.resolve("texts.txt"), WordLevelTokenizers.text(WordLevelTokenizers.words(40), 12, 1));
        nanModel = poison(model, "nan-model", "model.safetensors", TENSOR, Map.of(5, Float.NaN, 9, Float.POSITIVE_INFINITY));
    }

    /** A copy of folder {@code src} whose {@code file} has {@code values} set in {@code tensor} (element → value). */
    static Path poison(Path src, String name, String file, String tensor, Map<Integer, Float> values) throws Exception {
        Path dst = tmp.resolve(name);
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, dst.resolve(f.getFileName()));
            }
        }
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsReader r = SafetensorsReader.open(src.resolve(file))) {
            for (String t : r.tensors().keySet()) {
                if (!r.info(t).dtype().isFloat()) {
                    w.addI64(t, r.info(t).shape(), r.readLongs(t));
                    continue;
                }
                float[] v = r.readFloats(t);
                if (t.equals(tensor)) {
                    values.forEach((i, x) -> v[i] = x);
                }
                w.addF32(t, r.info(t).shape(), v);
            }
        }
        Files.delete(dst.resolve(file));
        w.write(dst.resolve(file));
        return dst;
    }

    /** The one line every load of {@link #nanModel} gives. */
    private static final String[] NAN_MODEL_LINE = {"model.safetensors", "tensor '" + TENSOR + "'", "2 non-finite values",
        "NaN", "element 5", "--allow-nonfinite"};

    @Test
    void forwardAndGenerateRefuseNonFiniteWeights() {
        Path out = tmp.resolve("f.safetensors");
        assertBadInput(cli("forward", nanModel, "--text", "w1 w2", "--out", out), NAN_MODEL_LINE);
        assertTrue(Files.notExists(out));
        CliTest.Run allowed = cli("forward", nanModel, "--text", "w1 w2", "--out", out, "--allow-nonfinite");
        assertEquals(0, allowed.code(), allowed.err());
        assertBadInput(cli("generate", nanModel, "--prompt", "w1 w2", "--max-new-tokens", 3), NAN_MODEL_LINE);
    }

    /** Before: exit 1 with "IllegalStateException: eigen decomposition failed". */
    @Test
    void measureRefusesNonFiniteWeightsAndActivationsInOneLine() {
        Path out = tmp.resolve("measure");
        assertBadInput(cli("measure", nanModel, "--data", texts, "--out", out), NAN_MODEL_LINE);
        // Loaded anyway, the NaN reaches layer 1's MLP activations: named by hook and layer, still exit 2.
        assertBadInput(cli("measure", nanModel, "--data", texts, "--out", out, "--allow-nonfinite"), "texts.txt:1",
                "blocks.1.mlp.hook_post", "(layer 1)", "non-finite");
        assertTrue(Files.notExists(out));
    }

    @Test
    void saeCacheRefusesNonFiniteWeightsAndActivations() throws Exception {
        Path out = tmp.resolve("cache-nan");
        assertBadInput(cli("sae", "cache", nanModel, "--hook", "blocks.1.mlp.hook_post", "--data", texts, "--out", out,
                "--max-tokens", 32), NAN_MODEL_LINE);
        // Finite weights that overflow: the embedding's 3e38 makes layer norm's variance infinite, the residual NaN.
        float[] huge = new float[96 * 32];
        Arrays.fill(huge, 3e38f);
        Map<Integer, Float> all = new java.util.HashMap<>();
        for (int i = 0; i < huge.length; i++) {
            all.put(i, huge[i]);
        }
        Path overflow = poison(model, "overflow-model", "model.safetensors", "transformer.wte.weight", all);
        assertBadInput(cli("sae", "cache", overflow, "--hook", "blocks.0.hook_resid_post", "--data", texts, "--out", out,
                "--max-tokens", 32), "texts.txt:1", "blocks.0.hook_resid_post", "non-finite", "which the store would hold");
        assertTrue(Files.notExists(out.resolve("activations_00000.safetensors")), "no shard was written");
    }

    @Test
    void saeTrainAndEvalRefuseNonFiniteStoresAndSaes() throws Exception {
        // A store with NaN rows, as only --allow-nonfinite writes one.
        Path store = tmp.resolve("store-nan");
        CliTest.Run c = cli("sae", "cache", nanModel, "--hook", "blocks.1.mlp.hook_post", "--data", texts, "--out", store,
                "--max-tokens", 32, "--allow-nonfinite");
        assertEquals(0, c.code(), c.err());
        assertBadInput(cli("sae", "train", "--architecture", "relu", "--activations", store, "--d-sae", 32, "--batch-size",
                16, "--steps", 5, "--buffer-rows", 64, "--out", tmp.resolve("train-nan")), "activations_00000.safetensors",
                "tensor 'activations'", "non-finite", "row ", "--allow-nonfinite");

        // A good store and an SAE trained on it, then the SAE's weights poisoned.
        Path good = tmp.resolve("store-good");
        assertEquals(0, cli("sae", "cache", model, "--hook", "blocks.1.mlp.hook_post", "--data", texts, "--out", good,
                "--max-tokens", 32).code());
        Path run = tmp.resolve("sae-run");
        CliTest.Run t = cli("sae", "train", "--architecture", "relu", "--activations", good, "--d-sae", 32, "--batch-size", 16,
                "--steps", 6, "--checkpoint-every", 3, "--buffer-rows", 64, "--out", run);
        assertEquals(0, t.code(), t.err());
        Path nanSae = poison(run.resolve("final"), "nan-sae", "sae_weights.safetensors", "W_dec", Map.of(3, Float.NaN));
        assertBadInput(cli("sae", "eval", nanSae, "--activations", good, "--out", tmp.resolve("eval-nan")),
                "sae_weights.safetensors", "tensor 'W_dec'", "1 non-finite value", "element 3", "--allow-nonfinite");
        assertBadInput(cli("sae", "eval", run.resolve("final"), "--activations", store, "--out", tmp.resolve("eval-store")),
                "activations_00000.safetensors", "tensor 'activations'", "non-finite");
        CliTest.Run allowed = cli("sae", "eval", run.resolve("final"), "--activations", store, "--out",
                tmp.resolve("eval-allowed"), "--allow-nonfinite");
        assertEquals(0, allowed.code(), allowed.err());
        assertTrue(allowed.out().contains("FVU NaN"), allowed.out());

        // The run's checkpoint (its SAE in sae.safetensors) poisoned: resume refuses it.
        Path ckpt = run.resolve("checkpoint");
        Path poisoned = poison(ckpt, "nan-ckpt", "sae.safetensors", "W_enc", Map.of(0, Float.NEGATIVE_INFINITY));
        Files.copy(poisoned.resolve("sae.safetensors"), ckpt.resolve("sae.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertBadInput(cli("sae", "train", "--resume", "--out", run), "sae.safetensors", "tensor 'W_enc'", "-Infinity",
                "--allow-nonfinite");
    }

    /** One flag, declared once (NonFiniteOption), on every command that loads a checkpoint, an SAE or a store. */
    @Test
    void everyCommandThatLoadsOffersTheFlag() {
        for (String[] command : new String[][] {{"forward"}, {"generate"}, {"embed"}, {"measure"}, {"align"},
            {"align", "eval"}, {"sae", "cache"}, {"sae", "train"}, {"sae", "eval"}}) {
            CliTest.Run help = cli(Stream.concat(Stream.of((Object[]) command), Stream.of("--help")).toArray());
            assertTrue(help.out().contains("--allow-nonfinite"), String.join(" ", command) + ": " + help.out());
        }
        // A resumed run takes it too: it is how the run loads, not a setting the saved config fixes.
        CliTest.Run resumed = cli("align", "--resume", "--out", tmp.resolve("no-run"), "--allow-nonfinite");
        assertTrue(!resumed.err().contains("drop"), resumed.err());
    }
}
