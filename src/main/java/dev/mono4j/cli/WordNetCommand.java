package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.data.WordNet;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j data wordnet --out DIR}: WordNet's noun definitions and examples, labelled by supersense. */
@Command(name = "wordnet", mixinStandardHelpOptions = true, description = "WordNet 3.0's noun definitions and example"
        + " sentences as wordnet.jsonl, each labelled by its supersense (noun.food, noun.animal, ...).")
final class WordNetCommand extends CliCommand {
    @Mixin
    OutputFolderOptions output;

    @Option(names = "--wordnet", description = "WordNet's data.noun (default ${DEFAULT-VALUE}, from the Debian package"
            + " " + WordNet.DEBIAN_PACKAGE + ").")
    Path wordnet = WordNet.DEFAULT_FILE;

    @Option(names = "--min-words", description = "Leave out texts of fewer words (default ${DEFAULT-VALUE}).")
    int minWords = WordNet.DEFAULT_MIN_WORDS;

    @Override
    public void run() {
        if (minWords < 0) {
            throw new UserInputException("--min-words " + minWords + ": must be at least 0");
        }
        WordNet.requireFile(wordnet);
        output.prepare(List.of(WordNet.TEXTS_FILE));
        WordNet.Summary s = WordNet.writeTexts(wordnet, minWords, output.out);
        out().printf("wrote %s: %,d definitions and %,d examples from %,d synsets in %d supersenses"
                + " (%,d texts under %d words left out)%n", output.out.resolve(WordNet.TEXTS_FILE), s.definitions(),
                s.examples(), s.synsets(), s.supersenses(), s.skipped(), minWords);
    }
}
