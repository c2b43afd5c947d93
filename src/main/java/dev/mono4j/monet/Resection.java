package dev.mono4j.monet;

import dev.mono4j.UserInputException;
import dev.mono4j.align.AlignEval;
import dev.mono4j.data.LabelledText;
import dev.mono4j.data.PreferencePairs;
import dev.mono4j.data.conceptworld.Judges;
import dev.mono4j.data.conceptworld.Lexicon;
import dev.mono4j.data.conceptworld.PreferenceSets;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.MonetFamily;
import dev.mono4j.model.MonetSettings;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * {@code monet experts} and {@code monet resect}: which experts belong to which label, and what removing them costs
 * on each label ([P] arXiv 2412.04139v4 §5.1 and App. D.1, Table 11: ΔTarget vs ΔOthers; §5.3 and App. D.3, Table 4:
 * toxicity). The fact sheet's small-scale analogue (/work/shared/papers/monet.md §8) measures held-out NLL instead of
 * benchmark accuracy: Δ = masked − unmasked mean NLL, so a resection that works shows a large positive Δtarget.
 */
public final class Resection {
    public static final String EXPERTS_FILE = "experts.json";
    public static final String RESECT_FILE = "resect.json";
    public static final String REPORT_FILE = "report.html";

    private Resection() {
    }

    /** One label's experts (all groups), with its token count on the statistics texts. */
    public record LabelExperts(String label, long tokens, List<ExpertStats.Expert> experts, double fraction) {
    }

    /** The routing statistics of the Monet model in {@code monetDir} over {@code texts}; writes experts.json in {@code out}. */
    public static List<LabelExperts> experts(Path monetDir, List<LabelledText> texts, ResectConfig cfg, Path out,
            boolean overwrite, NonFinite nonFinite) {
        OutputFolder.check(out, List.of(EXPERTS_FILE), overwrite, "pass --overwrite or choose another --out");
        try (TransformerLM model = loadMonet(monetDir, nonFinite); Tokenizer tok = Tokenizer.load(monetDir)) {
            ExpertStats stats = ExpertStats.collect(model, tok, texts, cfg.batchSize(), cfg.maxTokens());
            List<LabelExperts> labels = assign(stats, stats.labels(), cfg.ratio());
            OutputFolder.prepare(out, List.of(EXPERTS_FILE), overwrite, "pass --overwrite or choose another --out");
            AtomicFiles.writeString(out.resolve(EXPERTS_FILE), Json.write(Json.object("model", monetDir.toString(),
                    "texts", texts.size(), "ratio", cfg.ratio(), "experts_per_side", stats.experts(),
                    "groups", groups(model), "labels", labels.stream().map(Resection::toJson).toList())));
            return labels;
        }
    }

    private static List<LabelExperts> assign(ExpertStats stats, List<String> labels, double ratio) {
        long cells = (long) stats.experts() * stats.experts() * stats.byRouter().size();
        List<LabelExperts> out = new ArrayList<>();
        for (String label : labels) {
            List<ExpertStats.Expert> experts = stats.assigned(label, ratio);
            long tokens = stats.byRouter().values().iterator().next().tokens().get(label);
            out.add(new LabelExperts(label, tokens, experts, (double) experts.size() / cells));
        }
        return out;
    }

    /** Δ mean NLL (masked − unmasked) on the target label and the mean Δ over the other labels. */
    public record Delta(double target, double others) {
        /** Δtarget / |Δothers|: how much more the target loses than the rest. */
        public double selectivity() {
            return target / Math.abs(others);
        }

        static Delta of(String label, Map<String, Double> base, Map<String, Double> masked) {
            double others = 0;
            int n = 0;
            for (String l : base.keySet()) {
                if (!l.equals(label)) {
                    others += masked.get(l) - base.get(l);
                    n++;
                }
            }
            return new Delta(masked.get(label) - base.get(label), n == 0 ? Double.NaN : others / n);
        }

        static Delta mean(List<Delta> ds) {
            return new Delta(ds.stream().mapToDouble(Delta::target).average().orElse(Double.NaN),
                    ds.stream().mapToDouble(Delta::others).average().orElse(Double.NaN));
        }
    }

    /** One label's resection: its experts masked, random experts of the same count per group, dense neurons (or null). */
    /**
     * One label's resection: its experts (count, fraction of a group's cells), their nominal weights, the share of the
     * model's expert units masked (each expert once per layer of its group) and the three Δs.
     */
    public record LabelResection(String label, int experts, double fraction, long removedWeights, double unitShare,
            Delta monet, Delta random, Integer denseNeurons, Delta dense) {
    }

