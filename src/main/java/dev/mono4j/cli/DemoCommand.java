package dev.mono4j.cli;

import dev.mono4j.demo.Demo;
import dev.mono4j.demo.DemoConfig;
import dev.mono4j.metrics.HookResult;
import dev.mono4j.metrics.MeasureReport;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./mono4j demo}: the whole pipeline on built-in data, ending in a report. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Generate ConceptWorld, pretrain a capacity ladder, sample, and write demo-out/report.html.")
final class DemoCommand extends CliCommand {
    @Option(names = "--out", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out = DemoConfig.DEFAULT.out();

    @Option(names = "--docs", description = "ConceptWorld stories (default ${DEFAULT-VALUE}).")
    int docs = DemoConfig.DEFAULT.docs();

    @Option(names = "--dialects", description = "ConceptWorld dialects (default ${DEFAULT-VALUE}).")
    int dialects = DemoConfig.DEFAULT.dialects();

    @Option(names = "--presets", split = ",", description = "Model sizes, smallest first (default xs,s).")
    List<String> presets = DemoConfig.DEFAULT.presets();

    @Option(names = "--steps", split = ",", description = "Steps per preset (default 800,1400).")
    List<Integer> steps = DemoConfig.DEFAULT.steps();

    @Option(names = "--lr", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr = DemoConfig.DEFAULT.lr();

    @Option(names = "--seed", description = "Seed of data, models and samples (default ${DEFAULT-VALUE}).")
    long seed = DemoConfig.DEFAULT.seed();

    @Option(names = "--samples", description = "Stories sampled per model (default ${DEFAULT-VALUE}).")
    int samples = DemoConfig.DEFAULT.samples();

    @Option(names = "--measure-texts", description = "Fresh stories each model is measured on, the ladder's and"
            + " the aligned ones (default ${DEFAULT-VALUE}).")
    int measureTexts = DemoConfig.DEFAULT.measureTexts();

    @Option(names = "--align-steps", description = "Steps of each alignment run; 0 skips alignment (default ${DEFAULT-VALUE}).")
    int alignSteps = DemoConfig.DEFAULT.alignSteps();

    @Option(names = "--align-seeds", description = "Seeds of each alignment run; the verdicts weigh differences against"
            + " their spread over seeds (default ${DEFAULT-VALUE}).")
    int alignSeeds = DemoConfig.DEFAULT.alignSeeds();

    @Option(names = "--full", description = "Align on every task with sft, dpo, simpo, l1, decpo and memel"
            + " (default: DPO vs DecPO on toxicity).")
    boolean full;

    @Option(names = "--sae-texts", description = "Fresh stories the GBA SAE trains on (default ${DEFAULT-VALUE}).")
    int saeTexts = DemoConfig.DEFAULT.saeTexts();

    @Option(names = "--sae-steps", description = "Steps of the GBA SAE on the largest preset; 0 skips it (default ${DEFAULT-VALUE}).")
    int saeSteps = DemoConfig.DEFAULT.saeSteps();

    @Option(names = "--monet-texts", description = "Fresh stories the Monet stage (a Monet-VD of the smallest preset,"
            + " trained as its Llama) resects its domain experts on; 0 skips the stage (default ${DEFAULT-VALUE}).")
    int monetTexts = DemoConfig.DEFAULT.monetTexts();

    @Option(names = "--select-pool", description = "Fresh stories the data-selection stage (MoNA with the SAE stage's SAE,"
            + " against BM25 and random) selects 5%% of; 0 skips the stage (default ${DEFAULT-VALUE}).")
    int selectPool = DemoConfig.DEFAULT.selectPool();

    @Option(names = "--overwrite", description = "Replace an earlier demo's outputs in --out.")
    boolean overwrite;

    @Override
    public void run() {
        DemoConfig cfg = Flags.check(() -> new DemoConfig(out, docs, dialects, presets, steps, lr, seed, samples,
                measureTexts, alignSteps, alignSeeds, full, saeTexts, saeSteps, monetTexts,
                selectPool));
        Demo.Result r = Demo.run(cfg, overwrite, System.err);
        var o = out();
        for (Demo.ModelResult m : r.models()) {
            o.printf("%-3s %,9d parameters  loss on whole valid stories %.4f  (floor %.4f, gap %.1f%%)"
                    + "  FD %.3f  monosemantic %.3f%n", m.preset(), m.summary().parameters(), m.storyLoss(),
                    r.data().validEntropyPerToken(), 100 * m.gapToFloor(r.data().validEntropyPerToken()),
                    MeasureReport.meanOverLayers(m.metrics(), HookResult::featureDecorrelation),
                    MeasureReport.meanOverLayers(m.metrics(), h -> h.tokenSelectivity().monosemanticFraction()));
        }
        for (Demo.Aligned a : r.aligned()) {
            o.printf("%-3s %s: base alignment %s%%", a.preset(), a.task(), dev.mono4j.align.AlignCompare.fmtPct(a.result().baseAlignment()));
            for (dev.mono4j.align.AlignCompare.MethodResult m : a.result().methods()) {
                o.printf(", %s %s%%", m.method(), dev.mono4j.align.AlignCompare.meanStd(m.alignment(), 100, "%.1f"));
            }
            o.println();
        }
        if (r.sae() != null) {
            var e = r.sae().eval();
            o.printf("%-3s GBA SAE at %s: L0 %.1f  FVU %.3f  CE loss recovered %.1f%%  mean concept purity %.3f%n",
                    r.sae().preset(), e.hook(), e.reconstruction().l0(), e.reconstruction().fvu(),
                    100 * e.ceLossRecovered(), e.purity().meanPurity());
        }
        o.println("report: " + r.report());
        o.println("summary: " + r.summary());
    }
}
