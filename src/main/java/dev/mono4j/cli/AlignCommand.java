package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.align.AlignConfig;
import dev.mono4j.align.AlignTrainer;
import dev.mono4j.train.RunFolder;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Aligns a checkpoint to preference pairs with one method; {@code eval} and {@code compare} are subcommands. */
@Command(name = "align", mixinStandardHelpOptions = true, subcommands = {AlignEvalCommand.class, AlignCompareCommand.class},
        description = "Preference alignment (SFT, DPO, IPO, SimPO, L1-Reg, DecPO, MEmeL inhibition) of a checkpoint,"
                + " full fine-tuning or LoRA. Subcommands: eval, compare.")
final class AlignCommand extends CliCommand {
    @Parameters(paramLabel = "CHECKPOINT", arity = "0..1", description = "Hugging Face checkpoint folder with tokenizer.json.")
    Path model;

    @Option(names = "--method", defaultValue = "dpo", description = "sft, dpo (default), ipo, simpo, l1, decpo or memel.")
    String method;

    @ArgGroup(exclusive = false)
    AlignOptions.DataOptions data = new AlignOptions.DataOptions();

    @Mixin
    AlignOptions options;

    @Option(names = "--out", description = "Output folder: " + RunFolder.LOG + ", " + RunFolder.CHECKPOINT + "/, "
            + RunFolder.FINAL + "/, " + AlignTrainer.ADAPTER_DIR + "/, " + RunFolder.SUMMARY + ".")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint, with its config.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace an earlier run's output in --out.")
    boolean overwrite;

    @Mixin
    NonFiniteOption nonFinite;

    @Mixin
    TensorBoardOption tensorboard;

    @Override
    public void run() {
        if (out == null) {
            throw new UserInputException("--out is required: the folder the run writes");
        }
        AlignTrainer.Summary s;
        if (resume) {
            Flags.checkResumeOnly(spec, model != null);
            s = tensorboard.run(listener -> AlignTrainer.resume(out, nonFinite.policy(), listener));
        } else {
            if (model == null) {
                throw new UserInputException("give the CHECKPOINT folder to align (or --resume)");
            }
            AlignConfig.Method m = Flags.check(() -> AlignConfig.Method.parse(method));
            AlignConfig cfg = options.config(m, model);
            s = tensorboard.run(listener -> AlignTrainer.run(cfg, model, data.source(), out, overwrite, nonFinite.policy(),
                    listener));
        }
        out().printf(Locale.ROOT, "%s: %d steps on %d pairs; held-out reward accuracy %.1f%%, margin %.3f,"
                + " FD at hook %.4f; %.0f ms/step, %.0f tokens/s, %.1f s%nmodel: %s%n%s", s.method(), s.steps(), s.trainPairs(),
                100 * s.evalAccuracy(), s.evalMargin(), s.fd(), s.msPerStep(), s.tokensPerS(), s.wallSeconds(), s.model(),
                s.adapter() == null ? "" : "adapter: " + s.adapter() + "\n");
    }
}
