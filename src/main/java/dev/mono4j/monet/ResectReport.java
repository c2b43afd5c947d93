package dev.mono4j.monet;

import dev.mono4j.report.BarChart;
import dev.mono4j.report.HtmlReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code monet resect}'s report.html: per label, what masking its experts and each baseline cost, as bars and a table. */
final class ResectReport {
    private ResectReport() {
    }

    static HtmlReport build(Path monetDir, Path denseDir, ResectConfig cfg, Resection.Result r, int statsTexts,
            int heldoutTexts) {
        List<String> labels = r.labels().stream().map(Resection.LabelResection::label).toList();
        boolean dense = r.labels().stream().anyMatch(l -> l.dense() != null);
        HtmlReport.Builder report = HtmlReport.builder("Monet knowledge resection").subtitle(monetDir.toString())
                .runInfo("dense baseline", denseDir == null ? "none" : denseDir.toString())
                .runInfo("statistics / held-out texts", statsTexts + " / " + heldoutTexts)
                .runInfo("rule", "mean routing >= " + cfg.ratio() + " x the runner-up label's")
                .runInfo("random draws", cfg.randomDraws()).runInfo("dense budget", cfg.denseBudget());
        report.section("Loss on the label and on the others")
                .paragraph("Δ = masked − unmasked mean next-token NLL on the held-out texts, in nats per token (Park et"
                        + " al., ICLR 2025, §5.1 and Table 11 report ΔTarget against the mean ΔOthers). A selective removal"
                        + " raises the first bars and leaves the second near 0.")
                .chart(bars("Δ on the label's own texts", labels, r, true, dense))
                .chart(bars("Δ on the other labels' texts (mean)", labels, r, false, dense));
        List<List<?>> rows = new ArrayList<>();
        for (Resection.LabelResection l : r.labels()) {
            rows.add(List.of(l.label(), l.experts(), fmt("%.2f%%", 100 * l.unitShare()), pair(l.monet()), pair(l.random()),
                    l.denseNeurons() == null ? "-" : l.denseNeurons(), l.dense() == null ? "-" : pair(l.dense())));
        }
        report.table(List.of("label", "experts", "unit share", "experts Δtarget / Δothers (Δt/|Δo|)",
                "random experts", "dense neurons", "dense Δtarget / Δothers"), rows);
        if (!r.toxicity().isEmpty()) {
            List<List<?>> tox = new ArrayList<>();
            for (Resection.ToxicityRow t : r.toxicity()) {
                tox.add(List.of(t.threshold() == null ? "none" : t.threshold(), t.masked(), fmt("%.2f%%", 100 * t.fraction()),
                        fmt("%.3f", t.nonToxicRate()), fmt("%.3f", t.insultRate()), fmt("%.4f", t.politeNll())));
            }
            report.section("Toxicity analogue").paragraph("Experts whose score correlates (Pearson r ≥ threshold) with"
                    + " insult tokens are masked (§5.3, Table 4); replies to held-out toxicity prompts are judged by"
                    + " ConceptWorld's judge, and the loss is measured on held-out texts without an insult.")
                    .table(List.of("threshold", "experts masked", "fraction", "non-toxic replies", "replies with an insult",
                            "polite NLL"), tox);
        }
        return report.build();
    }

    private static BarChart bars(String title, List<String> labels, Resection.Result r, boolean target, boolean dense) {
        BarChart.Builder b = BarChart.builder(title).yLabel("Δ NLL (nats per token)").categories(labels)
                .series("experts", values(r, l -> l.monet(), target)).series("random experts", values(r, l -> l.random(),
                        target));
        if (dense) {
            b.series("dense neurons", values(r, l -> l.dense(), target));
        }
        return b.build();
    }

    private static double[] values(Resection.Result r, java.util.function.Function<Resection.LabelResection,
            Resection.Delta> which, boolean target) {
        return r.labels().stream().map(which).mapToDouble(d -> d == null ? 0 : target ? d.target() : d.others()).toArray();
    }

    private static String pair(Resection.Delta d) {
        return fmt("%+.4f / %+.4f (%.1f)", d.target(), d.others(), d.selectivity());
    }

    private static String fmt(String format, Object... v) {
        return String.format(Locale.ROOT, format, v);
    }
}
