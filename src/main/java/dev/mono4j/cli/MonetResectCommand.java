package dev.mono4j.cli;

import dev.mono4j.monet.ResectConfig;
import dev.mono4j.monet.Resection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j monet resect}: mask each label's experts and compare the loss on it with the loss on the others. */
@Command(name = "resect", mixinStandardHelpOptions = true, description = "Mask each label's experts and report the"
        + " change of held-out NLL on the label vs the others, against random experts and a dense model's neurons;"
        + " writes resect.json.")
final class MonetResectCommand extends CliCommand {
    private static final ResectConfig D = ResectConfig.DEFAULT;

    @Mixin
    MonetOptions options;

    @Mixin
    OutputFolderOptions output;

    @Option(names = "--only", split = ",", description = "Resect only these labels (default: all).")
    List<String> only = new ArrayList<>();

    @Option(names = "--heldout", description = "Share of the texts (the last ones) the NLL is measured on (default ${DEFAULT-VALUE}).")
    double heldout = D.heldout();

    @Option(names = "--random-draws", description = "Draws of the random-experts baseline (default ${DEFAULT-VALUE}).")
    int randomDraws = D.randomDraws();

    @Option(names = "--dense", description = "A dense model trained on the same data: its most label-selective MLP"
            + " neurons are masked with the same budget (--dense-budget).")
    Path dense;

    @Option(names = "--dense-budget", description = "The dense baseline's budget:"
            + " UNITS (the same share of neurons as of experts) or WEIGHTS (as many weights as the experts' nominal"
            + " 2·m·d) (default ${DEFAULT-VALUE}).")
    ResectConfig.DenseBudget denseBudget = D.denseBudget();

    @Option(names = "--toxicity", description = "Also mask the experts whose routing correlates with insult tokens.")
    boolean toxicity;

    @Option(names = "--thresholds", split = ",", description = "Pearson r thresholds for --toxicity (default 0.2,0.1,0.05).")
    List<Double> thresholds = new ArrayList<>(D.thresholds());

    @Option(names = "--prompts", description = "Toxicity prompts sampled per threshold (default ${DEFAULT-VALUE}).")
    int prompts = D.prompts();

    @Override
    public void run() {
        ResectConfig cfg = Flags.check(() -> options.config().labels(only).heldout(heldout).randomDraws(randomDraws)
                .toxicity(toxicity).thresholds(thresholds).prompts(prompts).denseBudget(denseBudget).build());
        Resection.Result r = Resection.resect(options.model.dir, dense, options.read(), cfg, output.out, output.overwrite,
                options.nonFinite.policy());
        var o = out();
        o.printf("%-14s %7s %26s %26s %30s%n", "label", "experts", "monet dT / dO (sel)", "random dT / dO (sel)",
                "dense neurons dT / dO (sel)");
        for (Resection.LabelResection l : r.labels()) {
            o.printf("%-14s %7d %26s %26s %30s%n", l.label(), l.experts(), cell(l.monet()), cell(l.random()),
                    l.dense() == null ? "-" : l.denseNeurons() + "  " + cell(l.dense()));
        }
        if (!r.toxicity().isEmpty()) {
            o.printf("%n%-10s %8s %9s %10s %10s %11s%n", "threshold", "masked", "fraction", "non-toxic", "insults",
                    "polite NLL");
            for (Resection.ToxicityRow t : r.toxicity()) {
                o.printf("%-10s %8d %8.2f%% %10.3f %10.3f %11.4f%n", t.threshold() == null ? "none" : t.threshold(),
                        t.masked(), 100 * t.fraction(), t.nonToxicRate(), t.insultRate(), t.politeNll());
            }
        }
        o.println("report: " + output.out.resolve(Resection.REPORT_FILE) + " (numbers: " + Resection.RESECT_FILE + ")");
    }

    private static String cell(Resection.Delta d) {
        return String.format("%+.4f / %+.4f (%.1f)", d.target(), d.others(), d.selectivity());
    }
}
