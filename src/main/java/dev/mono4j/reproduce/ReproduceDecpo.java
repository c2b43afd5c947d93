package dev.mono4j.reproduce;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.align.AlignCompare;
import dev.mono4j.align.AlignConfig;
import dev.mono4j.align.AlignData;
import dev.mono4j.align.AlignTrainer;
import dev.mono4j.align.DecorrelationLoss;
import dev.mono4j.data.conceptworld.ConceptWorldWriter;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.metrics.WeightProxy;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.Transformer;
import dev.mono4j.train.PretrainConfig;
import dev.mono4j.train.Pretrainer;
import dev.mono4j.train.RunFolder;
import dev.mono4j.train.RunListener;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./mono4j reproduce decpo}: trains what the DecPO paper's figures and Table 2 need on ConceptWorld and writes
 * {@value #REPORT_FILE}, {@value #RESULTS_FILE} (every number) and {@value #VERDICTS_FILE} (one line per claim).
 *
 * <p>Each sub-run has its own folder and is skipped when finished, resumed when it has a checkpoint:
 * {@code data/}, {@code pretrain/ARCH-PRESET/}, {@code align/ARCH-PRESET/TASK/ROW/} (an {@link AlignCompare}, which
 * keeps its own runs/METHOD/seedS), {@code align/llama-PRESET/fig7/layerL/}.
 */
public final class ReproduceDecpo {
    public static final String REPORT_FILE = "report.html";
    public static final String RESULTS_FILE = "results.json";
    public static final String VERDICTS_FILE = "verdicts.md";
    static final List<String> OUTPUTS = List.of("data", "pretrain", "align", REPORT_FILE, RESULTS_FILE, VERDICTS_FILE);
    private static final java.util.Comparator<JsonNode> SAME_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? Double.compare(a.doubleValue(), b.doubleValue()) : a.equals(b) ? 0 : 1;
    /** AlignCompare's judgement of the base model, shared by every comparison of one preset and task. */
    private static final String BASE_EVAL = "base_eval.json";

    private ReproduceDecpo() {
    }

    /** A Table 2 row: a method, or DecPO with one regularizer form. */
    public record Row(String name, AlignConfig.Method method, DecorrelationLoss.Mode mode) {
        static Row of(AlignConfig.Method m) {
            return new Row(m.id(), m, null);
        }

        static Row decpo(DecorrelationLoss.Mode mode) {
            return new Row("decpo-" + mode.name().toLowerCase(Locale.ROOT).replace('_', '-'), AlignConfig.Method.DECPO, mode);
        }
    }

    /** One preset × task: the base's alignment and each row's per-seed results and run folders. */
    public record TaskResult(double baseAlignment, Map<String, AlignCompare.MethodResult> rows, Map<String, Path> runsDirs) {
        Path run(String row, int seed) {
            return runsDirs.get(row).resolve(AlignCompare.RUNS_DIR).resolve(rows.get(row).method()).resolve("seed" + seed);
        }
    }

    public record Result(Path report, Path results, Path verdicts, List<Claim> claims) {
    }

    public static Result run(ReproduceDecpoConfig cfg, Path out, boolean overwrite, PrintStream progress) {
        long t0 = System.nanoTime();
        OutputFolder.check(out, OUTPUTS, true, "");
        if (overwrite) {
            OutputFolder.prepare(out, OUTPUTS, true, "");
        }
        Path data = out.resolve("data");
        if (!Files.exists(data.resolve("stats.json"))) {
            progress.println("generating ConceptWorld (" + cfg.docs() + " stories) in " + data);
            ConceptWorldWriter.write(cfg.data(), data);
        }
        List<Row> rows = new ArrayList<>(cfg.methods().stream().map(Row::of).toList());
        cfg.decorrModes().forEach(m -> rows.add(Row.decpo(m)));
        Row decpo = Row.decpo(cfg.decorrModes().contains(AlignConfig.DEFAULT_DECORR_MODE) ? AlignConfig.DEFAULT_DECORR_MODE
                : cfg.decorrModes().get(0));
        String firstTask = cfg.tasks().get(0);
        Map<String, Double> seconds = new LinkedHashMap<>();

        List<Object> presets = new ArrayList<>();
        Map<String, Map<String, TaskResult>> table = new LinkedHashMap<>();
        Map<String, PresetFigures> figures = new LinkedHashMap<>();
        for (int i = 0; i < cfg.presets().size(); i++) {
            String preset = cfg.presets().get(i);
            long ts = System.nanoTime();
            Path model = pretrained(cfg, ReproduceDecpoConfig.ARCH, i, data, out, progress);
            Map<String, TaskResult> tasks = new LinkedHashMap<>();
            for (String task : cfg.tasks()) {
                tasks.put(task, aligned(cfg, model, rows, task, out.resolve("align").resolve(dirName(ReproduceDecpoConfig.ARCH,
                        preset)).resolve(task), progress));
            }
            table.put(preset, tasks);
            Map<Integer, AlignCompare.MethodResult> fig7 = fig7(cfg, model, firstTask, out.resolve("align")
                    .resolve(dirName(ReproduceDecpoConfig.ARCH, preset)).resolve("fig7"), progress);
            Path gpt2 = pretrained(cfg, ReproduceDecpoConfig.WEIGHT_PROXY_ARCH, i, data, out, progress);
            TaskResult gpt2Dpo = aligned(cfg, gpt2, List.of(Row.of(AlignConfig.Method.DPO)), firstTask, out.resolve("align")
                    .resolve(dirName(ReproduceDecpoConfig.WEIGHT_PROXY_ARCH, preset)).resolve(firstTask), progress);
            progress.println("measuring preset " + preset + " (weight proxy, FD and variance by layer)");
            figures.put(preset, PresetFigures.measure(cfg, model, tasks.get(firstTask), decpo.name(), gpt2, gpt2Dpo, fig7,
                    AlignData.fromTask(firstTask, cfg.seed(), cfg.alignBase().evalShare())));
            seconds.put(preset, (System.nanoTime() - ts) / 1e9);
        }
        List<Claim> claims = DecpoClaims.all(cfg, table, figures, decpo.name());
        seconds.put("total", (System.nanoTime() - t0) / 1e9);

        Path results = out.resolve(RESULTS_FILE);
        AtomicFiles.writeString(results, Json.write(Json.object("config", cfg, "rows", rows.stream().map(Row::name).toList(),
                "decpo_row", decpo.name(), "table2", tableJson(table), "figures", figures, "claims", claims,
                "paper_table2", DecpoClaims.PAPER_TABLE2, "wall_seconds", seconds)));
        Path verdicts = out.resolve(VERDICTS_FILE);
        AtomicFiles.writeString(verdicts, DecpoClaims.markdown(cfg, claims, seconds.get("total")));
        Path report = out.resolve(REPORT_FILE);
        DecpoReport.build(cfg, rows, decpo.name(), table, figures, claims, seconds.get("total")).write(report);
        return new Result(report, results, verdicts, claims);
    }

    static String dirName(String arch, String preset) {
        return arch + "-" + preset;
    }

    /**
     * The preset's final model in {@code arch}: trained, resumed or kept. A kept or resumed run must have been
     * started with the config this one asks for; otherwise its folder is refused (it belongs to another run).
     */
    private static Path pretrained(ReproduceDecpoConfig cfg, String arch, int i, Path data, Path out, PrintStream progress) {
        Path dir = out.resolve("pretrain").resolve(dirName(arch, cfg.presets().get(i)));
        PretrainConfig wanted = cfg.pretrain(arch, i);
        Path summary = dir.resolve(RunFolder.SUMMARY);
        Path state = dir.resolve(RunFolder.CHECKPOINT).resolve(RunFolder.STATE);
        if (Files.exists(summary) || Files.isRegularFile(state)) {
            checkSameConfig(Files.exists(summary) ? summary : state, wanted);
        }
        if (!Files.exists(summary)) {
            progress.println("pretraining " + dir.getFileName() + " for " + cfg.pretrainSteps().get(i) + " steps");
            if (Files.isRegularFile(state)) {
                Pretrainer.resume(dir, RunListener.console());
            } else {
                Pretrainer.run(wanted, data.resolve("train.txt"), data.resolve("valid.txt"),
                        data.resolve("tokenizer.json"), dir, true, RunListener.console());
            }
        }
        return dir.resolve(RunFolder.FINAL);
    }

    /**
     * Refuses a run folder whose saved config ({@code config} in {@code file}) differs from {@code wanted} in any
     * field it records, naming the first; fields a folder of an older release lacks are not compared.
     */
    static void checkSameConfig(Path file, Object wanted) {
        // Numbers compare by value: a long saved is read back as an int node.
        JsonNode saved = Json.read(file).path("config");
        JsonNode want = Json.MAPPER.valueToTree(wanted);
        for (java.util.Iterator<String> it = saved.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (want.has(field) && !want.get(field).equals(SAME_VALUE, saved.get(field))) {
                throw new UserInputException(file + ": this run was made with " + field + " = " + saved.get(field)
                        + ", not " + want.get(field) + " as asked now; pass --overwrite, or another --out");
            }
        }
    }

    /** Every row trained from {@code model} on {@code task}, one {@link AlignCompare} folder per row. */
    private static TaskResult aligned(ReproduceDecpoConfig cfg, Path model, List<Row> rows, String task, Path dir,
            PrintStream progress) {
        Map<String, AlignCompare.MethodResult> results = new LinkedHashMap<>();
        Map<String, Path> dirs = new LinkedHashMap<>();
        double base = Double.NaN;
        for (Row row : rows) {
            AlignConfig.Builder b = cfg.alignBase().toBuilder();
            if (row.mode() != null) {
                b.decorrMode(row.mode());
            }
            Path d = dir.resolve(row.name());
            progress.println("aligning " + dir.getParent().getFileName() + " on " + task + ": " + row.name() + ", "
                    + cfg.seeds() + " seed(s) of " + cfg.alignSteps() + " steps");
            AlignCompare.Result r = compare(cfg, List.of(row.method()), b.build(), model, task, d, dir);
            results.put(row.name(), r.methods().get(0));
            dirs.put(row.name(), d);
            base = r.baseAlignment();
        }
        return new TaskResult(base, results, dirs);
    }

    /** DecPO (default mode) regularizing each of Figure 7's blocks, on the first task. */
    private static Map<Integer, AlignCompare.MethodResult> fig7(ReproduceDecpoConfig cfg, Path model, String task, Path dir,
            PrintStream progress) {
        Map<Integer, AlignCompare.MethodResult> out = new LinkedHashMap<>();
        int layers = Checkpoint.inspect(model).config().numLayers();
        for (int layer : cfg.fig7LayersFor(layers)) {
            String hook = Checkpoint.inspect(model).config().family().mlpActivationHook(layer);
            progress.println("Figure 7: DecPO at block " + layer + " (" + hook + "), " + cfg.seeds() + " seed(s)");
            AlignConfig base = cfg.alignBase().toBuilder().hook(hook).build();
            out.put(layer, compare(cfg, List.of(AlignConfig.Method.DECPO), base, model, task, dir.resolve("layer" + layer),
                    dir.getParent().resolve(task)).methods().get(0));
        }
        return out;
    }

    /**
     * One AlignCompare in {@code dir}; the base model's judgement is shared through {@code shared}/base_eval.json
     * (the first comparison of a preset and task writes it), so the base is judged once.
     */
    private static AlignCompare.Result compare(ReproduceDecpoConfig cfg, List<AlignConfig.Method> methods, AlignConfig base,
            Path model, String task, Path dir, Path shared) {
        try {
            Files.createDirectories(dir);
            Path own = dir.resolve(BASE_EVAL);
            Path sharedEval = shared.resolve(BASE_EVAL);
            if (!Files.exists(own) && Files.exists(sharedEval)) {
                Files.copy(sharedEval, own);
            }
            AlignCompare.Result r = new AlignCompare(methods, cfg.seeds(), base, null, cfg.eval(), 0)
                    .run(model, AlignData.Source.task(task, cfg.seed()), dir, false);
            if (!Files.exists(sharedEval)) {
                Files.createDirectories(shared);
                AtomicFiles.writeString(sharedEval, Files.readString(own));
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot share the base judgement in " + shared + ": " + e.getMessage(), e);
        }
    }

    /** Table 2's numbers per preset, task and row: the per-seed lists (paths left out). */
    private static Map<String, Object> tableJson(Map<String, Map<String, TaskResult>> table) {
        Map<String, Object> out = new LinkedHashMap<>();
        table.forEach((preset, tasks) -> {
            Map<String, Object> t = new LinkedHashMap<>();
            tasks.forEach((task, r) -> {
                Map<String, Object> rows = new LinkedHashMap<>();
                r.rows().forEach((name, m) -> rows.put(name, Json.object("lambda", m.lambda(), "alignment", m.alignment(),
                        "reward_accuracy", m.rewardAccuracy(), "reward_margin", m.rewardMargin(), "fd_at_hook", m.fdAtHook(),
                        "fd_mean_over_layers", m.fdMeanOverLayers())));
                t.put(task, Json.object("base_alignment", r.baseAlignment(), "rows", rows));
            });
            out.put(preset, t);
        });
        return out;
    }

    /** A run's log lines. */
    static List<JsonNode> log(Path run) {
        try {
            List<JsonNode> lines = new ArrayList<>();
            for (String l : Files.readAllLines(run.resolve(AlignTrainer.LOG_FILE))) {
                lines.add(Json.MAPPER.readTree(l));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the log of " + run + ": " + e.getMessage(), e);
        }
    }

    /** The weight proxy of the GPT-2-layout model in {@code dir}, by layer (Figure 2's score). */
    static WeightProxy.ByLayer weightProxy(Path dir) {
        try (Transformer model = Checkpoint.load(dir)) {
            return WeightProxy.byLayer(model);
        }
    }
}
