package dev.mono4j.reproduce;

import dev.mono4j.align.AlignCompare;
import dev.mono4j.report.HtmlReport;
import dev.mono4j.report.LineChart;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** report.html of {@code reproduce decpo}: the verdicts, Table 2 beside the paper's, and Figures 2–7's analogues. */
final class DecpoReport {
    private DecpoReport() {
    }

    static HtmlReport build(ReproduceDecpoConfig cfg, List<ReproduceDecpo.Row> rows, String decpoRow,
            Map<String, Map<String, ReproduceDecpo.TaskResult>> table, Map<String, PresetFigures> figures, List<Claim> claims,
            double seconds) {
        String task = cfg.tasks().get(0);
        HtmlReport.Builder r = HtmlReport.builder("mono4j reproduce decpo")
                .subtitle("Yan et al., EMNLP 2024 (arXiv 2406.17969v1), on ConceptWorld: the paper's claims and our numbers")
                .runInfo("presets", cfg.presets()).runInfo("seeds", cfg.seeds()).runInfo("tasks", cfg.tasks())
                .runInfo("align steps", cfg.alignSteps()).runInfo("quick", cfg.quick())
                .runInfo("wall time", String.format(Locale.ROOT, "%.1f min", seconds / 60));
        List<List<?>> verdictRows = new ArrayList<>();
        for (Claim c : claims) {
            verdictRows.add(List.of(c.figure(), c.claim(), c.paper(), c.ours(), c.verdict()));
        }
        r.section("Verdicts").paragraph("Rule for the paired tests: " + Claim.T_RULE + ". Pairs are (preset, seed): every"
                + " method of a seed trains on the same pair order from the same base. Figures use the first task (" + task
                + ") as the paper's Figures 4–6 use Toxicity.")
                .table(List.of("figure", "claim (paper)", "paper", "ours", "verdict"), verdictRows);
        for (Claim c : claims) {
            if (c.test() == null) {
                r.paragraph(c.figure() + " rule: " + c.rule() + ".");
            }
        }

        List<String> header = new ArrayList<>(List.of("task", "method"));
        cfg.presets().forEach(p -> header.add(p + " alignment %"));
        header.add("paper (L2-base / L2-chat / L3-instruct)");
        List<List<?>> t2 = new ArrayList<>();
        for (String tk : cfg.tasks()) {
            List<Object> base = new ArrayList<>(List.of(tk, "base"));
            cfg.presets().forEach(p -> base.add(AlignCompare.fmtPct(table.get(p).get(tk).baseAlignment())));
            base.add("");
            t2.add(base);
            for (ReproduceDecpo.Row row : rows) {
                List<Object> line = new ArrayList<>(List.of(tk, row.name()));
                cfg.presets().forEach(p -> line.add(AlignCompare.meanStd(table.get(p).get(tk).rows().get(row.name()).alignment(),
                        100, "%.1f")));
                Map<String, String> paper = DecpoClaims.PAPER_TABLE2.get(row.method().id());
                line.add(paper == null ? "" : paper.get(tk));
                t2.add(line);
            }
        }
        r.section("Table 2: alignment % by task and method").paragraph("Share of 200 held-out ConceptWorld prompts whose"
                + " sampled continuation the task's judge accepts (our analogue of the paper's GPT-3.5 judge), mean ± sample"
                + " std over " + cfg.seeds() + " seed(s). The paper's cells are GPT-3.5-judged scores on Llama models; the"
                + " scales differ, compare gaps, not levels. The paper has no MEmeL row and one DecPO (its λ 1e-4 form).")
                .table(header, t2);

        LineChart.Builder fig2 = LineChart.builder("Figure 2: weight proxy by relative depth (GPT-2 layout)")
                .xLabel("relative depth").yLabel("median ‖W_in‖·b_in / base's max |median|");
        LineChart.Builder fig3 = LineChart.builder("Figure 3: FD per block, base vs DPO (" + task + ")")
                .xLabel("relative depth").yLabel("FD");
        LineChart.Builder fig5 = LineChart.builder("Figure 5: variance across dimensions, DecPO − DPO (" + task + ")")
                .xLabel("relative depth").yLabel("variance difference");
        LineChart.Builder fig7 = LineChart.builder("Figure 7: alignment % against the regularized block (" + task + ")")
                .xLabel("relative depth of the regularized block").yLabel("alignment %");
        r.section("Figures 2–7");
        for (Map.Entry<String, PresetFigures> e : figures.entrySet()) {
            String p = e.getKey();
            PresetFigures f = e.getValue();
            double[] depth = depth(f.layers());
            fig2.series(p + " base", depth, f.weightProxyBase());
            fig2.series(p + " DPO", depth, PresetFigures.meanOverSeeds(f.weightProxyDpo()));
            fig3.series(p + " base", depth, f.fdBase());
            fig3.series(p + " DPO", depth, PresetFigures.meanOverSeeds(f.fdDpo()));
            double[] dv = PresetFigures.meanOverSeeds(f.varianceDecpo());
            double[] dpoVar = PresetFigures.meanOverSeeds(f.varianceDpo());
            for (int i = 0; i < dv.length; i++) {
                dv[i] -= dpoVar[i];
            }
            fig5.series(p, depth, dv);
            double[] x = f.fig7Alignment().keySet().stream().mapToDouble(l -> f.layers() == 1 ? 0 : (double) l / (f.layers() - 1))
                    .toArray();
            double[] y = f.fig7Alignment().values().stream().mapToDouble(v -> 100 * AlignCompare.mean(v)).toArray();
            fig7.series(p, x, y);
        }
        r.paragraph("Figure 2's proxy needs an MLP input bias, so it is measured on the same presets pretrained in GPT-2"
                + " layout, DPO-aligned on " + task + "; each preset's curves are scaled by its base's largest |median|.")
                .chart(fig2.build()).chart(fig3.build());
        for (Map.Entry<String, PresetFigures> e : figures.entrySet()) {
            r.chart(fig4(e.getKey(), e.getValue(), decpoRow));
        }
        r.chart(fig5.build());
        for (Map.Entry<String, PresetFigures> e : figures.entrySet()) {
            r.chart(fig6(e.getKey(), e.getValue()));
        }
        r.chart(fig7.build());
        return r.build();
    }