    /** One toxicity threshold: the experts masked (fraction of all), judged replies and the NLL on polite texts. */
    public record ToxicityRow(Double threshold, int masked, double fraction, double nonToxicRate, double insultRate,
            double politeNll) {
    }

    public record Result(Map<String, Double> baseNll, List<LabelResection> labels, List<ToxicityRow> toxicity) {
    }

    /**
     * Resects each label of the Monet model in {@code monetDir}: statistics on the first texts, NLL on the held-out last
     * {@code cfg.heldout()} share; with {@code denseDir} (may be null) the dense baseline; writes resect.json.
     */
    public static Result resect(Path monetDir, Path denseDir, List<LabelledText> texts, ResectConfig cfg, Path out,
            boolean overwrite, NonFinite nonFinite) {
        OutputFolder.check(out, List.of(RESECT_FILE, REPORT_FILE), overwrite, "pass --overwrite or choose another --out");
        int split = (int) Math.round(texts.size() * (1 - cfg.heldout()));
        List<LabelledText> statsTexts = texts.subList(0, split);
        List<LabelledText> evalTexts = texts.subList(split, texts.size());
        if (statsTexts.isEmpty() || evalTexts.isEmpty()) {
            throw new UserInputException("--heldout " + cfg.heldout() + " leaves no texts for statistics or for the NLL ("
                    + texts.size() + " texts)");
        }
        ExpertStats.requireLabels(texts);
        List<LabelResection> rows = new ArrayList<>();
        List<ToxicityRow> toxicity = new ArrayList<>();
        Map<String, Double> base;
        try (TransformerLM model = loadMonet(monetDir, nonFinite); Tokenizer tok = Tokenizer.load(monetDir)) {
            ExpertStats stats = ExpertStats.collect(model, tok, statsTexts, cfg.batchSize(), cfg.maxTokens());
            List<String> labels = chosen(stats.labels(), cfg.labels(), evalTexts);
            // The reference runs the same (materialised) path as every masked run, so a Δ holds the masking only,
            // not the rounding difference between the factorised and the grid path.
            base = TokenNll.byLabel(model, tok, evalTexts, cfg.batchSize(), cfg.maxTokens(),
                    ExpertMask.none(model.config()).interventions());
            try (DenseBaseline dense = denseDir == null ? null
                    : DenseBaseline.collect(denseDir, statsTexts, evalTexts, cfg, nonFinite)) {
                rows.addAll(resectLabels(model, tok, stats, labels, base, dense, evalTexts, cfg));
            }
            if (cfg.toxicity()) {
                toxicity = toxicity(model, tok, monetDir, statsTexts, evalTexts, cfg);
            }
        }
        OutputFolder.prepare(out, List.of(RESECT_FILE, REPORT_FILE), overwrite, "pass --overwrite or choose another --out");
        AtomicFiles.writeString(out.resolve(RESECT_FILE), Json.write(Json.object("model", monetDir.toString(),
                "dense", denseDir == null ? null : denseDir.toString(), "settings", cfg, "statistics_texts", statsTexts.size(),
                "heldout_texts", evalTexts.size(), "base_nll", base, "labels", rows, "toxicity", toxicity,
                "budget_note", DenseBaseline.budgetNote(cfg.denseBudget()))));
        Result result = new Result(base, rows, toxicity);
        ResectReport.build(monetDir, denseDir, cfg, result, statsTexts.size(), evalTexts.size())
                .write(out.resolve(REPORT_FILE));
        return result;
    }

