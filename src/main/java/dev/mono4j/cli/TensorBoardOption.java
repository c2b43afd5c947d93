package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.train.RunListener;
import dev.mono4j.train.StepRecord;
import dev.mono4j.train.TensorBoardListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * {@code --tensorboard DIR} of a training command: TensorBoard event files of the logged steps, beside the JSONL
 * log. Only when given (our choice: nothing is written that was not asked for).
 */
final class TensorBoardOption {
    @Option(names = "--tensorboard", paramLabel = "DIR", description = "Also write each logged step's metrics as a"
            + " TensorBoard event file into DIR (TRL/SAELens tag names; a resumed run adds a new file): view with"
            + " 'tensorboard --logdir DIR'.")
    Path dir;

    /**
     * Runs {@code training} with the console's progress bar as its listener, and with {@code --tensorboard}'s
     * event file when given, closed after the run however it ends.
     */
    <T> T run(Function<RunListener<StepRecord>, T> training) {
        if (dir == null) {
            return training.apply(RunListener.console());
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserInputException("--tensorboard " + dir + ": is a file, not a folder");
        }
        try (TensorBoardListener listener = new TensorBoardListener(dir, RunListener.console())) {
            return training.apply(listener);
        }
    }
}