    /** FD per block at steps 0, ¼, ½ and the end (the logged steps nearest those), DPO and DecPO, mean over seeds. */
    private static LineChart fig4(String preset, PresetFigures f, String decpoRow) {
        LineChart.Builder c = LineChart.builder("Figure 4: FD per block over training, " + preset).xLabel("relative depth")
                .yLabel("FD");
        TreeMap<Integer, double[]> steps = new TreeMap<>(f.fdStepsDpo().get(0));
        int end = steps.lastKey();
        for (int target : new int[] {0, end / 4, end / 2, end}) {
            int step = nearest(steps, target);
            c.series("DPO step " + step, depth(f.layers()), meanAt(f.fdStepsDpo(), step));
            if (step > 0) {
                c.series(decpoRow + " step " + step, depth(f.layers()), meanAt(f.fdStepsDecpo(), step));
            }
        }
        return c.build();
    }

    private static int nearest(TreeMap<Integer, double[]> steps, int target) {
        return steps.keySet().stream().min((a, b) -> Integer.compare(Math.abs(a - target), Math.abs(b - target))).orElseThrow();
    }

    private static double[] meanAt(List<Map<Integer, double[]>> perSeed, int step) {
        return PresetFigures.meanOverSeeds(perSeed.stream().map(m -> m.get(step)).toList());
    }

    /** Reward margins over training: training batches and held-out pairs, DPO and DecPO, mean over seeds. */
    private static LineChart fig6(String preset, PresetFigures f) {
        PresetFigures.Margins dpo = f.marginsDpo().get(0);
        PresetFigures.Margins decpo = f.marginsDecpo().get(0);
        return LineChart.builder("Figure 6: reward margin over training, " + preset).xLabel("step")
                .yLabel("r(chosen) − r(rejected)")
                .series("DPO train", dpo.steps(), meanOf(f.marginsDpo(), false))
                .series("DPO held-out", dpo.evalSteps(), meanOf(f.marginsDpo(), true))
                .series("DecPO train", decpo.steps(), meanOf(f.marginsDecpo(), false))
                .series("DecPO held-out", decpo.evalSteps(), meanOf(f.marginsDecpo(), true)).build();
    }

    private static double[] meanOf(List<PresetFigures.Margins> perSeed, boolean heldOut) {
        return PresetFigures.meanOverSeeds(perSeed.stream().map(m -> heldOut ? m.eval() : m.train()).toList());
    }

    static double[] depth(int layers) {
        double[] x = new double[layers];
        for (int i = 0; i < layers; i++) {
            x[i] = layers == 1 ? 0 : (double) i / (layers - 1);
        }
        return x;
    }
}
