package dev.mono4j.sae;

import dev.mono4j.report.BarChart;
import dev.mono4j.report.HtmlReport;
import dev.mono4j.report.LineChart;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The HTML page of {@code sae compare}: a table of every run, the sparsity–reconstruction frontier (L0 against
 * FVU, one line per architecture through its sweep's runs), FRR bars (synthetic data only) and dead and dense
 * latents per run.
 */
public final class SaeCompareReport {
    private SaeCompareReport() {
    }

    public static HtmlReport build(SaeCompare compare, List<SaeCompare.RunResult> results) {
        boolean synthetic = compare.data().synthetic() != null;
        SaeConfig first = compare.runs().get(0).config();
        HtmlReport.Builder r = HtmlReport.builder("mono4j sae compare")
                .subtitle("SAE architectures trained on the same rows, evaluated on the same "
                        + (synthetic ? "held-out synthetic rows" : "store rows"))
                .runInfo("data", compare.data().describe())
                .runInfo("eval rows", results.get(0).eval().reconstruction().rows())
                .runInfo("eval seed", compare.evalSeed())
                .runInfo("steps × batch", first.steps() + " × " + first.batchSize())
                .runInfo("seed", first.seed());
        List<String> header = new ArrayList<>(List.of("run", "setting", "d_sae", "L0", "FVU", "MSE", "cosine", "dead",
                "dense"));
        if (synthetic) {
            header.addAll(List.of("FRR(0.8)", "FRR(0.9)"));
        }
        header.add("train s");
        List<List<?>> rows = new ArrayList<>();
        for (SaeCompare.RunResult x : results) {
            ReconstructionStats.Result rec = x.eval().reconstruction();
            List<Object> row = new ArrayList<>(List.of(x.run().name(), x.run().knob() + "=" + SaeCompare.format(
                    x.run().setting()), x.dSae(), rec.l0(), rec.fvu(), rec.mse(), rec.cosine(), rec.deadLatents(),
                    rec.denseLatents()));
            if (synthetic) {
                row.addAll(List.of(x.eval().frr08(), x.eval().frr09()));
            }
            row.add(x.seconds());
            rows.add(row);
        }
        r.section("Results")
                .paragraph("Each run is an sae train folder, " + SaeCompare.RUNS_DIR + "/NAME, evaluated as sae eval"
                        + " does: L0 = mean active latents per row, FVU = Σ‖x − x̂‖² / Σ‖x − x̄‖², dead = latents that never"
                        + " fired on the evaluation rows, dense = latents firing on more than " + first.denseThreshold()
                        + " of them" + (synthetic ? "; FRR(τ) = share of true features whose best decoder row has cosine"
                        + " ≥ τ" : "") + ". Setting: the architecture's sparsity knob (k for TopK and BatchTopK, l1 for"
                        + " ReLU, l0 for JumpReLU, htf for GBA and BA).")
                .table(header, rows)
                .chart(frontier(results), "Lower and further left is better: fewer active latents for the same"
                        + " reconstruction. FVU on a log axis, since architectures differ by orders of magnitude.");
        List<String> names = results.stream().map(x -> x.run().name()).toList();
        if (synthetic) {
            r.section("Feature recovery").chart(BarChart.builder("Feature recovery rate against the ground truth")
                    .yLabel("share of true features").categories(names)
                    .series("FRR(0.8)", values(results, x -> x.eval().frr08()))
                    .series("FRR(0.9)", values(results, x -> x.eval().frr09())).build());
        }
        r.section("Dead and dense latents").chart(BarChart.builder("Dead and dense latents on the evaluation rows")
                .yLabel("latents").categories(names)
                .series("dead", values(results, x -> x.eval().reconstruction().deadLatents()))
                .series("dense", values(results, x -> x.eval().reconstruction().denseLatents())).build());
        return r.build();
    }

    /** L0 against FVU, one series per architecture, its runs in order of L0 so the line traces the frontier. */
    static LineChart frontier(List<SaeCompare.RunResult> results) {
        Map<String, List<ReconstructionStats.Result>> byArchitecture = new LinkedHashMap<>();
        for (SaeCompare.RunResult x : results) {
            byArchitecture.computeIfAbsent(x.run().config().architecture().architecture(), a -> new ArrayList<>())
                    .add(x.eval().reconstruction());
        }
        LineChart.Builder chart = LineChart.builder("Sparsity–reconstruction frontier").xLabel("L0 (active latents per row)")
                .yLabel("FVU").logY(true);
        byArchitecture.forEach((a, points) -> {
            List<ReconstructionStats.Result> sorted = points.stream()
                    .sorted(Comparator.comparingDouble(ReconstructionStats.Result::l0)).toList();
            chart.series(a, sorted.stream().mapToDouble(ReconstructionStats.Result::l0).toArray(),
                    sorted.stream().mapToDouble(ReconstructionStats.Result::fvu).toArray());
        });
        return chart.build();
    }

    private static double[] values(List<SaeCompare.RunResult> results, ToDoubleFunction<SaeCompare.RunResult> value) {
        return results.stream().mapToDouble(value).toArray();
    }
}
