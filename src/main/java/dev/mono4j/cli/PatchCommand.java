package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.lens.ActivationPatching;
import dev.mono4j.lens.LensOutput;
import dev.mono4j.lens.LogitDiff;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j patch}: activation patching from a clean into a corrupted text, per layer × position (× head). */
@Command(name = "patch", mixinStandardHelpOptions = true, description = "Activation patching: the clean run's"
        + " activation in the corrupted run, per layer and position; writes patch.json and report.html.")
final class PatchCommand extends CliCommand {
    @Mixin
    CheckpointFolder checkpoint;

    @Option(names = "--clean", required = true, description = "The clean text.")
    String clean;

    @Option(names = "--corrupt", required = true, description = "The corrupted text (as many tokens as --clean).")
    String corrupt;

    @Option(names = "--answer", required = true, description = "The clean answer: " + TokenOption.HELP + ".")
    String answer;

    @Option(names = "--wrong", required = true, description = "The corrupted answer: " + TokenOption.HELP + ".")
    String wrong;

    @Option(names = "--hook", defaultValue = "resid-pre", description = "What to patch: ${COMPLETION-CANDIDATES}"
            + " (z: per head, where the model has attn.hook_z; default ${DEFAULT-VALUE}).")
    ActivationPatching.Hook hook;

    @Option(names = "--batch-size", defaultValue = "" + ActivationPatching.DEFAULT_BATCH_SIZE,
            description = "Patched runs per forward pass (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    OutputFolderOptions output;

    @Mixin
    NonFiniteOption nonFinite;

    @Override
    public void run() {
        ActivationPatching.Config cfg = Flags.check(() -> ActivationPatching.Config.builder().hook(hook)
                .batchSize(batchSize).build());
        output.check(List.of(LensOutput.PATCH_FILE, LensOutput.REPORT_FILE));
        try (Tokenizer tok = Tokenizer.load(checkpoint.dir)) {
            long[] cleanIds = tok.encode(clean);
            long[] corruptIds = tok.encode(corrupt);
            if (cleanIds.length != corruptIds.length) {
                throw new UserInputException("--clean is " + cleanIds.length + " tokens and --corrupt " + corruptIds.length
                        + "; patching needs the same number");
            }
            LogitDiff diff = Flags.check(() -> new LogitDiff(TokenOption.resolve(tok, "--answer", answer),
                    TokenOption.resolve(tok, "--wrong", wrong)));
            try (TransformerLM model = Checkpoint.loadCausal(checkpoint.dir, "activation patching", nonFinite.policy())) {
                ActivationPatching.Result r = ActivationPatching.run(model, cleanIds, corruptIds, diff, cfg);
                output.prepare(List.of(LensOutput.PATCH_FILE, LensOutput.REPORT_FILE));
                LensOutput.writePatch(output.out, checkpoint.dir.toString(), r, tok);
                out().printf("logit difference: clean %.4f, corrupted %.4f; %d patches%n", r.cleanDiff(), r.corruptDiff(),
                        r.rows().size() * cleanIds.length);
                out().println("report: " + output.out.resolve(LensOutput.REPORT_FILE));
            }
        }
    }
}
