package dev.mono4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mono4j.UserInputException;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The strict line reader every text input goes through: lines as BufferedReader cuts them, errors at the right line. */
class TextLinesTest {
    @TempDir
    Path tmp;

    /** Line ends \n, \r and \r\n, empty lines, a last line without a line end: the same lines as BufferedReader. */
    @Test
    void cutsLinesAsBufferedReaderDoes() throws Exception {
        String text = "first\r\nsecond\rthird\n\nfünfte ✓\r\n\r\rlast without end";
        Path file = Files.writeString(tmp.resolve("ends.txt"), text, StandardCharsets.UTF_8);
        List<String> expected = new BufferedReader(new StringReader(text)).lines().toList();
        List<String> read = new ArrayList<>();
        int count = TextLines.forEach(file, (line, number) -> {
            read.add(line);
            assertEquals(read.size(), number, "1-based line numbers");
        });
        assertEquals(expected, read);
        assertEquals(expected.size(), count);
        assertEquals(0, TextLines.forEach(Files.writeString(tmp.resolve("empty.txt"), ""), (l, n) -> { }));
        assertEquals(List.of(""), lines(Files.writeString(tmp.resolve("one-end.txt"), "\n")));
    }

    /** Lines longer than the read chunk (64 KiB) and many lines: nothing is lost at chunk edges. */
    @Test
    void readsAcrossChunkEdges() throws Exception {
        List<String> expected = new ArrayList<>();
        expected.add("é".repeat(70_000)); // 140,000 bytes, two-byte characters across the 64 KiB edges
        for (int i = 0; i < 20_000; i++) {
            expected.add("line " + i + (i % 7 == 0 ? " ü" : ""));
        }
        Path file = tmp.resolve("long.txt");
        Files.write(file, expected, StandardCharsets.UTF_8);
        assertEquals(expected, lines(file));
    }

    /** The invalid byte is reported on its own line, however far into the file, with its place in the line. */
    @Test
    void invalidUtf8NamesTheLineItIsOn() throws Exception {
        for (int bad : new int[] {1, 200, 500, 1999}) {
            StringBuilder text = new StringBuilder();
            for (int i = 1; i <= 2000; i++) {
                text.append("{\"prompt\": \"a line long enough to fill buffers, number ").append(i).append("\"}\n");
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            int lineStart = 0;
            for (int line = 1; line < bad; line++) {
                lineStart = indexOf(bytes, (byte) '\n', lineStart) + 1;
            }
            bytes[lineStart + 4] = (byte) 0xff;
            Path file = Files.write(tmp.resolve("bad" + bad + ".jsonl"), bytes);
            UserInputException e = assertThrows(UserInputException.class, () -> lines(file));
            assertEquals(file + ":" + bad + ": not valid UTF-8 (byte 5 of the line)", e.getMessage());
        }
        // A truncated two-byte sequence at the end of a line (0xC3 then the line end).
        Path cut = Files.write(tmp.resolve("cut.txt"), new byte[] {'o', 'k', '\n', 'a', (byte) 0xc3, '\n'});
        assertEquals(cut + ":2: not valid UTF-8 (byte 2 of the line)",
                assertThrows(UserInputException.class, () -> lines(cut)).getMessage());
    }

    @Test
    void aDirectoryOrAMissingFileIsNamed() {
        assertEquals(tmp + ": is a directory, not a file",
                assertThrows(UserInputException.class, () -> TextLines.open(tmp)).getMessage());
        Path missing = tmp.resolve("missing.txt");
        assertEquals(missing + ": file not found",
                assertThrows(UserInputException.class, () -> TextLines.open(missing)).getMessage());
    }

    private static List<String> lines(Path file) {
        List<String> out = new ArrayList<>();
        TextLines.forEach(file, (line, number) -> out.add(line));
        return out;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
