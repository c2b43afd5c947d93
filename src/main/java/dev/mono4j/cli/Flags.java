package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import java.util.function.Supplier;

/** Turns a config record's validation failure into a user error (exit code 2). */
final class Flags {
    private Flags() {
    }

    /**
     * Options a resumed run accepts; the rest are fixed by the run's saved config (--allow-nonfinite is how it loads,
     * --tensorboard where the resumed part's metrics go, which is not part of the run).
     */
    private static final java.util.List<String> RESUME_OPTIONS = java.util.List.of("--out", "--resume", "--verbose",
            dev.mono4j.io.NonFinite.FLAG, "--tensorboard");

    /** Refuses a {@code --resume} that also sets options the saved run fixes, naming them. */
    static void checkResumeOnly(picocli.CommandLine.Model.CommandSpec spec, boolean extraArguments) {
        java.util.List<String> given = spec.commandLine().getParseResult().matchedOptions().stream()
                .map(picocli.CommandLine.Model.OptionSpec::longestName).filter(n -> !RESUME_OPTIONS.contains(n)).toList();
        if (!given.isEmpty() || extraArguments) {
            throw new UserInputException("--resume continues with the run's saved config and data; drop "
                    + (given.isEmpty() ? "the other arguments" : String.join(", ", given)));
        }
    }

    static <T> T check(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new UserInputException("invalid flags: " + e.getMessage());
        }
    }
}