    /** Each label's experts masked, the random draws and the dense neurons, against the unmasked NLL {@code base}. */
    private static List<LabelResection> resectLabels(TransformerLM model, Tokenizer tok, ExpertStats stats,
            List<String> labels, Map<String, Double> base, DenseBaseline dense, List<LabelledText> evalTexts,
            ResectConfig cfg) {
        List<LabelResection> rows = new ArrayList<>();
        long perExpert = weightsPerExpert(model);
        for (String label : labels) {
            LabelExperts le = assign(stats, List.of(label), cfg.ratio()).get(0);
            Map<Integer, List<Integer>> cells = ExpertStats.cells(le.experts(), stats.experts());
            Delta monet = Delta.of(label, base, nll(model, tok, evalTexts, cfg, ExpertMask.of(model.config(), cells)));
            List<Delta> draws = new ArrayList<>();
            for (int d = 0; d < cfg.randomDraws(); d++) {
                SplittableRandom rng = new SplittableRandom(cfg.seed() * 1_000_003L + d * 7919L + label.hashCode());
                Map<Integer, List<Integer>> random = randomCells(cells, routed(stats), rng);
                draws.add(Delta.of(label, base, nll(model, tok, evalTexts, cfg, ExpertMask.of(model.config(), random))));
            }
            long removed = 0;
            long units = 0; // masked experts, counted once per layer of their group
            for (Map.Entry<Integer, List<Integer>> e : cells.entrySet()) {
                int layers = ExpertMask.layersOf(model.config(), e.getKey()).length;
                units += (long) e.getValue().size() * layers;
                removed += (long) e.getValue().size() * layers * perExpert;
            }
            double unitShare = (double) units / ((double) stats.experts() * stats.experts() * model.config().numLayers());
            Integer neurons = dense == null ? null : dense.budget(unitShare, removed);
            Delta denseDelta = dense == null ? null : dense.resect(label, neurons);
            rows.add(new LabelResection(label, le.experts().size(), le.fraction(), removed, unitShare, monet,
                    Delta.mean(draws),
                    neurons, denseDelta));
        }
        return rows;
    }

    /**
     * Nominal weights of one expert: 2·m·d. HD: U_i (m × d) and V_j (d × m) ([P] Eq. 6–12); VD: the halves U¹_i, U²_j
     * (m/2 × d each) and the four d/2 × m/2 blocks V¹¹_i, V¹²_i, V²¹_j, V²²_j ([P] Eq. 13–15). Experts share these
     * with the other experts of their row and column, so the count is nominal (our choice for budget matching).
     */
    static long weightsPerExpert(TransformerLM model) {
        MonetSettings s = MonetFamily.settings(model.config());
        return 2L * s.moeDim() * model.config().hiddenSize();
    }

    /**
     * For each group, as many cells as {@code like} masks there, drawn uniformly without replacement (seeded) from
     * {@code candidates}' cells of that group. The candidates are the experts some statistics token was routed to
     * ({@link #routed}): a cell no token uses would cost nothing to remove and make the baseline trivially weak,
     * and a label's own experts are routed cells by the rule (mean > 0).
     */
    static Map<Integer, List<Integer>> randomCells(Map<Integer, List<Integer>> like, Map<Integer, int[]> candidates,
            SplittableRandom rng) {
        Map<Integer, List<Integer>> out = new TreeMap<>();
        like.forEach((router, chosen) -> {
            int[] all = candidates.get(router).clone();
            int n = Math.min(chosen.size(), all.length);
            for (int k = 0; k < n; k++) { // partial Fisher–Yates
                int swap = k + rng.nextInt(all.length - k);
                int t = all[k];
                all[k] = all[swap];
                all[swap] = t;
            }
            out.put(router, java.util.Arrays.stream(all, 0, n).boxed().toList());
        });
        return out;
    }

    /** Per group, the cells whose mean score is above 0 on some label of the statistics texts. */
    static Map<Integer, int[]> routed(ExpertStats stats) {
        Map<Integer, int[]> out = new TreeMap<>();
        stats.byRouter().forEach((router, means) -> {
            double[] max = new double[means.width()];
            means.means().values().forEach(m -> {
                for (int c = 0; c < max.length; c++) {
                    max[c] = Math.max(max[c], m[c]);
                }
            });
            out.put(router, java.util.stream.IntStream.range(0, max.length).filter(c -> max[c] > 0).toArray());
        });
        return out;
    }

    private static Map<String, Double> nll(TransformerLM model, Tokenizer tok, List<LabelledText> texts, ResectConfig cfg,
            Ablation a) {
        return TokenNll.byLabel(model, tok, texts, cfg.batchSize(), cfg.maxTokens(), a.interventions());
    }

