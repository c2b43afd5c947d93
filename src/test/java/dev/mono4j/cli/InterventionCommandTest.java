package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.sae.SparseAutoencoder;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.TinyModels;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code forward --gradients}, SAE splicing and interventions in {@code forward} and {@code generate}, end to end. */
class InterventionCommandTest {
    private static final String AT = "blocks.0.hook_resid_post";

    @TempDir
    static Path tmp;

    static Path model;
    static Path sae;
    static Path ids;

    @BeforeAll
    static void setUp() {
        model = TinyModels.save(TinyModels.llama(), 3, tmp.resolve("model"));
        ids = tmp.resolve("ids.safetensors");
        new SafetensorsWriter().addI64("input_ids", new long[] {3, 5}, new long[] {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
            14, 15, 16, 17}).write(ids);
        SplittableRandom rng = new SplittableRandom(2);
        int dIn = 32;
        int dSae = 24;
        float[] w = new float[dIn * dSae];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian(0, 0.3);
        }
        sae = tmp.resolve("sae");
        try (NDManager m = NDManager.newBaseManager(); SparseAutoencoder s = new SparseAutoencoder(
                SparseAutoencoder.Kind.STANDARD, 0, w, w, new float[dSae], new float[dIn], null, dIn, dSae,
                JsonNodeFactory.instance.objectNode().put("hook_name", AT), m)) {
            s.save(sae, false);
        }
    }

    private static float[] read(Path file, String name) {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            return r.readFloats(name);
        }
    }

    private static String shape(Path file, String name) {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            return r.info(name).shapeString();
        }
    }

    @Test
    void gradientsAreSavedBesideActivationsWhateverTheBatchSize() {
        Path one = tmp.resolve("g1.safetensors");
        Path all = tmp.resolve("g3.safetensors");
        CliTest.Run r = cli("forward", model, "--input", ids, "--hooks", AT, "--gradients", AT + ",blocks.1.attn.hook_z",
                "--out", one, "--batch-size", 1);
        assertEquals(0, r.code(), r.err());
        assertEquals(0, cli("forward", model, "--input", ids, "--gradients", AT, "--out", all).code());
        assertEquals("[3, 5, 32]", shape(one, AT + "_grad"));
        assertEquals("[3, 5, 4, 8]", shape(one, "blocks.1.attn.hook_z_grad"));
        float[] a = read(one, AT + "_grad");
        assertTrue(Fixtures.maxAbsDiff(a, read(all, AT + "_grad")) < 1e-6, "the batch's mean loss, however it is split");
        double norm = 0;
        for (float v : a) {
            norm += v * v;
        }
        assertTrue(norm > 1e-12, "a gradient that is not zero");
    }

    @Test
    void anSaeSplicedWithItsErrorTermLeavesLogitsAndSavesLatents() {
        Path plain = tmp.resolve("plain.safetensors");
        Path spliced = tmp.resolve("spliced.safetensors");
        Path lossy = tmp.resolve("lossy.safetensors");
        assertEquals(0, cli("forward", model, "--input", ids, "--out", plain).code());
        CliTest.Run r = cli("forward", model, "--input", ids, "--sae", sae, "--hooks", "*.hook_sae_acts_post", "--out",
                spliced);
        assertEquals(0, r.code(), r.err());
        assertEquals("[3, 5, 24]", shape(spliced, AT + ".hook_sae_acts_post"), "[batch, pos, d_sae]");
        assertTrue(Fixtures.maxAbsDiff(read(plain, "logits"), read(spliced, "logits")) < 1e-4);
        assertEquals(0, cli("forward", model, "--input", ids, "--sae", sae, "--no-error-term", "--out", lossy).code());
        assertTrue(Fixtures.maxAbsDiff(read(plain, "logits"), read(lossy, "logits")) > 1e-3, "the SAE's error shows");
    }

    @Test
    void generateContinuesSeveralPromptsAsEachAlone() {
        CliTest.Run both = cli("generate", model, "--prompt", "w1 w2 w3", "--prompt", "w4", "--max-new-tokens", 6,
                "--temperature", 0.8, "--seed", 3, "--batch-size", 2);
        assertEquals(0, both.code(), both.err());
        List<String> lines = both.out().lines().toList();
        assertEquals(2, lines.size(), both.out());
        assertEquals(cli("generate", model, "--prompt", "w1 w2 w3", "--max-new-tokens", 6, "--temperature", 0.8, "--seed",
                3).out().strip(), lines.get(0));
        assertEquals(cli("generate", model, "--prompt", "w4", "--max-new-tokens", 6, "--temperature", 0.8, "--seed",
                3).out().strip(), lines.get(1));
    }

    @Test
    void steeringAblatingAndClampingChangeWhatIsGenerated() {
        Path vector = tmp.resolve("vec.safetensors");
        float[] v = new float[32];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 3) - 1f;
        }
        new SafetensorsWriter().addF32("direction", new long[] {32}, v).write(vector);
        Object[] base = {"generate", model, "--prompt", "w1 w2", "--max-new-tokens", 8, "--temperature", 0};
        String plain = cli(base).out();
        assertEquals(plain, run(base, "--steer", AT + ":0:" + vector).out(), "coefficient 0 changes nothing");
        assertEquals(plain, run(base, "--sae", sae).out(), "a splice with its error term changes nothing");
        assertNotEquals(plain, run(base, "--steer", AT + ":40:" + vector).out());
        CliTest.Run ablated = run(base, "--ablate-head", "0.1", "--ablate-head", "1.0");
        assertEquals(0, ablated.code(), ablated.err());
        CliTest.Run clamped = run(base, "--sae", sae, "--clamp", "3=50", "--steer-latent", "5=-10");
        assertEquals(0, clamped.code(), clamped.err());
        assertNotEquals(plain, clamped.out());
    }

    @Test
    void badInterventionsAreOneLine() {
        Object[] base = {"generate", model, "--prompt", "w1", "--max-new-tokens", 2};
        assertBadInput(run(base, "--clamp", "3=1"), "need --sae");
        assertBadInput(run(base, "--steer", AT + ":2"), "HOOK:COEF:FILE");
        assertBadInput(run(base, "--steer", "blocks.9.hook_resid_post:1:" + ids), "not a hook point");
        assertBadInput(run(base, "--steer", AT + ":1:" + ids), "expected a vector");
        assertBadInput(run(base, "--ablate-head", "1.9"), "head 9");
        assertBadInput(run(base, "--sae", sae, "--clamp", "99=1"), "latent 99");
        assertBadInput(run(base, "--sae", sae, "--sae-hook", "blocks.0.mlp.hook_post"), "d_in 32");
        assertBadInput(cli("forward", model, "--input", ids, "--gradients", "nothing.*", "--out", tmp.resolve("x")),
                "--gradients");
    }

    private static CliTest.Run run(Object[] base, Object... more) {
        Object[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return cli(all);
    }
}
