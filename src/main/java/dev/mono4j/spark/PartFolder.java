package dev.mono4j.spark;

import dev.mono4j.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The hidden folder inside an output folder where Spark tasks leave one part file per range, for the driver to
 * commit. A task writes its part to a temp name of its own attempt and renames it into place
 * ({@link AtomicFiles#write}), so a part under its name is whole; a retried or speculative attempt of the same
 * range computes the same bytes and renames over it. The folder must be one every executor and the driver see
 * (a shared filesystem; docs/scale-out.md).
 */
public record PartFolder(String folder, String suffix) implements java.io.Serializable {
    /** The folder's name inside the output folder: hidden, as it is the output's only while a job runs. */
    public static final String NAME = ".spark-parts";

    /** The part folder of {@code out}, holding {@code part-NNNNN.SUFFIX} files. */
    public static PartFolder in(Path out, String suffix) {
        return new PartFolder(out.toAbsolutePath().resolve(NAME).toString(), suffix);
    }

    /** The folder (a String in the record: Path is not serializable, and tasks carry this). */
    public Path dir() {
        return Path.of(folder);
    }

    /** Where range {@code index}'s part lies once whole. */
    public Path part(int index) {
        return dir().resolve(String.format(Locale.ROOT, "part-%05d.%s", index, suffix));
    }

    /** Whether range {@code index}'s part is there (and so whole). */
    public boolean has(int index) {
        return Files.isRegularFile(part(index));
    }

    /** Deletes the folder, once its parts are committed (or to start again). */
    public void delete() {
        try {
            AtomicFiles.deleteTree(dir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + folder + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the temp files of attempts that died mid-write (a whole part is never touched). */
    public void deleteTempFiles() {
        if (!Files.isDirectory(dir())) {
            return;
        }
        try (var s = Files.list(dir())) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + folder + ": " + e.getMessage(), e);
        }
    }
}
