package dev.mono4j.cli;

import dev.mono4j.io.OutputFolder;
import java.nio.file.Path;
import java.util.Collection;
import picocli.CommandLine.Option;

/**
 * {@code --out} and {@code --overwrite} of a command that fills a folder, under {@link OutputFolder}'s rule: the
 * folder is new or empty, or with {@code --overwrite} holds an earlier run of the same command, which is replaced.
 */
final class OutputFolderOptions {
    /** What {@link OutputFolder} tells the user when {@code --out} is not empty. */
    static final String HINT = "pass --overwrite or choose another --out";

    @Option(names = "--out", required = true, description = "Output folder (new or empty, or see --overwrite).")
    Path out;

    @Option(names = "--overwrite", description = "Replace an earlier '${COMMAND-FULL-NAME}' in --out (nothing else there).")
    boolean overwrite;

    /** Refuses a bad {@code --out} now, touching nothing: before long work, so a failed run leaves an earlier one. */
    void check(Collection<String> own) {
        OutputFolder.check(out, own, overwrite, HINT);
    }

    /** Makes {@code --out} ready to write the entries {@code own} into. */
    void prepare(Collection<String> own) {
        OutputFolder.prepare(out, own, overwrite, HINT);
    }
}