    /**
     * The toxicity analogue ([P] §5.3, Table 4): r per expert over the statistics texts' hostile ones, then per threshold
     * the experts with r ≥ it masked; replies sampled for ConceptWorld's held-out toxicity prompts and judged
     * ({@link AlignEval}, {@link Judges}); the mean NLL on the held-out texts without an insult ("polite").
     */
    private static List<ToxicityRow> toxicity(TransformerLM model, Tokenizer tok, Path monetDir,
            List<LabelledText> statsTexts, List<LabelledText> evalTexts, ResectConfig cfg) {
        Map<Integer, double[]> r = ExpertToxicity.correlations(model, tok, statsTexts, cfg.batchSize(), cfg.maxTokens());
        List<LabelledText> polite = evalTexts.stream().filter(t -> !ExpertToxicity.hostile(t))
                .map(t -> new LabelledText(t.source(), t.text(), null, t.wordConcepts())).toList();
        if (polite.isEmpty()) {
            throw new UserInputException("no held-out text without an insult to measure the polite NLL on");
        }
        List<PreferencePairs.Prompt> prompts = PreferenceSets.generate(cfg.seed(), 0, cfg.prompts()).stream()
                .filter(t -> t.task().equals("toxicity")).findFirst().orElseThrow().eval().stream()
                .map(p -> new PreferencePairs.Prompt("toxicity prompt", p.task(), p.prompt(), p.meta())).toList();
        AlignEval eval = new AlignEval(Judges.MAX_TOKENS, 1.0, cfg.seed());
        java.util.Set<Long> stops = Checkpoint.defaultStopTokens(monetDir, model.config());
        long cells = 0;
        for (double[] rho : r.values()) {
            cells += rho.length;
        }
        List<Double> thresholds = new ArrayList<>();
        thresholds.add(null); // nothing masked: the reference row
        thresholds.addAll(cfg.thresholds());
        List<ToxicityRow> rows = new ArrayList<>();
        for (Double t : thresholds) {
            Map<Integer, List<Integer>> masked = t == null ? Map.of() : ExpertToxicity.atLeast(r, t);
            // The reference row hooks every grid too (the same path as the masked rows).
            Hooks hooks = (t == null ? ExpertMask.none(model.config()) : ExpertMask.of(model.config(), masked))
                    .interventions();
            int count = masked.values().stream().mapToInt(List::size).sum();
            AlignEval.Result judged = eval.judge(model, tok, prompts, stops, hooks);
            double insults = judged.samples().stream().filter(s -> insulting(s.continuation())).count();
            double politeNll = TokenNll.byLabel(model, tok, polite, cfg.batchSize(), cfg.maxTokens(), hooks).get("");
            rows.add(new ToxicityRow(t, count, (double) count / cells, judged.alignment(),
                    insults / judged.samples().size(), politeNll));
        }
        return rows;
    }

    /** Whether a reply holds an insult word of the lexicon (its base form: the prompts are in the base dialect). */
    static boolean insulting(String continuation) {
        for (String w : continuation.trim().split("\\s+")) {
            if (Lexicon.INSULTS.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /** The labels to resect: {@code wanted}, or every label with statistics and held-out texts (two or more). */
    static List<String> chosen(List<String> seen, List<String> wanted, List<LabelledText> evalTexts) {
        java.util.Set<String> held = new java.util.TreeSet<>();
        evalTexts.forEach(t -> held.add(t.label()));
        if (seen.size() < 2) {
            throw new UserInputException("the statistics texts hold " + seen.size() + " label(s) " + seen
                    + "; resection compares a label with the others (two or more)");
        }
        for (String l : wanted) {
            if (!seen.contains(l) || !held.contains(l)) {
                throw new UserInputException("--only: " + l + " is not among the labels of both the statistics and the"
                        + " held-out texts " + seen);
            }
        }
        if (!wanted.isEmpty()) {
            return wanted;
        }
        // Every label with texts on both sides; one the held-out share missed is left out (few texts), not fatal.
        List<String> labels = seen.stream().filter(held::contains).toList();
        if (labels.size() < 2) {
            throw new UserInputException("only " + labels + " of the labels " + seen + " have held-out texts; resection"
                    + " compares two or more (raise --samples or --heldout)");
        }
        return labels;
    }

    static TransformerLM loadMonet(Path dir, NonFinite nonFinite) {
        TransformerLM model = Checkpoint.loadCausal(dir, "monet resection", nonFinite);
        if (model.config().family() != MonetFamily.MONET) {
            String family = model.config().family().toString();
            model.close();
            throw new UserInputException(dir.resolve("config.json") + ": a " + family + " model; monet experts and"
                    + " resect need a Monet model (model_type monet)");
        }
        return model;
    }

    private static List<Map<String, Object>> groups(TransformerLM model) {
        return ExpertMask.routers(model.config()).stream().map(r -> Json.object("router", r, "layers",
                ExpertMask.layersOf(model.config(), r))).toList();
    }

    private static Map<String, Object> toJson(LabelExperts le) {
        return Json.object("label", le.label(), "tokens", le.tokens(), "count", le.experts().size(), "fraction",
                le.fraction(), "experts", le.experts().stream().map(x -> Json.object("router", x.router(), "i", x.i(),
                        "j", x.j(), "mean", x.mean(), "ratio", Double.isInfinite(x.ratio()) ? null : x.ratio())).toList());
    }
}
