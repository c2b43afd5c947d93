package dev.mono4j.cli;

import dev.mono4j.data.conceptworld.ConceptWorldConfig;
import dev.mono4j.data.conceptworld.ConceptWorldWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j data conceptworld --out DIR}: the synthetic corpus with ground-truth concept labels. */
@Command(name = "conceptworld", mixinStandardHelpOptions = true, description = "Stories with known concepts, a tokenizer and preference sets.")
final class ConceptWorldCommand extends CliCommand {
    @Mixin
    OutputFolderOptions output;

    @Option(names = "--docs", description = "Number of stories (default ${DEFAULT-VALUE}).")
    int docs = ConceptWorldConfig.DEFAULT.docs();

    @Option(names = "--seed", description = "Same seed, byte-identical output (default ${DEFAULT-VALUE}).")
    long seed = ConceptWorldConfig.DEFAULT.seed();

    @Option(names = "--dialects", description = "Dialects stories are written in, 1-4 (default ${DEFAULT-VALUE}).")
    int dialects = ConceptWorldConfig.DEFAULT.dialects();

    @Option(names = "--valid-share", description = "Share of stories held out in valid.txt (default ${DEFAULT-VALUE}).")
    double validShare = ConceptWorldConfig.DEFAULT.validShare();

    @Override
    public void run() {
        ConceptWorldConfig cfg = Flags.check(() -> new ConceptWorldConfig(docs, seed, dialects, validShare));
        output.prepare(ConceptWorldWriter.OUTPUTS);
        ConceptWorldWriter.Summary s = ConceptWorldWriter.write(cfg, output.out);
        out().printf("wrote %s: %,d train / %,d valid stories, %,d train tokens, vocabulary %,d,"
                + " entropy floor %.4f nats/token (valid %.4f)%n", output.out, s.trainDocs(), s.validDocs(), s.trainTokens(),
                s.vocabSize(), s.trainEntropyPerToken(), s.validEntropyPerToken());
    }
}
