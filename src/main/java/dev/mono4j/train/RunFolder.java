package dev.mono4j.train;

import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The names every training run folder uses, chosen here once: {@value #LOG} (one JSON object per logged step),
 * {@value #CHECKPOINT}/ (the latest resumable state, replaced whole, with {@value #STATE} and the optimizer's
 * files), {@value #FINAL}/ (the trained result) and {@value #SUMMARY}.
 *
 * <p>Older releases named the log and the state file after the trainer ({@code train_log.jsonl} and
 * {@code trainer_state.json}, {@code align_log.jsonl} and {@code align_state.json}, {@code sae_log.jsonl} and
 * {@code sae_state.json}); {@link #stateToResume} renames them in a folder it resumes, so such a run continues
 * under today's names.
 */
public final class RunFolder {
    public static final String LOG = "log.jsonl";
    public static final String CHECKPOINT = "checkpoint";
    public static final String STATE = "state.json";
    public static final String FINAL = "final";
    public static final String SUMMARY = "summary.json";

    /** A trainer's file names before they were shared: its log, and the state file in its checkpoint. */
    public record OldNames(String log, String state) {
    }

    private RunFolder() {
    }

    /**
     * The entries a run folder may hold, for {@link dev.mono4j.io.OutputFolder}: the shared ones, a trainer's
     * {@code extra} ones, and its old log name (so --overwrite replaces an old run as well).
     */
    public static List<String> outputs(OldNames old, String... extra) {
        List<String> own = new ArrayList<>(List.of(LOG, CHECKPOINT, FINAL, SUMMARY, old.log()));
        own.addAll(List.of(extra));
        return own;
    }

    /** Whether {@code out} holds a checkpoint to resume from, under today's names or the old ones. */
    public static boolean hasCheckpoint(Path out, OldNames old) {
        Path checkpoint = out.resolve(CHECKPOINT);
        return Files.isRegularFile(checkpoint.resolve(STATE)) || Files.isRegularFile(checkpoint.resolve(old.state()));
    }

    /**
     * The state file of {@code out}'s checkpoint, after tidying what a killed run left (temp copies of the
     * checkpoint, final model and summary, deleted; the previous checkpoint put back when the kill fell between
     * the renames that replace it: {@link AtomicFiles#cleanAfterKill}) and renaming an older release's log and state
     * file to today's names (each rename is atomic, and one left undone by a kill is done on the next call).
     */
    public static Path stateToResume(Path out, OldNames old) {
        Path checkpoint = out.resolve(CHECKPOINT);
        for (String entry : List.of(CHECKPOINT, FINAL, SUMMARY, LOG)) {
            AtomicFiles.cleanAfterKill(out.resolve(entry));
        }
        if (!hasCheckpoint(out, old)) {
            throw new UserInputException(out + ": no " + CHECKPOINT + "/" + STATE + " to resume from");
        }
        renameOld(out.resolve(old.log()), out.resolve(LOG));
        renameOld(checkpoint.resolve(old.state()), checkpoint.resolve(STATE));
        return checkpoint.resolve(STATE);
    }

    private static void renameOld(Path old, Path now) {
        if (Files.exists(old) && !Files.exists(now)) {
            try {
                Files.move(old, now, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rename " + old + " to " + now.getFileName() + ": " + e.getMessage(), e);
            }
        }
    }
}
