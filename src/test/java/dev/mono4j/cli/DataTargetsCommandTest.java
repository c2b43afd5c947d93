package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data wordnet} and {@code data targets} through the CLI: files, summary lines, one-line errors (exit 2). */
class DataTargetsCommandTest {
    @TempDir
    Path tmp;

    @Test
    void wordnetThenTargetsWriteTheirFiles() throws Exception {
        Path noun = Files.writeString(tmp.resolve("data.noun"), "  1 licence  \n"
                + "00000100 13 n 01 plum 0 000 | a sweet purple fruit with a stone; \"plums ripen late in summer\"  \n"
                + "00000200 05 n 01 vole 0 000 | a small rodent of the fields  \n"
                + "00000300 13 n 01 pear 0 000 | a sweet green fruit shaped like a bell  \n");
        CliTest.Run r = cli("data", "wordnet", "--wordnet", noun, "--out", tmp.resolve("wn"));
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + tmp.resolve("wn/wordnet.jsonl") + ": 3 definitions and 1 examples from 3 synsets in 2"
                + " supersenses (0 texts under 4 words left out)\n", r.out());
        r = cli("data", "targets", "--data", tmp.resolve("wn/wordnet.jsonl"), "--where", "supersense=noun.food",
                "--count", "2", "--heldout", "1", "--out", tmp.resolve("t"));
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + tmp.resolve("t") + ": 2 targets, pool of 1 lines (0 of them matching), 1 held-out"
                + " texts\n", r.out());
        assertEquals(2, Files.readAllLines(tmp.resolve("t/targets.jsonl")).size());
        assertTrue(Files.readString(tmp.resolve("t/pool.jsonl")).contains("\"vole\""));
        assertEquals(1, Files.readAllLines(tmp.resolve("t/heldout.txt")).size());
        // Again into the same folder: refused without --overwrite, replaced with it.
        r = cli("data", "targets", "--data", tmp.resolve("wn/wordnet.jsonl"), "--where", "supersense=noun.food",
                "--count", "2", "--out", tmp.resolve("t"));
        assertEquals(2, r.code());
        r = cli("data", "targets", "--data", tmp.resolve("wn/wordnet.jsonl"), "--where", "supersense=noun.food",
                "--count", "2", "--out", tmp.resolve("t"), "--overwrite");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(tmp.resolve("t/heldout.txt")), "no --heldout this time");
    }

    @Test
    void badInputIsOneLineWithExitCode2() throws Exception {
        Path missing = tmp.resolve("none/data.noun");
        CliTest.Run r = cli("data", "wordnet", "--wordnet", missing, "--out", tmp.resolve("wn"));
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("install the Debian package wordnet-base"), r.err());
        assertFalse(Files.exists(tmp.resolve("wn")), "nothing written");

        Path data = Files.writeString(tmp.resolve("d.jsonl"), "{\"text\":\"x\",\"k\":\"v\"}\n");
        r = cli("data", "targets", "--data", data, "--where", "kv", "--out", tmp.resolve("t"));
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("'kv': expected FIELD=VALUE"), r.err());
        r = cli("data", "targets", "--data", data, "--where", "k=v", "--count", "2", "--out", tmp.resolve("t"));
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("t")), "nothing written");
    }
}
