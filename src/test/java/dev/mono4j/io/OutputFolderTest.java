package dev.mono4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFolderTest {
    private static final List<String> OWN = List.of("report.html", "models");

    @Test
    void newOrEmptyFoldersAreUsedAsTheyAre(@TempDir Path tmp) throws Exception {
        OutputFolder.prepare(tmp.resolve("a/b"), OWN, false, "hint");
        assertTrue(Files.isDirectory(tmp.resolve("a/b")));
        OutputFolder.prepare(tmp.resolve("a/b"), OWN, false, "hint");
    }

    @Test
    void overwriteRemovesOnlyTheCommandsOwnEntriesAndTheirTempFiles(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("models/xs"));
        Files.writeString(tmp.resolve("report.html"), "old");
        Files.writeString(tmp.resolve(".report.html.1234.tmp"), "interrupted write");
        UserInputException e = assertThrows(UserInputException.class, () -> OutputFolder.prepare(tmp, OWN, false,
                "pass --overwrite"));
        assertTrue(e.getMessage().endsWith("not empty; pass --overwrite"), e.getMessage());
        OutputFolder.prepare(tmp, OWN, true, "hint");
        try (var left = Files.list(tmp)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void anythingElseIsNeverTouched(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("report.html"), "old");
        Files.writeString(tmp.resolve("notes.txt"), "mine");
        UserInputException e = assertThrows(UserInputException.class, () -> OutputFolder.prepare(tmp, OWN, true, "h"));
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
        assertEquals("old", Files.readString(tmp.resolve("report.html")), "nothing is deleted when it refuses");
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        assertThrows(UserInputException.class, () -> OutputFolder.prepare(file, OWN, true, "h"));
    }
}
