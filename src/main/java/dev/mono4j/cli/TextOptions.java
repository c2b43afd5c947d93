package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.data.TextSource;
import dev.mono4j.data.conceptworld.StoryLabel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The texts a command runs models over ({@code measure}, {@code sae cache}): a file or generated ConceptWorld stories. */
final class TextOptions {
    @Option(names = "--data", required = true, description = "Texts: a .txt file (one per line), a .jsonl file (text, and"
            + " label or ConceptWorld concepts), or 'conceptworld' for labelled generated stories.")
    String data;

    @Option(names = "--samples", description = "Texts to use (default ${DEFAULT-VALUE}; fewer if the file has fewer).")
    int samples = 1000;

    @Option(names = "--dialects", description = "Dialects of generated ConceptWorld stories (default ${DEFAULT-VALUE}).")
    int dialects = 2;

    /** The texts; {@code seed} seeds generated stories, {@code labels} (may be null) labels a file's texts line by line. */
    TextSource open(long seed, Path labels) {
        return open(data, samples, dialects, seed, labels, StoryLabel.NONE);
    }

    /**
     * The texts of a {@code --data} value: a file, or {@code samples} generated ConceptWorld stories, labelled by
     * {@code by} ({@code --by}, which only they take).
     */
    static TextSource open(String data, int samples, int dialects, long seed, Path labels, StoryLabel by) {
        if (samples < 1) {
            throw new UserInputException("--samples must be at least 1");
        }
        if (!data.equals("conceptworld")) {
            if (by != StoryLabel.NONE) {
                throw new UserInputException("--by labels generated ConceptWorld stories (--data conceptworld); a file's"
                        + " texts take a \"label\" field or --labels");
            }
            return TextSource.file(Path.of(data), labels, samples);
        }
        if (labels != null) {
            throw new UserInputException("--labels goes with a --data file; ConceptWorld stories carry their own labels");
        }
        return Flags.check(() -> TextSource.conceptWorld(samples, seed, dialects, by));
    }
}
