package dev.mono4j.cli;

import dev.mono4j.lcm.ConceptCorpus;
import dev.mono4j.lcm.ConceptGeneration;
import dev.mono4j.lcm.ConceptModel;
import dev.mono4j.lcm.ConceptModels;
import dev.mono4j.lcm.ConceptStore;
import dev.mono4j.lcm.KnnDecoder;
import dev.mono4j.lcm.LcmGenerateConfig;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lcm generate}: continue a document of a concept folder sentence by sentence, decoded by retrieval. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a document of a concept folder"
        + " sentence by sentence: each step predicts the next concept and prints the nearest training sentence with"
        + " its cosine; then the document's true continuation.")
final class LcmGenerateCommand extends CliCommand {
    @Option(names = "--concepts", required = true, description = "Concept folder from 'lcm embed'.")
    Path concepts;

    @Option(names = "--model", required = true, description = "copy-last, mean, nearest-context, or a trained model"
            + " folder.")
    String model;

    @Option(names = "--document", required = true, description = "The id of the document to continue (any split).")
    String document;

    @Option(names = "--prompt-sentences", description = "The document's first K sentences are the prompt (default"
            + " ${DEFAULT-VALUE}).")
    int promptSentences = LcmGenerateConfig.DEFAULT_PROMPT_SENTENCES;

    @Option(names = "--max-sentences", description = "Generate at most this many sentences (default ${DEFAULT-VALUE}).")
    int maxSentences = LcmGenerateConfig.DEFAULT_MAX_SENTENCES;

    @Option(names = "--feed", description = "What each step appends to the context: ${COMPLETION-CANDIDATES} (default"
            + " ${DEFAULT-VALUE}: the paper generates in embedding space and decodes afterwards).")
    LcmGenerateConfig.Feed feed = LcmGenerateConfig.DEFAULT_FEED;

    @Option(names = "--seed", description = "Step k samples with seed + k (default ${DEFAULT-VALUE}).")
    long seed = LcmGenerateConfig.DEFAULT_SEED;

    @Override
    public void run() {
        LcmGenerateConfig cfg = Flags.check(() -> LcmGenerateConfig.builder(concepts, model, document)
                .promptSentences(promptSentences).maxSentences(maxSentences).feed(feed).seed(seed).build());
        ConceptCorpus corpus = ConceptStore.read(concepts);
        ConceptGeneration.document(corpus, cfg.document()); // an unknown id fails before a model is loaded
        KnnDecoder decoder = new KnnDecoder(corpus);
        ConceptGeneration.Result result;
        try (ConceptModel m = ConceptModels.open(cfg.model(), corpus)) {
            result = ConceptGeneration.generate(m, corpus, decoder, cfg);
        }
        out().printf("document %s (%s), model %s, feed %s, seed %d%n", result.document().id(),
                result.document().split().name().toLowerCase(java.util.Locale.ROOT), result.model(),
                cfg.feed().name().toLowerCase(java.util.Locale.ROOT), cfg.seed());
        out().println("prompt:");
        int n = 0;
        for (int s : result.prompt()) {
            out().printf("  %2d.        %s%n", ++n, corpus.sentences().get(s));
        }
        int first = n;
        out().println("generated (cosine of the prediction to the retrieved sentence):");
        for (ConceptGeneration.Step step : result.steps()) {
            out().printf("  %2d. %6.3f %s%n", ++n, step.cosine(), step.text());
        }
        out().println("true continuation:");
        n = first;
        for (int s : result.truth()) {
            out().printf("  %2d.        %s%n", ++n, corpus.sentences().get(s));
        }
    }
}
