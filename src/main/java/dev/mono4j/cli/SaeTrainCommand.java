package dev.mono4j.cli;

import dev.mono4j.sae.ActivationSource;
import dev.mono4j.sae.ArchitectureConfig;
import dev.mono4j.sae.SaeConfig;
import dev.mono4j.sae.SaeData;
import dev.mono4j.sae.SaeTrainer;
import dev.mono4j.train.RunFolder;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j sae train}: one SAE on cached activations or synthetic data, saved in SAELens' layout. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an SAE (relu, topk, batchtopk, jumprelu, gba, ba; each takes only its own flags); --out gets "
                + RunFolder.FINAL + "/ (SAELens), " + RunFolder.LOG + ", " + RunFolder.CHECKPOINT + "/ and "
                + RunFolder.SUMMARY + ".")
final class SaeTrainCommand extends CliCommand {
    @Option(names = "--architecture", description = "relu, topk, batchtopk, jumprelu, gba or ba (default topk).")
    String architecture = "topk";

    @Mixin
    SaeTrainOptions options;

    @Mixin
    OutputFolderOptions output;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint, with its config and data.")
    boolean resume;

    @Mixin
    NonFiniteOption nonFinite;

    @Mixin
    TensorBoardOption tensorboard;

    @Override
    public void run() {
        SaeTrainer.Summary s;
        if (resume) {
            Flags.checkResumeOnly(spec, false);
            SaeData data = SaeData.fromJson(SaeTrainer.savedState(output.out).data(), output.out.resolve(RunFolder.CHECKPOINT));
            try (ActivationSource source = data.open(nonFinite.policy())) {
                s = tensorboard.run(listener -> SaeTrainer.resume(output.out, source, nonFinite.policy(), listener));
            }
        } else {
            ArchitectureConfig a = options.architectures(spec, "--architecture", List.of(architecture)).get(0);
            SaeConfig cfg = options.config(a);
            s = tensorboard.run(listener -> SaeTrainer.train(cfg, options.data(), output.out, output.overwrite,
                    nonFinite.policy(), listener));
        }
        Map<String, Object> last = s.last();
        out().printf(Locale.ROOT, "trained %s SAE (d_in %d, d_sae %d) in %.0f s (%.0f rows/s): MSE %.4g, FVU %.4f,"
                + " L0 %.1f, dead %s; saved %s%n", s.architecture(), s.dIn(), s.dSae(), s.seconds(), s.rowsPerSecond(),
                ((Number) last.get("mse")).doubleValue(), ((Number) last.get("fvu")).doubleValue(),
                ((Number) last.get("l0")).doubleValue(), last.get("dead"), s.sae());
    }
}
