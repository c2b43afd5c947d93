package dev.mono4j.io;

import dev.mono4j.UserInputException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.ObjIntConsumer;

/**
 * A text file read line by line as strict UTF-8: the one way text files enter mono4j ({@code --data},
 * {@code --labels}, {@code --pairs}, {@code --prompts}, {@code --train}/{@code --valid}). Invalid UTF-8 is an
 * error naming the file and the 1-based line ("FILE:LINE: not valid UTF-8"), never replaced by U+FFFD.
 *
 * <p>Why bytes first: each line is cut at its line end as bytes and then decoded on its own, so the line
 * number is the line the bad byte is on. A {@code BufferedReader} over a strict decoder decodes 8,192
 * characters ahead of the line it returns, so its error surfaced while an earlier line was current (line 500
 * reported as 487). Line ends are {@code BufferedReader.readLine}'s: {@code \n}, {@code \r} or {@code \r\n};
 * these bytes never occur inside a multi-byte UTF-8 sequence, so cutting before decoding is safe.
 */
public final class TextLines implements Closeable {
    private final Path file;
    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] chunk = new byte[1 << 16];
    private int chunkPos;
    private int chunkEnd;
    private byte[] line = new byte[256];
    private int lineNumber;

    private TextLines(Path file, InputStream in) {
        this.file = file;
        this.in = in;
    }

    /** Opens a file; a missing file, a directory or an unreadable file is a one-line error naming it. */
    public static TextLines open(Path file) {
        requireFile(file);
        try {
            return new TextLines(file, Files.newInputStream(file));
        } catch (IOException e) {
            throw new UserInputException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Fails with one line unless {@code file} is a regular file: "file not found" or "is a directory". */
    public static void requireFile(Path file) {
        if (Files.isDirectory(file)) {
            throw new UserInputException(file + ": is a directory, not a file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UserInputException(file + ": file not found");
        }
    }

    /** Shows each line of a file with its 1-based number to {@code each}; returns the number of lines. */
    public static int forEach(Path file, ObjIntConsumer<String> each) {
        try (TextLines lines = open(file)) {
            for (String l = lines.next(); l != null; l = lines.next()) {
                each.accept(l, lines.lineNumber());
            }
            return lines.lineNumber();
        }
    }

    /** The next line without its line end, or null at the end of the file. */
    public String next() {
        try {
            int length = 0;
            boolean any = false; // bytes of this line were read (an empty line's line end counts)
            while (true) {
                if (chunkPos == chunkEnd && !fill()) {
                    if (!any) {
                        return null;
                    }
                    break;
                }
                byte b = chunk[chunkPos++];
                any = true;
                if (b == '\n') {
                    break;
                }
                if (b == '\r') {
                    if ((chunkPos < chunkEnd || fill()) && chunk[chunkPos] == '\n') {
                        chunkPos++;
                    }
                    break;
                }
                if (length == line.length) {
                    line = Arrays.copyOf(line, 2 * line.length);
                }
                line[length++] = b;
            }
            lineNumber++;
            return decode(length);
        } catch (IOException e) {
            throw new UserInputException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** The 1-based number of the line {@link #next()} returned last (0 before the first). */
    public int lineNumber() {
        return lineNumber;
    }

    /** "FILE:LINE" of the line {@link #next()} returned last, for messages. */
    public String where() {
        return file + ":" + lineNumber;
    }

    private String decode(int length) {
        ByteBuffer bytes = ByteBuffer.wrap(line, 0, length);
        try {
            return decoder.decode(bytes).toString();
        } catch (CharacterCodingException e) {
            // decode() leaves the buffer at the start of the malformed sequence.
            throw new UserInputException(where() + ": not valid UTF-8 (byte " + (bytes.position() + 1) + " of the line)");
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(chunk);
        chunkPos = 0;
        chunkEnd = Math.max(n, 0);
        return n > 0;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
