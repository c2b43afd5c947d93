package dev.mono4j.io;

import dev.mono4j.UserInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The one rule for folders a command fills: it may be new or empty; with overwrite, it may hold an
 * earlier run of the same command, whose own entries (and their leftover temp files, named
 * {@code .ENTRY.*}) are deleted; an entry the command did not write is never touched, and makes it refuse.
 */
public final class OutputFolder {
    private OutputFolder() {
    }

    /**
     * Makes {@code out} ready to write into.
     *
     * @param own   names of the entries the command writes there
     * @param hint  what the user can do when the folder is not empty, e.g. "pass --overwrite"
     */
    public static void prepare(Path out, Collection<String> own, boolean overwrite, String hint) {
        clear(out, own, overwrite, hint);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@link #prepare} without creating {@code out}: for a command whose first write creates it (as
     * {@link AtomicFiles} does), so a run that fails before writing anything leaves no empty folder behind.
     */
    public static void clear(Path out, Collection<String> own, boolean overwrite, String hint) {
        try {
            for (Path e : check(out, own, overwrite, hint)) {
                AtomicFiles.deleteTree(e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses now what {@link #prepare} would refuse, touching nothing: for commands that do long work
     * before writing, so a bad {@code --out} fails first and an earlier run survives a failed one.
     *
     * @return the entries {@code prepare} would delete
     */
    public static List<Path> check(Path out, Collection<String> own, boolean overwrite, String hint) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UserInputException(out + ": exists and is not a folder");
        }
        List<Path> entries = new ArrayList<>();
        try {
            if (Files.isDirectory(out)) {
                try (var s = Files.list(out)) {
                    s.forEach(entries::add);
                }
            }
            if (!entries.isEmpty() && !overwrite) {
                throw new UserInputException(out + ": folder is not empty; " + hint);
            }
            for (Path e : entries) {
                String name = e.getFileName().toString();
                if (own.stream().noneMatch(o -> name.equals(o) || name.startsWith("." + o + "."))) {
                    throw new UserInputException(out + ": holds " + name + ", which this command did not write;"
                            + " refusing to replace the folder");
                }
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + out + ": " + e.getMessage(), e);
        }
    }
}
