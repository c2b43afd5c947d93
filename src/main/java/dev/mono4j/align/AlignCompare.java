package dev.mono4j.align;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.data.TextSource;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.metrics.HookResult;
import dev.mono4j.metrics.Measure;
import dev.mono4j.metrics.MeasureConfig;
import dev.mono4j.metrics.MeasureReport;
import dev.mono4j.metrics.Measurement;
import dev.mono4j.report.BarChart;
import dev.mono4j.report.HtmlReport;
import dev.mono4j.report.LineChart;
import dev.mono4j.train.RunListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DecPO paper's comparison, with error bars: every method trained from the same base model on the
 * same pairs with the same seeds, then judged on the held-out prompts. Writes {@value #RUNS_DIR}/METHOD/seedS/
 * (each an {@link AlignTrainer} folder plus {@code eval.json}), {@value #RESULT_FILE} (the table), and
 * {@value #REPORT_FILE}: alignment % and reward metrics as mean ± std over seeds, reward-margin curves
 * (Figure 6), FD over training at the regularized layer (Figure 4), FD by layer after training, and
 * {@code measure} charts of the base model against each method's seed-0 model ({@value #MEASURE_DIR}/).
 *
 * <p>Stopped, it picks up where it was: finished runs are kept, a run with a checkpoint is resumed.
 *
 * @param methods      methods to compare (the base model is always evaluated too)
 * @param seeds        seeds per method: 0 .. seeds−1 added to the base config's seed
 * @param base         the settings every method shares; each method gets its own default λ unless {@code lambda} is set
 * @param lambda       one λ for every regularized method, or null for each method's default
 * @param eval         how continuations are sampled and judged
 * @param measureTexts texts for the monosemanticity measurement (ConceptWorld stories for a task; else the
 *                     held-out pairs' prompt + chosen completion)
 */
public record AlignCompare(List<AlignConfig.Method> methods, int seeds, AlignConfig base, Double lambda, AlignEval eval,
        int measureTexts) {
    public static final String RUNS_DIR = "runs";
    public static final String RESULT_FILE = "compare.json";
    public static final String REPORT_FILE = "report.html";
    public static final String MEASURE_DIR = "measure";
    static final List<String> OUTPUTS = List.of(RUNS_DIR, RESULT_FILE, REPORT_FILE, MEASURE_DIR, "base_eval.json",
            "measure_texts.txt");

    public AlignCompare {
        if (methods.isEmpty() || seeds < 1 || measureTexts < 0) {
            throw new IllegalArgumentException("need at least one method and one seed, and measure-texts not negative");
        }
        methods = List.copyOf(methods);
    }

    /** One method's results over seeds. */
    public record MethodResult(String method, double lambda, List<Double> alignment, List<Double> rewardAccuracy,
            List<Double> rewardMargin, List<Double> fdAtHook, List<Double> fdMeanOverLayers, List<Path> runs) {
    }

    /** @param measured the base model then each method's seed-0 model, measured on the same texts (empty if skipped) */
    public record Result(Path report, double baseAlignment, List<MethodResult> methods, List<Measurement.ModelResult> measured) {
    }

    /** The config of one method and seed: the base's settings, the method's λ unless one is given for all. */
    AlignConfig configFor(AlignConfig.Method m, int seed) {
        return base.forRun(m, lambda != null ? lambda : AlignConfig.defaultLambda(m, base.decorrMode()), base.seed() + seed);
    }

    public Result run(Path modelDir, AlignData.Source source, Path out, boolean overwrite) {
        OutputFolder.check(out, OUTPUTS, true, "");
        if (overwrite) {
            OutputFolder.prepare(out, OUTPUTS, true, "");
        }
        AlignData data = source.load(base.evalShare());
        double baseAlignment = judged(modelDir, out.resolve("base_eval.json"), data);
        List<MethodResult> results = new ArrayList<>();
        Map<String, List<JsonNode>> logs = new LinkedHashMap<>();
        String hook = null;
        for (AlignConfig.Method m : methods) {
            List<Double> align = new ArrayList<>();
            List<Double> acc = new ArrayList<>();
            List<Double> margin = new ArrayList<>();
            List<Double> fdHook = new ArrayList<>();
            List<Double> fdMean = new ArrayList<>();
            List<Path> runs = new ArrayList<>();
            AlignConfig cfg0 = configFor(m, 0);
            for (int s = 0; s < seeds; s++) {
                AlignConfig cfg = configFor(m, s);
                Path dir = out.resolve(RUNS_DIR).resolve(m.id()).resolve("seed" + s);
                runs.add(dir);
                if (!Files.exists(dir.resolve(AlignTrainer.SUMMARY_FILE))) {
                    if (AlignTrainer.resumable(dir)) {
                        AlignTrainer.resume(dir, RunListener.console());
                    } else {
                        AlignTrainer.run(cfg, modelDir, source, dir, true, RunListener.console());
                    }
                }
                JsonNode summary = Json.read(dir.resolve(AlignTrainer.SUMMARY_FILE));
                hook = summary.path("hook").asText();
                List<JsonNode> log = readLog(dir.resolve(AlignTrainer.LOG_FILE));
                logs.computeIfAbsent(m.id(), k -> new ArrayList<>()).addAll(log);
                JsonNode last = log.get(log.size() - 1);
                align.add(judged(dir.resolve(AlignTrainer.FINAL_DIR), dir.resolve("eval.json"), data));
                acc.add(last.path("eval_reward_accuracy").asDouble());
                margin.add(last.path("eval_reward_margin").asDouble());
                JsonNode fdLayers = last.path("fd_layers");
                fdHook.add(fdLayers.path(layerOf(hook)).asDouble());
                double sum = 0;
                for (JsonNode v : fdLayers) {
                    sum += v.asDouble();
                }
                fdMean.add(sum / fdLayers.size());
            }
            results.add(new MethodResult(m.id(), cfg0.lambda(), align, acc, margin, fdHook, fdMean, runs));
        }
        Measure.Result measured = measure(modelDir, data, out);
        AtomicFiles.writeString(out.resolve(RESULT_FILE), Json.write(Json.object("data", data.source(), "base_model",
                modelDir.toAbsolutePath().toString(), "seeds", seeds, "hook", hook, "base_alignment", baseAlignment,
                "methods", results, "config", base)));
        Path report = out.resolve(REPORT_FILE);
        report(data, baseAlignment, results, logs, hook, measured).write(report);
        return new Result(report, baseAlignment, results, measured == null ? List.of() : measured.models());
    }

    /** The model's alignment %, judged once and kept in {@code file} (so a continued comparison reuses it). */
    private double judged(Path modelDir, Path file, AlignData data) {
        if (!Files.exists(file)) {
            AtomicFiles.writeString(file, Json.write(eval.run(modelDir, null, data, base, NonFinite.REFUSE)));
        }
        return Json.read(file).path("alignment").asDouble(Double.NaN);
    }

    /** Base and each method's seed-0 model measured on the same texts; null when measureTexts is 0. */
    private Measure.Result measure(Path modelDir, AlignData data, Path out) {
        if (measureTexts == 0) {
            return null;
        }
        TextSource texts;
        if (data.prompts().stream().anyMatch(p -> p.task() != null)) {
            texts = TextSource.conceptWorld(measureTexts, base.seed() + 1000, 1);
        } else {
            Path file = out.resolve("measure_texts.txt");
            AtomicFiles.writeString(file, String.join("\n", data.eval().stream().limit(measureTexts)
                    .map(p -> (p.prompt() + p.chosen()).replace('\n', ' ')).toList()) + "\n");
            texts = TextSource.file(file, null, measureTexts);
        }
        List<Path> dirs = new ArrayList<>(List.of(modelDir));
        for (AlignConfig.Method m : methods) {
            dirs.add(out.resolve(RUNS_DIR).resolve(m.id()).resolve("seed0").resolve(AlignTrainer.FINAL_DIR));
        }
        return Measure.run(dirs, texts, MeasureConfig.DEFAULT, out.resolve(MEASURE_DIR), true, NonFinite.REFUSE, true);
    }

    private static int layerOf(String hook) {
        return HookPoint.layer(hook).orElseThrow();
    }

    static List<JsonNode> readLog(Path file) {
        try {
            List<JsonNode> lines = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                lines.add(Json.MAPPER.readTree(l));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** mean ± sample std, as "71.5 ± 2.1" (just the mean for one seed). */
    public static String meanStd(List<Double> v, double scale, String format) {
        double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (v.size() < 2) {
            return String.format(Locale.ROOT, format, scale * mean);
        }
        return String.format(Locale.ROOT, format + " ± " + format, scale * mean, scale * std(v));
    }

    public static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (n − 1 in the denominator); NaN for fewer than two values. */
    public static double std(List<Double> v) {
        double mean = mean(v);
        double ss = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
        return v.size() < 2 ? Double.NaN : Math.sqrt(ss / (v.size() - 1));
    }

    /** Per step, the mean over seeds of a log field present at that step. */
    static double[][] curve(List<JsonNode> lines, java.util.function.Function<JsonNode, JsonNode> field) {
        Map<Integer, double[]> byStep = new TreeMap<>(); // step -> [sum, count]
        for (JsonNode l : lines) {
            JsonNode v = field.apply(l);
            if (v != null && v.isNumber()) {
                double[] a = byStep.computeIfAbsent(l.path("step").asInt(), k -> new double[2]);
                a[0] += v.asDouble();
                a[1]++;
            }
        }
        double[][] xy = new double[2][byStep.size()];
        int i = 0;
        for (Map.Entry<Integer, double[]> e : byStep.entrySet()) {
            xy[0][i] = e.getKey();
            xy[1][i++] = e.getValue()[0] / e.getValue()[1];
        }
        return xy;
    }

    private HtmlReport report(AlignData data, double baseAlignment, List<MethodResult> results,
            Map<String, List<JsonNode>> logs, String hook, Measure.Result measured) {
        int layer = layerOf(hook);
        HtmlReport.Builder r = HtmlReport.builder("mono4j align compare")
                .subtitle("Preference alignment methods on " + data.source() + ", " + seeds + " seed(s) each")
                .runInfo("train pairs", data.train().size()).runInfo("held-out pairs", data.eval().size())
                .runInfo("judged prompts", data.prompts().size()).runInfo("hook", hook)
                .runInfo("lr", base.lr()).runInfo("beta", base.beta());
        List<List<?>> rows = new ArrayList<>();
        rows.add(List.of("base", "", fmtPct(baseAlignment), "", "", "", ""));
        BarChart.Builder bars = BarChart.builder("Alignment % after training (mean over seeds)").yLabel("YES rate %")
                .referenceLine(100 * baseAlignment, "base");
        List<String> names = new ArrayList<>();
        double[] alignMeans = new double[results.size()];
        for (int i = 0; i < results.size(); i++) {
            MethodResult m = results.get(i);
            names.add(m.method());
            alignMeans[i] = 100 * mean(m.alignment());
            rows.add(List.of(m.method(), m.lambda() == 0 ? "" : m.lambda(), meanStd(m.alignment(), 100, "%.1f"),
                    meanStd(m.rewardAccuracy(), 100, "%.1f"), meanStd(m.rewardMargin(), 1, "%.3f"),
                    meanStd(m.fdAtHook(), 1, "%.4f"), meanStd(m.fdMeanOverLayers(), 1, "%.4f")));
        }
        bars.categories(names).series("alignment %", alignMeans);
        r.section("Results")
                .paragraph("Alignment % is the share of held-out prompts whose sampled continuation the ConceptWorld judge"
                        + " accepts (the paper's Table 2 metric; for user data without a judge it is empty). Reward"
                        + " accuracy and margin use DPO's implicit reward β(log π − log π_ref) on held-out pairs for every"
                        + " method. FD = 1 − mean cosine of last-token activations of held-out prompt + chosen texts, at the"
                        + " regularized hook's layer and averaged over layers (higher = more decorrelated). Mean ± sample"
                        + " standard deviation over seeds.")
                .table(List.of("method", "λ", "alignment %", "reward accuracy %", "reward margin", "FD at layer " + layer,
                        "FD mean over layers"), rows)
                .chart(bars.build());
        LineChart.Builder margins = LineChart.builder("Reward margin while training (Figure 6)").xLabel("step")
                .yLabel("mean r(chosen) − r(rejected)");
        LineChart.Builder fdCurves = LineChart.builder("FD at layer " + layer + " while training (Figure 4)").xLabel("step")
                .yLabel("FD on held-out texts");
        LineChart.Builder fdLayers = LineChart.builder("FD by layer after training").xLabel("layer").yLabel("FD");
        for (Map.Entry<String, List<JsonNode>> e : logs.entrySet()) {
            double[][] m = curve(e.getValue(), l -> l.get("reward_margin"));
            margins.series(e.getKey(), m[0], m[1]);
            double[][] f = curve(e.getValue(), l -> l.path("fd_layers").get(layer));
            fdCurves.series(e.getKey(), f[0], f[1]);
            int last = e.getValue().stream().mapToInt(l -> l.path("step").asInt()).max().orElse(0);
            List<JsonNode> ends = e.getValue().stream().filter(l -> l.path("step").asInt() == last).toList(); // one per seed
            int layers = ends.get(0).path("fd_layers").size();
            double[] x = new double[layers];
            double[] y = new double[layers];
            for (int k = 0; k < layers; k++) {
                x[k] = k;
                for (JsonNode end : ends) {
                    y[k] += end.path("fd_layers").path(k).asDouble() / ends.size();
                }
            }
            fdLayers.series(e.getKey(), x, y);
        }
        r.section("Training curves").chart(margins.build()).chart(fdCurves.build()).chart(fdLayers.build());
        if (measured != null) {
            r.section("Monosemanticity before and after")
                    .paragraph("The base model and each method's seed-0 model measured with `measure` on the same texts;"
                            + " the full report with every metric and chart is " + MEASURE_DIR + "/report.html.");
            List<List<?>> mrows = new ArrayList<>();
            for (Measurement.ModelResult m : measured.models()) {
                mrows.add(List.of(m.name(), MeasureReport.fmt(MeasureReport.meanOverLayers(m, HookResult::featureDecorrelation)),
                        MeasureReport.fmt(MeasureReport.meanOverLayers(m, h -> h.neuronCorrelation().meanAbsCorrelation()))));
            }
            MeasureReport.addCharts(r, measured.models());
            r.table(List.of("model", "FD (mean over layers)", "mean |corr| (mean over layers)"), mrows);
        }
        return r.build();
    }

    public static String fmtPct(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.1f", 100 * v);
    }
}
