package dev.mono4j.metrics;

import dev.mono4j.hooks.HookPoint;
import dev.mono4j.report.HtmlReport;
import dev.mono4j.report.LineChart;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The measure report: one chart per metric against relative depth, every model (and hook kind) a line,
 * so base vs. aligned models or a capacity ladder read off one picture; and a table of per-model means.
 */
public final class MeasureReport {
    private MeasureReport() {
    }

    /** A metric as charted: its title, axis label and how to read it from a hook's result. */
    public record Metric(String title, String unit, ToDoubleFunction<HookResult> value) {
    }

    static final Metric MONOSEMANTIC_TOKENS = new Metric("Monosemantic neurons (token concepts)", "fraction of neurons",
            h -> h.tokenSelectivity() == null ? Double.NaN : h.tokenSelectivity().monosemanticFraction());
    static final Metric SENSE_FOLLOWING = new Metric("Sense-following monosemantic neurons (polysemous words)",
            "fraction with sense AUROC ≥ threshold",
            h -> h.tokenSelectivity() == null ? Double.NaN : h.tokenSelectivity().senseFollowingFraction());

    public static final List<Metric> METRICS = List.of(
            new Metric("Feature decorrelation (DecPO's proxy; higher = more monosemantic)", "1 − mean cos",
                    HookResult::featureDecorrelation),
            new Metric("Mean |correlation| between neurons", "mean |C_ij|", h -> h.neuronCorrelation().meanAbsCorrelation()),
            new Metric("Off-diagonal correlation energy", "‖C − I‖²_F / d²",
                    h -> h.neuronCorrelation().offDiagonalFrobenius()),
            new Metric("Hoyer sparsity of token activations", "Hoyer", HookResult::hoyer),
            new Metric("Near-zero fraction of token activations", "fraction |a| < ε", HookResult::nearZeroFraction),
            new Metric("L1/L2 ratio of token activations", "‖a‖₁ / ‖a‖₂", HookResult::l1OverL2),
            new Metric("Variance across dimensions", "mean Var_k(a_k)", HookResult::varianceAcrossDims),
            new Metric("Effective rank of pooled representations", "exp H(σ)", HookResult::effectiveRank),
            new Metric("MEmeL monosemantic scale, median neuron", "median φ score", h -> h.monosemanticScale().median()),
            new Metric("MEmeL monosemantic scale, 99th percentile neuron", "p99 φ score",
                    h -> h.monosemanticScale().p99()),
            MONOSEMANTIC_TOKENS, SENSE_FOLLOWING,
            new Metric("Monosemantic neurons (text labels)", "fraction of neurons",
                    h -> h.textSelectivity() == null ? Double.NaN : h.textSelectivity().monosemanticFraction()));

    /** The metric's mean over a model's block hooks (NaN values left out); NaN when none has a value. */
    public static double meanOverLayers(Measurement.ModelResult m, ToDoubleFunction<HookResult> f) {
        return m.hooks().stream().filter(h -> h.layer() >= 0).mapToDouble(f).filter(v -> !Double.isNaN(v)).average()
                .orElse(Double.NaN);
    }

    /** The hook's name with its layer replaced by {@code *}: lines join the hooks of one kind. */
    static String kind(String hook) {
        return HookPoint.layerGlob(hook);
    }

