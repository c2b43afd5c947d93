package dev.mono4j.cli;

import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.lcm.ConceptCorpus;
import dev.mono4j.lcm.ConceptEval;
import dev.mono4j.lcm.ConceptEvalConfig;
import dev.mono4j.lcm.ConceptModel;
import dev.mono4j.lcm.ConceptModels;
import dev.mono4j.lcm.ConceptStore;
import dev.mono4j.lcm.KnnDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lcm eval}: next-concept predictions of models and baselines, scored without a decoder. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Score next-sentence predictions on a concept"
        + " folder: l2, contrastive accuracy, R@1/R@5 by nearest-neighbour retrieval over the training sentences, l2-r,"
        + " paraphrase rate, spread ratio, label agreement; writes eval.json.")
final class LcmEvalCommand extends CliCommand {
    static final String EVAL = "eval.json";

    @Option(names = "--concepts", required = true, description = "Concept folder from 'lcm embed'.")
    Path concepts;

    @Option(names = "--model", required = true, description = "copy-last, mean, nearest-context, or a trained model"
            + " folder; repeat to compare.")
    List<String> models;

    @Option(names = "--split", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    ConceptCorpus.Split split = ConceptEvalConfig.DEFAULT_SPLIT;

    @Option(names = "--max-context", description = "At most this many preceding sentences (default ${DEFAULT-VALUE}).")
    int maxContext = ConceptEvalConfig.DEFAULT_MAX_CONTEXT;

    @Option(names = "--batch-size", description = "Documents per batch; the other documents' targets are the"
            + " contrastive distractors (default ${DEFAULT-VALUE}).")
    int batchSize = ConceptEvalConfig.DEFAULT_BATCH_SIZE;

    @Option(names = "--seed", description = "Seeds sampling models (default ${DEFAULT-VALUE}).")
    long seed = ConceptEvalConfig.DEFAULT_SEED;

    @Mixin
    OutputFolderOptions output;

    @Override
    public void run() {
        ConceptEvalConfig cfg = Flags.check(() -> ConceptEvalConfig.builder(concepts, models).split(split)
                .maxContext(maxContext).batchSize(batchSize).seed(seed).build());
        output.check(List.of(EVAL));
        ConceptCorpus corpus = ConceptStore.read(concepts);
        KnnDecoder decoder = new KnnDecoder(corpus);
        List<ConceptEval.Scores> scores = new ArrayList<>();
        for (String spec : cfg.models()) {
            try (ConceptModel model = ConceptModels.open(spec, corpus)) {
                scores.add(ConceptEval.evaluate(model, corpus, decoder, cfg));
            }
        }
        output.prepare(List.of(EVAL));
        AtomicFiles.writeString(output.out.resolve(EVAL), Json.write(Json.object("concepts", concepts.toString(),
                "split", split.name().toLowerCase(java.util.Locale.ROOT), "max_context", maxContext,
                "batch_size", batchSize, "seed", seed, "retrieval_bank", decoder.size(),
                "space", "l2, contrastive accuracy, l2-r and spread in the normalised space; PAR in the encoder's space",
                "models", scores)));
        out().printf("%-18s %8s %7s %6s %6s %6s %6s %7s %6s %6s  %s%n", "model", "targets", "l2", "CA", "retr.", "R@1",
                "R@5", "l2-r", "PAR", "spread", "label agreement");
        for (ConceptEval.Scores s : scores) {
            out().printf("%-18s %8d %7.3f %6.3f %6.3f %6.3f %6.3f %7.3f %6.3f %6.3f  %s%n", s.model(), s.targets(),
                    s.l2(), s.contrastive(), s.retrievable(), s.recall1(), s.recall5(), s.l2Retrieved(), s.paraphrase(),
                    s.spread(), s.agreement());
        }
    }
}
