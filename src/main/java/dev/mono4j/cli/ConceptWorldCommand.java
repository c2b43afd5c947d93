package dev.mono4j.cli;

import dev.mono4j.data.conceptworld.ConceptWorldConfig;
import dev.mono4j.data.conceptworld.ConceptWorldWriter;
import dev.mono4j.io.OutputFolder;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./mono4j data conceptworld --out DIR}: the synthetic corpus with ground-truth concept labels. */
@Command(name = "conceptworld", mixinStandardHelpOptions = true, description = "Stories with known concepts, a tokenizer and preference sets.")
final class ConceptWorldCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, description = "Folder to write (must not exist or be empty).")
    Path out;

    @Option(names = "--docs", description = "Number of stories (default ${DEFAULT-VALUE}).")
    int docs = ConceptWorldConfig.DEFAULT.docs();

    @Option(names = "--seed", description = "Same seed, byte-identical output (default ${DEFAULT-VALUE}).")
    long seed = ConceptWorldConfig.DEFAULT.seed();

    @Option(names = "--dialects", description = "Dialects stories are written in, 1-4 (default ${DEFAULT-VALUE}).")
    int dialects = ConceptWorldConfig.DEFAULT.dialects();

    @Option(names = "--valid-share", description = "Share of stories held out in valid.txt (default ${DEFAULT-VALUE}).")
    double validShare = ConceptWorldConfig.DEFAULT.validShare();

    @Option(names = "--overwrite", description = "Replace an earlier ConceptWorld in --out (nothing else there).")
    boolean overwrite;

    @Override
    public void run() {
        ConceptWorldConfig cfg = Flags.check(() -> new ConceptWorldConfig(docs, seed, dialects, validShare));
        OutputFolder.prepare(out, ConceptWorldWriter.OUTPUTS, overwrite, "pass --overwrite or choose another --out");
        ConceptWorldWriter.Summary s = ConceptWorldWriter.write(cfg, out);
        spec.commandLine().getOut().printf("wrote %s: %,d train / %,d valid stories, %,d train tokens, vocabulary %,d,"
                + " entropy floor %.4f nats/token (valid %.4f)%n", out, s.trainDocs(), s.validDocs(), s.trainTokens(),
                s.vocabSize(), s.trainEntropyPerToken(), s.validEntropyPerToken());
    }

}
