package dev.mono4j.io;

import dev.mono4j.UserInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

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

    /** Writes {@code lines} as UTF-8, each ended by a newline. */
    public static void writeLines(Path target, java.util.List<String> lines) {
        write(target, out -> {
            for (String l : lines) {
                out.write(l.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.write('\n');
            }
        });
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

    /**
     * Tidies what a process killed while writing {@code target} left beside it, once that process is gone:
     * {@link #writeFolder}'s temp folder ({@code .NAME.tmp-PID-TIME}) is deleted; its saved previous folder
     * ({@code .NAME.old-PID-TIME}) is put back when {@code target} is missing (the kill fell between the two
     * renames), else deleted; {@link #write}'s temp files ({@code .NAME.*.tmp}) are deleted.
     *
     * @return the entries removed or put back, for a message
     */
    public static List<String> cleanAfterKill(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        java.util.regex.Pattern folderTemp = java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote("." + name) + "\\.(tmp|old)-(\\d+)-\\d+");
        List<String> done = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return done;
        }
        try (var s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String entry = p.getFileName().toString();
                java.util.regex.Matcher m = folderTemp.matcher(entry);
                if (m.matches() && !ProcessHandle.of(Long.parseLong(m.group(2))).map(ProcessHandle::isAlive).orElse(false)) {
                    if (m.group(1).equals("old") && !Files.exists(target)) {
                        Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
                        done.add(entry + " put back as " + name);
                    } else {
                        deleteTree(p);
                        done.add(entry + " removed");
                    }
                } else if (entry.startsWith("." + name + ".") && entry.endsWith(".tmp") && Files.isRegularFile(p)) {
                    Files.delete(p);
                    done.add(entry + " removed");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir + " after an interrupted write of " + name + ": "
                    + e.getMessage(), e);
        }
        return done;
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
