package dev.mono4j.cli;

import dev.mono4j.sae.ActivationSource;
import dev.mono4j.sae.ArchitectureConfig;
import java.util.List;
import dev.mono4j.sae.SaeConfig;
import dev.mono4j.sae.SaeData;
import dev.mono4j.sae.SaeTrainer;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./mono4j sae train}: one SAE on cached activations or synthetic data, saved in SAELens' layout. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an SAE (relu, topk, batchtopk, jumprelu, gba, ba; each takes only its own flags); writes final/ (SAELens), sae_log.jsonl, checkpoint/.")
final class SaeTrainCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--architecture", description = "relu, topk, batchtopk, jumprelu, gba or ba (default topk).")
    String architecture = "topk";

    @Mixin
    SaeTrainOptions options;

    @Option(names = "--out", required = true, description = "Run folder.")
    Path out;

    @Option(names = "--overwrite", description = "Replace an earlier run in --out.")
    boolean overwrite;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint, with its config and data.")
    boolean resume;

    @Override
    public void run() {
        SaeTrainer.Summary s;
        if (resume) {
            Flags.checkResumeOnly(spec, false);
            SaeData data = SaeData.fromJson(SaeTrainer.savedState(out).data(), out.resolve(SaeTrainer.CHECKPOINT));
            try (ActivationSource source = data.open()) {
                s = SaeTrainer.resume(out, source, true);
            }
        } else {
            ArchitectureConfig a = options.architectures(spec, "--architecture", List.of(architecture)).get(0);
            SaeConfig cfg = options.config(a);
            s = SaeTrainer.train(cfg, options.data(), out, overwrite, true);
        }
        var last = s.last();
        spec.commandLine().getOut().printf("trained %s SAE (d_in %d, d_sae %d) in %.0f s (%.0f rows/s): MSE %.4g, FVU %.4f,"
                + " L0 %.1f, dead %s; saved %s%n", s.architecture(), s.dIn(), s.dSae(), s.seconds(), s.rowsPerSecond(),
                ((Number) last.get("mse")).doubleValue(), ((Number) last.get("fvu")).doubleValue(), ((Number) last.get("l0")).doubleValue(), last.get("dead"), s.sae());
    }
}
