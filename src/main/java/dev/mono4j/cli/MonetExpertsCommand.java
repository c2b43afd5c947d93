package dev.mono4j.cli;

import dev.mono4j.monet.Resection;
import dev.mono4j.monet.ResectConfig;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ./mono4j monet experts}: which experts belong to which label (routing ≥ ratio × the runner-up's). */
@Command(name = "experts", mixinStandardHelpOptions = true, description = "Per-label mean routing of every expert of a"
        + " Monet model; writes experts.json with each label's experts.")
final class MonetExpertsCommand extends CliCommand {
    @Mixin
    MonetOptions options;

    @Mixin
    OutputFolderOptions output;

    @Override
    public void run() {
        ResectConfig cfg = Flags.check(() -> options.config().build());
        List<Resection.LabelExperts> labels = Resection.experts(options.model.dir, options.read(), cfg, output.out,
                output.overwrite, options.nonFinite.policy());
        var o = out();
        o.printf("%-16s %10s %8s %10s%n", "label", "tokens", "experts", "fraction");
        for (Resection.LabelExperts l : labels) {
            o.printf("%-16s %10d %8d %9.3f%%%n", l.label(), l.tokens(), l.experts().size(), 100 * l.fraction());
        }
        o.println("experts: " + output.out.resolve(Resection.EXPERTS_FILE));
    }
}