    public static HtmlReport build(List<Measurement.ModelResult> models, MeasureConfig cfg) {
        HtmlReport.Builder r = HtmlReport.builder("mono4j measure")
                .subtitle("How monosemantic each model's neurons are, layer by layer")
                .runInfo("models", models.size()).runInfo("data", models.get(0).data())
                .runInfo("texts", models.get(0).texts()).runInfo("pool", cfg.pool().name().toLowerCase(java.util.Locale.ROOT));
        addCharts(r, models);
        r.section("Per model (means over layers)").table(List.of("model", "parameters", "tokens", "FD", "mean |corr|",
                "Hoyer", "effective rank", "monosemantic (tokens)", "sense-following", "seconds"), summaryRows(models));
        for (Measurement.ModelResult m : models) {
            Map<String, Integer> byConcept = new TreeMap<>();
            for (HookResult h : m.hooks()) {
                if (h.tokenSelectivity() != null) {
                    h.tokenSelectivity().monosemanticByConcept().forEach((c, n) -> byConcept.merge(c, n, Integer::sum));
                }
            }
            if (!byConcept.isEmpty()) {
                r.paragraph(m.name() + ": monosemantic neurons per concept, all measured hooks together")
                        .keyValues(byConcept);
            }
        }
        r.section("Definitions").paragraph("FD = 1 − mean cosine similarity of pooled activations over pairs of texts."
                + " Token metrics use every real token; pairwise and concept metrics a seeded sample of at most "
                + cfg.maxNeurons() + " neurons per hook. A neuron is monosemantic when exactly one concept has"
                + " AUROC ≥ " + cfg.selectivityThreshold() + ". Formulas and choices: docs/metrics.md.");
        return r.build();
    }

    /** Adds one chart per metric that has a value somewhere, against relative depth. */
    public static void addCharts(HtmlReport.Builder r, List<Measurement.ModelResult> models) {
        boolean oneKind = models.stream().flatMap(m -> m.hooks().stream()).map(h -> kind(h.hook())).distinct().count() == 1;
        r.section("Metrics by relative depth");
        for (Metric metric : METRICS) {
            LineChart.Builder c = LineChart.builder(metric.title()).xLabel("relative depth (layer / (layers − 1))")
                    .yLabel(metric.unit());
            boolean any = false;
            for (Measurement.ModelResult m : models) {
                Map<String, List<HookResult>> byKind = new LinkedHashMap<>();
                for (HookResult h : m.hooks()) {
                    if (h.layer() >= 0) {
                        byKind.computeIfAbsent(kind(h.hook()), k -> new ArrayList<>()).add(h);
                    }
                }
                for (Map.Entry<String, List<HookResult>> e : byKind.entrySet()) {
                    double[] x = e.getValue().stream().mapToDouble(HookResult::depth).toArray();
                    double[] y = e.getValue().stream().mapToDouble(metric.value()).toArray();
                    any |= java.util.Arrays.stream(y).anyMatch(v -> !Double.isNaN(v));
                    c.series(oneKind ? m.name() : m.name() + " " + e.getKey(), x, y);
                }
            }
            if (any) {
                r.chart(c.build());
            }
        }
        List<Measurement.ModelResult> gpt2 = models.stream().filter(m -> m.weightProxy() != null).toList();
        if (!gpt2.isEmpty()) {
            LineChart.Builder c = LineChart.builder("Weight proxy: median ‖W_in,j‖·b_in,j, normalised (DecPO Figure 2)")
                    .xLabel("relative depth (layer / (layers − 1))").yLabel("median / max over layers of median |·|");
            for (Measurement.ModelResult m : gpt2) {
                c.series(m.name(), m.weightProxy().depth(), m.weightProxy().normalized());
            }
            r.chart(c.build());
        }
    }

    static List<List<?>> summaryRows(List<Measurement.ModelResult> models) {
        List<List<?>> rows = new ArrayList<>();
        for (Measurement.ModelResult m : models) {
            rows.add(List.of(m.name(), m.parameters(), m.tokens(),
                    fmt(meanOverLayers(m, HookResult::featureDecorrelation)),
                    fmt(meanOverLayers(m, h -> h.neuronCorrelation().meanAbsCorrelation())),
                    fmt(meanOverLayers(m, HookResult::hoyer)), fmt(meanOverLayers(m, HookResult::effectiveRank)),
                    fmt(meanOverLayers(m, MONOSEMANTIC_TOKENS.value())), fmt(meanOverLayers(m, SENSE_FOLLOWING.value())),
                    String.format("%.1f", m.seconds())));
        }
        return rows;
    }

    /** A metric for a table: four decimals, a dash when it has no value. */
    public static String fmt(double v) {
        return Double.isNaN(v) ? "–" : String.format("%.4f", v);
    }
}
