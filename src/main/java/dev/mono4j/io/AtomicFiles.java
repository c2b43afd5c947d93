package dev.mono4j.io;

import dev.mono4j.UserInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so a reader never sees half of one: write a temp file beside the target, then rename.
 * A crash leaves either the old file or the new one, never a mix.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Something that writes a file's content to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(Path target, Content content) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            // Not createTempFile: it makes the file 0600, and the rename would give the target those rights.
            tmp = dir.resolve("." + target.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
                OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 20);
                content.writeTo(out);
                out.flush();
                ch.force(true); // data on disk before the rename, so a crash cannot leave an empty target
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Writes a folder's files. */
    @FunctionalInterface
    public interface FolderContent {
        void writeTo(Path folder) throws IOException;
    }

    /**
     * Writes a folder whole: into a temp folder beside {@code target}, then renamed into place, so a reader
     * sees the old folder or the new one, never a mix. Refused: a file at {@code target}; a non-empty folder
     * unless {@code overwrite}; and, even with {@code overwrite}, a non-empty folder without {@code marker}, the
     * file every folder of this {@code kind} holds (without it the folder is not one we would replace).
     */
    public static void writeFolder(Path target, boolean overwrite, String marker, String kind, FolderContent content) {
        Path dir = target.toAbsolutePath();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserInputException(dir + ": exists and is not a folder; refusing to replace it");
        }
        if (Files.isDirectory(dir) && !isEmptyDir(dir)) {
            if (!overwrite) {
                throw new UserInputException(dir + ": folder exists and is not empty; refusing to overwrite it");
            }
            if (!Files.exists(dir.resolve(marker))) {
                throw new UserInputException(dir + ": folder holds no " + marker + ", so it is not a " + kind
                        + "; refusing to replace it");
            }
        }
        String suffix = "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path tmp = dir.resolveSibling("." + dir.getFileName() + ".tmp" + suffix);
        Path old = dir.resolveSibling("." + dir.getFileName() + ".old" + suffix);
        try {
            Files.createDirectories(tmp);
            content.writeTo(tmp);
            if (Files.exists(dir)) {
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException ex) {
                    Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE); // put the user's folder back
                    throw ex;
                }
                deleteTree(old);
            } else {
                Files.createDirectories(dir.getParent());
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save " + kind + " to " + dir + ": " + e.getMessage(), e);
        } finally {
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // a leftover temp folder has a dot name and the pid; nothing of the user's is in it
            }
        }
    }

    private static boolean isEmptyDir(Path dir) {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes a file or a folder with everything in it; nothing when it does not exist. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: the temp file has a dot name and a .tmp suffix, so it is recognisable
            }
        }
    }
}
