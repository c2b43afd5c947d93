package dev.mono4j.cli;

import dev.mono4j.align.AlignConfig;
import dev.mono4j.align.AlignEval;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Samples held-out prompts, judges them, and scores held-out pairs against a reference model. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Alignment %% on held-out prompts (ConceptWorld judges)"
        + " and reward accuracy/margin on held-out pairs against --base.")
final class AlignEvalCommand extends CliCommand {
    @Parameters(paramLabel = "CHECKPOINT", description = "The aligned model (e.g. RUN/final).")
    Path model;

    @Option(names = "--base", description = "The model before alignment (the reference), for reward metrics on held-out pairs.")
    Path reference;

    @ArgGroup(exclusive = false)
    AlignOptions.DataOptions data = new AlignOptions.DataOptions();

    @Mixin
    AlignOptions.ScoringOptions scoring;

    @Option(names = "--max-new-tokens", defaultValue = "" + dev.mono4j.data.conceptworld.Judges.MAX_TOKENS,
            description = "Tokens sampled per prompt (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature; 0: greedy (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--sample-seed", defaultValue = "0", description = "Prompt i is sampled with this + i (default ${DEFAULT-VALUE}).")
    long sampleSeed;

    @Option(names = "--out", description = "Write the verdicts and every sample here as JSON (refuses to overwrite).")
    Path out;

    @Mixin
    NonFiniteOption nonFinite;

    @Override
    public void run() {
        if (out != null && Files.exists(out)) {
            throw new dev.mono4j.UserInputException(out + ": exists; refusing to overwrite it");
        }
        AlignEval eval = Flags.check(() -> new AlignEval(maxNewTokens, temperature, sampleSeed));
        AlignConfig cfg = scoring.config();
        AlignEval.Result r = eval.run(model, reference, data.source().load(cfg.evalShare()), cfg,
                nonFinite.policy());
        var o = out();
        if (r.judged() > 0) {
            o.printf(Locale.ROOT, "alignment: %.1f%% of %d judged prompts%n", 100 * r.alignment(), r.judged());
        } else {
            o.printf("no prompt has a judge; samples only (%d)%n", r.samples().size());
        }
        if (r.rewards() != null) {
            o.printf(Locale.ROOT, "held-out pairs: reward accuracy %.1f%%, margin %.3f (beta %.3g)%n", 100 * r.rewards().accuracy(),
                    r.rewards().margin(), cfg.beta());
        }
        if (out != null) {
            AtomicFiles.writeString(out, Json.write(r));
            o.println("samples: " + out);
        }
    }
}
