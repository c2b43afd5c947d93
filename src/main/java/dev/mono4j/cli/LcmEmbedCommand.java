package dev.mono4j.cli;

import dev.mono4j.lcm.ConceptCorpus;
import dev.mono4j.lcm.ConceptEmbedConfig;
import dev.mono4j.lcm.ConceptEmbedding;
import dev.mono4j.lcm.ConceptStore;
import dev.mono4j.lcm.NormalizerFit;
import dev.mono4j.model.SentenceEmbeddings;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lcm embed}: documents into a concept folder. */
@Command(name = "embed", mixinStandardHelpOptions = true, description = "Cut documents into sentences, append \"End of"
        + " text.\", embed each distinct sentence once with an encoder, fit the normaliser on the training documents,"
        + " and write a concept folder.")
final class LcmEmbedCommand extends CliCommand {
    @Option(names = "--data", required = true, description = "Documents: a ConceptWorld corpus.jsonl, a .jsonl file"
            + " (text in --field, optional split), or a text file (one document per line).")
    Path data;

    @Option(names = "--field", description = "JSONL text field (default ${DEFAULT-VALUE}).")
    String field = ConceptEmbedConfig.DEFAULT_FIELD;

    @Option(names = "--encoder", required = true, description = "Encoder folder (BertModel, e.g. from 'models pull').")
    Path encoder;

    @Option(names = "--pooling", description = "${COMPLETION-CANDIDATES} (default: what the folder's source.json from"
            + " 'models pull' names, else MEAN).")
    SentenceEmbeddings.Pooling pooling;

    @Option(names = "--batch-size", description = "Sentences per forward pass (default ${DEFAULT-VALUE}).")
    int batchSize = ConceptEmbedConfig.DEFAULT_BATCH_SIZE;

    @Option(names = "--max-tokens", description = "Longer sentences are cut to this many tokens (default ${DEFAULT-VALUE}).")
    int maxTokens = ConceptEmbedConfig.DEFAULT_MAX_TOKENS;

    @Option(names = "--normalizer", description = "gaussian-robust (median, IQR/1.349), robust (median, IQR), standard"
            + " (mean, std), authors (the authors' code as it runs: 0.25th-0.75th percentiles), none"
            + " (default gaussian-robust).")
    NormalizerFit.Method normalizer = ConceptEmbedConfig.DEFAULT_NORMALIZER;

    @Option(names = "--valid-fraction", description = "Share of documents drawn for valid when the file names no split"
            + " (default ${DEFAULT-VALUE}).")
    double validFraction = ConceptEmbedConfig.DEFAULT_VALID_FRACTION;

    @Option(names = "--test-fraction", description = "Share of documents drawn for test when the file names no split"
            + " (default ${DEFAULT-VALUE}).")
    double testFraction = ConceptEmbedConfig.DEFAULT_TEST_FRACTION;

    @Option(names = "--resplit", description = "Draw the split even when the file names one (ConceptWorld has no test).")
    boolean resplit;

    @Option(names = "--seed", description = "Seeds the drawn split (default ${DEFAULT-VALUE}).")
    long seed = ConceptEmbedConfig.DEFAULT_SEED;

    @Mixin
    OutputFolderOptions output;

    @Mixin
    NonFiniteOption nonFinite;

    @Override
    public void run() {
        ConceptEmbedConfig cfg = Flags.check(() -> ConceptEmbedConfig.builder(data, encoder).field(field).pooling(pooling)
                .batchSize(batchSize).maxTokens(maxTokens).normalizer(normalizer).validFraction(validFraction)
                .testFraction(testFraction).seed(seed).resplit(resplit).build());
        output.check(ConceptStore.OUTPUTS);
        ConceptEmbedding.Result r = ConceptEmbedding.run(cfg, nonFinite.policy());
        output.prepare(ConceptStore.OUTPUTS);
        ConceptStore.write(r.corpus(), r.settings(), output.out);
        ConceptCorpus c = r.corpus();
        out().printf("wrote %s: %,d distinct sentences (dim %d), documents %,d train / %,d valid / %,d test,"
                + " normalizer %s%n", output.out, c.sentences().size(), c.dim(),
                c.documents(ConceptCorpus.Split.TRAIN).size(), c.documents(ConceptCorpus.Split.VALID).size(),
                c.documents(ConceptCorpus.Split.TEST).size(), c.normalizer().method());
    }
}
