package dev.mono4j.cli;

import dev.mono4j.align.AlignCompare;
import dev.mono4j.align.AlignConfig;
import dev.mono4j.align.AlignEval;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Trains every method with every seed from one base model and reports them side by side. */
@Command(name = "compare", mixinStandardHelpOptions = true, description = "Compare alignment methods over seeds: table"
        + " (mean ± std), reward-margin and FD curves, measure charts. Resumes where it stopped.")
final class AlignCompareCommand extends CliCommand {
    @Parameters(paramLabel = "CHECKPOINT", description = "The base model every method starts from.")
    Path model;

    @Option(names = "--methods", split = ",", defaultValue = "sft,dpo,simpo,l1,decpo",
            description = "Methods (default ${DEFAULT-VALUE}; also ipo, memel).")
    List<String> methods;

    @Option(names = "--seeds", defaultValue = "3", description = "Seeds per method (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--measure-texts", defaultValue = "300", description = "Texts to measure monosemanticity on; 0: skip (default ${DEFAULT-VALUE}).")
    int measureTexts;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature of the judged continuations (default ${DEFAULT-VALUE}).")
    double temperature;

    @ArgGroup(exclusive = false)
    AlignOptions.DataOptions data = new AlignOptions.DataOptions();

    @Mixin
    AlignOptions options;

    @Option(names = "--out", required = true, description = "Output folder: runs/, compare.json, report.html, measure/.")
    Path out;

    @Option(names = "--overwrite", description = "Start over, replacing an earlier comparison in --out (default: continue it).")
    boolean overwrite;

    @Override
    public void run() {
        List<AlignConfig.Method> ms = Flags.check(() -> methods.stream().map(AlignConfig.Method::parse).distinct().toList());
        AlignConfig base = options.config(AlignConfig.Method.DPO, model);
        AlignEval eval = Flags.check(() -> new AlignEval(AlignEval.DEFAULT.maxNewTokens(), temperature, 0));
        AlignCompare compare = Flags.check(() -> new AlignCompare(ms, seeds, base, options.lambda, eval, measureTexts));
        AlignCompare.Result r = compare.run(model, data.source(), out, overwrite);
        var o = out();
        o.printf(Locale.ROOT, "base: alignment %s%%%n", AlignCompare.fmtPct(r.baseAlignment()));
        for (AlignCompare.MethodResult m : r.methods()) {
            o.printf(Locale.ROOT, "%-6s alignment %s%%  reward accuracy %s%%  FD at hook %s%n", m.method(),
                    AlignCompare.meanStd(m.alignment(), 100, "%.1f"), AlignCompare.meanStd(m.rewardAccuracy(), 100, "%.1f"),
                    AlignCompare.meanStd(m.fdAtHook(), 1, "%.4f"));
        }
        o.println("report: " + r.report());
    }
}
