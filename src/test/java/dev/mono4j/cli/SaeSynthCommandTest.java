package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.sae.SyntheticConfig;
import dev.mono4j.sae.SyntheticSuperposition;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./mono4j sae synth}: the folder it writes, its summary line, and its one-line errors. */
class SaeSynthCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheGroundTruthFolder() {
        Path out = tmp.resolve("synth");
        CliTest.Run r = cli("sae", "synth", "--out", out, "--n", 128, "--d", 42, "--sparsity", "3:0.5,20:0.5",
                "--frequencies", "zipf:1.0", "--magnitudes", "const:1", "--noise", 0.01, "--seed", 4);
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        assertTrue(r.out().contains("128 features in 42 dimensions") && r.out().contains("mean 11.50"), r.out());
        SyntheticConfig c = SyntheticSuperposition.load(out).config();
        assertEquals(new SyntheticConfig(128, 42, SyntheticConfig.Sparsity.parse("3:0.5,20:0.5"),
                SyntheticConfig.Frequencies.parse("zipf:1"), SyntheticConfig.Magnitudes.parse("const:1"), 0.01, 4), c);
    }

    @Test
    void defaultsAreThePapersCaseAndOverwriteNeedsTheFlag() throws Exception {
        Path out = tmp.resolve("default");
        assertEquals(0, cli("sae", "synth", "--out", out).code());
        assertEquals(SyntheticConfig.DEFAULT, SyntheticSuperposition.load(out).config());
        assertBadInput(cli("sae", "synth", "--out", out, "--seed", 2), out.toString(), "--overwrite");
        assertEquals(0, cli("sae", "synth", "--out", out, "--seed", 2, "--overwrite").code());
        assertEquals(2, SyntheticSuperposition.load(out).config().seed());
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertBadInput(cli("sae", "synth", "--out", out, "--overwrite"), "notes.txt");
    }

    @Test
    void badFlagsAreOneLineErrors() {
        Path out = tmp.resolve("bad");
        assertBadInput(cli("sae", "synth", "--out", out, "--sparsity", "8-4"), "invalid flags", "sparsity '8-4'");
        assertBadInput(cli("sae", "synth", "--out", out, "--sparsity", "3:0.5"), "invalid flags", "sum to 1");
        assertBadInput(cli("sae", "synth", "--out", out, "--frequencies", "zipf:-1"), "invalid flags", "Zipf");
        assertBadInput(cli("sae", "synth", "--out", out, "--magnitudes", "normal"), "invalid flags", "magnitudes 'normal'");
        assertBadInput(cli("sae", "synth", "--out", out, "--n", 4), "invalid flags", "only n = 4");
        assertBadInput(cli("sae", "synth", "--out", out, "--noise", -1), "invalid flags", "noise");
        assertBadInput(cli("sae", "synth", "--out", out, "--n", "many"), "--n");
        assertTrue(!Files.exists(out), "nothing written");
    }
}
