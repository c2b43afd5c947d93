package dev.mono4j.sae;

import ai.djl.ndarray.NDManager;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.train.RunListener;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Several SAE architectures trained on the same rows with the same settings, then evaluated on the same held-out
 * rows: {@value #RUNS_DIR}/NAME/ (each a {@link SaeTrainer} run folder, so {@code sae eval} and {@code sae train
 * --resume} work on it), {@value #RESULT_FILE} and {@value #REPORT_FILE} (table, sparsity–reconstruction frontier,
 * FRR and dead-latent charts; see {@link SaeCompareReport}).
 *
 * <p>Each architecture has one sparsity knob ({@link ArchitectureConfig#knob}); a sweep gives it several values, one run each, so
 * the runs of one architecture trace its frontier. Held-out rows: a synthetic model's fresh rows drawn with
 * {@code evalSeed} (another seed than training's), or an activation store's own rows (the store is what there
 * is; keep a second store for a truly held-out set).
 *
 * @param runs      what to train, from {@link #plan}
 * @param data      the training rows, the same stream for every run
 * @param evalRows  rows each SAE is evaluated on (at most the store's rows)
 * @param evalSeed  the seed of the evaluation rows: synthetic rows to draw, or the order a store is read in
 */
public record SaeCompare(List<Run> runs, SaeData data, long evalRows, long evalSeed) {
    public static final String RUNS_DIR = "runs";
    public static final String RESULT_FILE = "compare.json";
    public static final String REPORT_FILE = "report.html";
    public static final Set<String> OUTPUTS = Set.of(RUNS_DIR, RESULT_FILE, REPORT_FILE);
    /** Rows of the evaluation reader's shuffling buffer: order does not change the statistics, so keep it small. */
    private static final int EVAL_BUFFER_ROWS = 1 << 16;
    /** Rows per evaluation pass. */
    private static final int EVAL_BATCH_ROWS = 4096;

    public SaeCompare {
        runs = List.copyOf(runs);
        if (runs.isEmpty() || evalRows < 1) {
            throw new IllegalArgumentException("need at least one run and eval rows >= 1");
        }
        if (data.synthetic() != null && evalSeed == data.seed()) {
            throw new IllegalArgumentException("the eval seed equals the training seed " + evalSeed
                    + "; held-out synthetic rows need another");
        }
    }

    /**
     * The sweep knobs the registered architectures have ({@link ArchitectureConfig#knob}: k, l1, l0, htf); a name
     * that is none of them is an error listing them.
     */
    public static String knob(String name) {
        String k = name.trim().toLowerCase(Locale.ROOT);
        List<String> known = SaeArchitectures.names().stream().map(a -> SaeArchitectures.defaults(a).knob()).distinct()
                .toList();
        if (!known.contains(k)) {
            throw new IllegalArgumentException("unknown sweep knob '" + name + "' (" + String.join(", ", known) + ")");
        }
        return k;
    }

    /** One SAE to train: its folder name under {@value #RUNS_DIR}, and its config (architecture, knob set). */
    public record Run(String name, SaeConfig config) {
        public String knob() {
            return config.architecture().knob();
        }

        public double setting() {
            return config.architecture().knobValue();
        }
    }

    /**
     * One run per architecture and value of its knob: {@code sweep}'s values (by knob name, see {@link #knob})
     * where it has the knob, else its own setting. A run is named after its architecture, with
     * {@code -KNOB=VALUE} when its knob is swept.
     *
     * @param architectures each architecture to train with its settings
     * @param base          its architecture is ignored; every other field is shared by all runs
     */
    public static List<Run> plan(List<ArchitectureConfig> architectures, SaeConfig base, Map<String, List<Double>> sweep) {
        if (architectures.isEmpty()) {
            throw new IllegalArgumentException("no architectures to compare");
        }
        List<String> names = architectures.stream().map(ArchitectureConfig::architecture).toList();
        if (new HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("an architecture is listed twice: " + names);
        }
        for (Map.Entry<String, List<Double>> e : sweep.entrySet()) {
            if (architectures.stream().noneMatch(a -> a.knob().equals(e.getKey()))) {
                throw new IllegalArgumentException("sweep " + e.getKey() + ": none of " + names + " has this knob");
            }
            if (e.getValue().isEmpty() || new HashSet<>(e.getValue()).size() != e.getValue().size()) {
                throw new IllegalArgumentException("sweep " + e.getKey() + ": give distinct values, got " + e.getValue());
            }
        }
        List<Run> runs = new ArrayList<>();
        for (ArchitectureConfig a : architectures) {
            String knob = a.knob();
            for (double v : sweep.getOrDefault(knob, List.of(a.knobValue()))) {
                String name = sweep.containsKey(knob) ? a.architecture() + "-" + knob + "=" + format(v) : a.architecture();
                runs.add(new Run(name, base.withArchitecture(a.withKnob(v))));
            }
        }
        return runs;
    }

    /** A knob value as written in run names and tables: 8, 0.05, 0.0001 (no exponent, no trailing zeros). */
    public static String format(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /**
     * An SAE measured on rows: reconstruction and sparsity, and against a synthetic model's ground truth the
     * feature recovery rates FRR(0.8), FRR(0.9) and the mean best cosine (null for an activation store).
     */
    public record RowsEval(ReconstructionStats.Result reconstruction, Double frr08, Double frr09, Double meanBestCosine) {
    }

    /**
     * Evaluates {@code sae} on {@code rows} rows of {@code held} (shared with {@code sae eval}'s row evaluation):
     * a store is read once through its shuffled reader, so at most all its rows count; synthetic rows are drawn
     * with {@code held}'s seed, and the decoder is matched against the true features. {@code nonFinite}: whether a
     * store's rows with NaN or ±Inf are refused or read.
     */
    public static RowsEval evaluate(SparseAutoencoder sae, SaeData held, long rows, int batchRows, double denseThreshold,
            NonFinite nonFinite) {
        ReconstructionStats.Result rec;
        try (ActivationSource source = held.open(nonFinite)) {
            rec = SaeEvaluation.onRows(sae, source, Math.min(rows, source.epochRows()), batchRows, denseThreshold);
        }
        if (held.synthetic() == null) {
            return new RowsEval(rec, null, null, null);
        }
        FeatureRecovery.Scores s = FeatureRecovery.score(SyntheticSuperposition.load(Path.of(held.synthetic())).features(),
                sae.decoderRows(), sae.dIn());
        return new RowsEval(rec, s.frr08(), s.frr09(), s.meanBestCosine());
    }

    /** One trained and evaluated run in {@code dir}; {@code seconds} is training time. */
    public record RunResult(Run run, Path dir, int dSae, double seconds, RowsEval eval) {
        /** Its entry in compare.json; {@code dir} relative to the comparison's folder, so the folder can move. */
        public Map<String, Object> toJson() {
            ReconstructionStats.Result r = eval.reconstruction();
            Map<String, Object> j = Json.object("name", run.name(), "architecture", run.config().architecture().architecture(),
                    "knob", run.knob(), "setting", run.setting(), "dir", RUNS_DIR + "/" + run.name(), "d_sae", dSae,
                    "l0", r.l0(), "fvu", r.fvu(), "mse", r.mse(), "cosine", r.cosine(), "dead", r.deadLatents(),
                    "dense", r.denseLatents(), "density_histogram", r.densityHistogram());
            if (eval.frr08() != null) {
                j.put("frr_0.8", eval.frr08());
                j.put("frr_0.9", eval.frr09());
                j.put("mean_best_cosine", eval.meanBestCosine());
            }
            j.put("seconds", seconds);
            return j;
        }
    }

    /** What {@link #run} wrote. */
    public record Result(Path json, Path report, List<RunResult> runs) {
    }

    /** The rows every SAE is evaluated on: the training source again, with the eval seed. */
    SaeData heldOut() {
        return data.activations() != null ? SaeData.store(Path.of(data.activations()), evalSeed, EVAL_BUFFER_ROWS)
                : SaeData.synthetic(Path.of(data.synthetic()), evalSeed);
    }

    /**
     * Trains and evaluates every run in order into {@code out} (new, empty, or with {@code overwrite} an earlier
     * comparison, which is deleted first), then writes the table and report. Each run reads the training rows
     * from their start, so all architectures see the same rows.
     */
    public Result run(Path out, boolean overwrite, RunListener<? super SaeStepLog> listener) {
        OutputFolder.prepare(out, OUTPUTS, overwrite, "pass --overwrite or choose another --out");
        SaeData held = heldOut();
        List<RunResult> results = new ArrayList<>();
        for (Run r : runs) {
            Path dir = out.resolve(RUNS_DIR).resolve(r.name());
            SaeTrainer.Summary s = SaeTrainer.train(r.config(), data, dir, false, listener);
            try (NDManager m = NDManager.newBaseManager(); SparseAutoencoder sae = SparseAutoencoder.load(s.sae(), m)) {
                RowsEval e = evaluate(sae, held, evalRows, EVAL_BATCH_ROWS, r.config().denseThreshold(),
                        NonFinite.REFUSE);
                results.add(new RunResult(r, dir, s.dSae(), s.seconds(), e));
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("data", data);
        json.put("eval_rows", results.get(0).eval().reconstruction().rows());
        json.put("eval_seed", evalSeed);
        json.put("runs", results.stream().map(RunResult::toJson).toList());
        Path jsonFile = out.resolve(RESULT_FILE);
        AtomicFiles.writeString(jsonFile, Json.write(json));
        Path report = out.resolve(REPORT_FILE);
        SaeCompareReport.build(this, results).write(report);
        return new Result(jsonFile, report, results);
    }
}
