package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import java.util.function.Supplier;

/** Turns a config record's validation failure into a user error (exit code 2). */
final class Flags {
    private Flags() {
    }

    static <T> T check(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new UserInputException("invalid flags: " + e.getMessage());
        }
    }
}
