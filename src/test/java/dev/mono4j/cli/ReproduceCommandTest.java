package dev.mono4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reproduce decpo}'s bad flags: one line naming the problem, exit code 2, nothing trained. */
class ReproduceCommandTest {
    @TempDir
    Path tmp;

    @Test
    void badFlagsAreOneLineAndExitTwo() {
        for (String[] bad : new String[][] {{"--presets", "xl"}, {"--tasks", "poetry"}, {"--methods", "decpo"},
            {"--seeds", "0"}, {"--fig7-layers", "9"}, {"--decorr-modes", "nope"}}) {
            CliTest.Run r = CliTest.cli("reproduce", "decpo", "--quick", bad[0], bad[1], "--out", tmp.resolve("x"));
            assertEquals(2, r.code(), String.join(" ", bad) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(!tmp.resolve("x").resolve("data").toFile().exists(), "nothing written for " + bad[0]);
        }
    }
}
