package dev.mono4j.lcm;

import dev.mono4j.UserInputException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The one place that turns a concept folder ({@code lcm embed}'s output) into a {@link ConceptCorpus} for
 * {@code lcm train}. Until the data side's reader is merged, reading is refused with one line; the lead sets it to
 * that reader with {@link #use}.
 */
public final class ConceptFolders {
    private static volatile Function<Path, ConceptCorpus> reader = dir -> {
        throw new UserInputException(dir + ": this build cannot read concept folders yet (no concept store reader)");
    };

    private ConceptFolders() {
    }

    public static ConceptCorpus read(Path dir) {
        return reader.apply(dir);
    }

    /** Sets the reader (the data side's concept store). */
    public static void use(Function<Path, ConceptCorpus> r) {
        reader = r;
    }
}
