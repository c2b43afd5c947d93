package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.sae.ReconstructionStats;
import dev.mono4j.sae.ArchitectureConfig;
import dev.mono4j.sae.SaeCompare;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import dev.mono4j.train.RunListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j sae compare}: several architectures on the same rows, one table and report. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Train several SAE architectures on the same rows and compare them: compare.json and report.html"
                + " (sparsity–reconstruction frontier, FRR, dead latents); each run is a `sae train` folder under --out/runs/.")
final class SaeCompareCommand extends CliCommand {
    @Option(names = "--architectures", split = ",", defaultValue = "topk,batchtopk,relu,jumprelu,gba,ba",
            description = "Architectures to train (default ${DEFAULT-VALUE}).")
    List<String> architectures;

    @Mixin
    SaeTrainOptions options;

    @Option(names = "--sweep", paramLabel = "KNOB=V1,V2,...", description = "Train each architecture with this sparsity"
            + " knob at each value, one run per value: k (topk, batchtopk), l1 (relu), l0 (jumprelu) or htf (gba, ba);"
            + " repeatable. Architectures whose knob is not swept train once at its flag (--k, --l1, --l0, --htf).")
    Map<String, String> sweep = new LinkedHashMap<>();

    @Option(names = "--eval-rows", description = "Rows each SAE is evaluated on (default ${DEFAULT-VALUE}).")
    long evalRows = 65_536;

    @Option(names = "--eval-seed", description = "Seed of the held-out synthetic rows (not --seed), or the order store"
            + " rows are read in (default ${DEFAULT-VALUE}).")
    long evalSeed = 12_345;

    @Mixin
    OutputFolderOptions output;

    @Override
    public void run() {
        List<ArchitectureConfig> archs = options.architectures(spec, "--architectures", architectures);
        Map<String, List<Double>> knobs = new LinkedHashMap<>();
        sweep.forEach((knob, values) -> knobs.put(Flags.check(() -> SaeCompare.knob(knob)), numbers(knob, values)));
        SaeCompare compare = Flags.check(() -> new SaeCompare(SaeCompare.plan(archs, options.config(archs.get(0)), knobs),
                options.data(), evalRows, evalSeed));
        SaeCompare.Result r = compare.run(output.out, output.overwrite, RunListener.console());
        PrintWriter w = out();
        for (SaeCompare.RunResult x : r.runs()) {
            ReconstructionStats.Result rec = x.eval().reconstruction();
            w.printf(Locale.ROOT, "%-22s L0 %.1f, FVU %.4f, MSE %.4g, dead %d, dense %d%s, %.0f s%n", x.run().name(),
                    rec.l0(), rec.fvu(), rec.mse(), rec.deadLatents(), rec.denseLatents(), x.eval().frr08() == null ? ""
                    : String.format(Locale.ROOT, ", FRR(0.8) %.3f, FRR(0.9) %.3f", x.eval().frr08(), x.eval().frr09()),
                    x.seconds());
        }
        w.println("wrote " + r.json() + " and " + r.report());
    }

    /** "8,16,32" as numbers; a value that is not one is an error naming the knob. */
    private static List<Double> numbers(String knob, String values) {
        List<Double> v = new ArrayList<>();
        for (String s : values.split(",")) {
            double x;
            try {
                x = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                x = Double.NaN;
            }
            if (!Double.isFinite(x)) {
                throw new UserInputException("--sweep " + knob + ": '" + s + "' is not a number");
            }
            v.add(x);
        }
        return v;
    }
}
