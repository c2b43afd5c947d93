package dev.mono4j.demo;

import dev.mono4j.align.AlignCompare;
import dev.mono4j.align.AlignConfig;
import dev.mono4j.align.AlignData;
import dev.mono4j.data.TextSource;
import dev.mono4j.data.TokenStream;
import dev.mono4j.data.conceptworld.ConceptWorldWriter;
import dev.mono4j.data.conceptworld.Lexicon;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.metrics.HookResult;
import dev.mono4j.metrics.MeasureConfig;
import dev.mono4j.metrics.MeasureReport;
import dev.mono4j.metrics.Measurement;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.GenerationConfig;
import dev.mono4j.model.Generator;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.report.HtmlReport;
import dev.mono4j.report.LineChart;
import dev.mono4j.stats.PairedTTest;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.train.DocumentLoss;
import dev.mono4j.train.PretrainConfig;
import dev.mono4j.train.PretrainSummary;
import dev.mono4j.train.Pretrainer;
import dev.mono4j.train.RunListener;
import dev.mono4j.train.StepLog;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The main job: generate ConceptWorld, pretrain a capacity ladder on it, sample stories, and write
 * {@code report.html} (loss curves against the exact entropy floor, a model table, samples) and
 * {@code summary.json}, with the ladder measured, aligned (DPO vs DecPO) and a GBA SAE trained on its largest model.
 */
public final class Demo {
    /** What a demo folder holds; only these are replaced by a rerun with overwrite. */
    static final Set<String> OUTPUTS = Set.of("data", "models", "align", "sae", "select", "monet", "report.html",
            "summary.json");

    private Demo() {
    }

    /**
     * One trained model of the ladder: its curve, its loss on whole validation stories (comparable with
     * the entropy floor, unlike the training windows' validation loss), and samples.
     */
    public record ModelResult(String preset, PretrainSummary summary, List<StepLog> log, double storyLoss,
            List<String> samples, Measurement.ModelResult metrics) {
        public double gapToFloor(double floor) {
            return storyLoss / floor - 1;
        }
    }

    /** One preset aligned on one task with each method (see {@link DemoConfig#alignment()}). */
    public record Aligned(String task, String preset, AlignCompare.Result result) {
    }

    /** {@code sae}, {@code select} and {@code monet} are null when the demo skips their stages. */
    public record Result(Path report, Path summary, ConceptWorldWriter.Summary data, List<ModelResult> models,
            List<Aligned> aligned, DemoSae.Result sae, DemoSelect.Result select, DemoMonet.Result monet) {
    }

    public static Result run(DemoConfig cfg, boolean overwrite, PrintStream progress) {
        long start = System.nanoTime();
        OutputFolder.prepare(cfg.out(), OUTPUTS, overwrite, "pass --overwrite to replace an earlier demo, or --out");
        Path data = cfg.out().resolve("data");
        progress.println("[1/7] generating ConceptWorld (" + cfg.docs() + " stories) in " + data);
        ConceptWorldWriter.Summary corpus = ConceptWorldWriter.write(cfg.data(), data);
        TextSource fresh = measureTexts(cfg);
        List<ModelResult> models = new ArrayList<>();
        for (int i = 0; i < cfg.presets().size(); i++) {
            String preset = cfg.presets().get(i);
            progress.printf("[2/7] preset %s (%d of %d): pretraining for %d steps, then sampling and measuring"
                    + " monosemanticity on %d fresh labelled stories%n", preset, i + 1, cfg.presets().size(),
                    cfg.steps().get(i), cfg.measureTexts());
            PretrainConfig pc = cfg.pretrain(i);
            List<StepLog> log = new ArrayList<>();
            PretrainSummary s = Pretrainer.run(pc, data.resolve("train.txt"), data.resolve("valid.txt"),
                    data.resolve("tokenizer.json"), cfg.out().resolve("models").resolve(preset),
                    RunListener.<StepLog>console().andThen(log::add));
            models.add(evaluate(preset, s, log, data.resolve("valid.txt"), fresh, cfg));
        }
        List<Aligned> aligned = new ArrayList<>();
        for (String task : cfg.alignTasks()) {
            for (ModelResult m : models) {
                progress.printf("[3/7] aligning preset %s on %s: %s, %d seed(s) of %d steps each, then judging %d held-out"
                        + " prompts and measuring%n", m.preset(), task, cfg.alignMethods().stream().map(AlignConfig.Method::id)
                        .toList(), cfg.alignSeeds(), cfg.alignSteps(), ConceptWorldWriter.EVAL_PROMPTS);
                AlignCompare.Result r = cfg.alignment().run(m.summary().model(), AlignData.Source.task(task, cfg.seed()),
                        cfg.out().resolve("align").resolve(task).resolve(m.preset()), false);
                aligned.add(new Aligned(task, m.preset(), r));
            }
        }
        DemoSae.Result sae = null;
        if (cfg.saeSteps() > 0) {
            ModelResult largest = models.get(models.size() - 1);
            progress.printf("[4/7] GBA sparse autoencoder on preset %s: caching activations of %d fresh stories, %d steps,"
                    + " then splicing it into the model over the measured stories%n", largest.preset(), cfg.saeTexts(),
                    cfg.saeSteps());
            sae = DemoSae.run(cfg, largest.preset(), largest.summary().model(), fresh, cfg.out().resolve("sae"));
        }
        DemoSelect.Result select = null;
        if (cfg.select()) {
            progress.printf("[5/7] data selection (MoNA) with preset %s's SAE: 5%% of %d fresh stories by SAE codes, BM25"
                    + " and at random%n", sae.preset(), cfg.selectPool());
            select = DemoSelect.run(cfg, sae.preset(), models.get(models.size() - 1).summary().model(),
                    sae.training().sae(), cfg.out().resolve("select"));
        }
        DemoMonet.Result monet = null;
        if (cfg.monet()) {
            progress.printf("[6/7] Monet-VD on preset %s: pretraining for %d steps as its Llama was, then resecting each"
                    + " domain's experts on %d fresh stories%n", models.get(0).preset(), cfg.steps().get(0),
                    cfg.monetTexts());
            monet = DemoMonet.run(cfg, data, models.get(0), cfg.out().resolve("monet"));
        }
        progress.println("[7/7] writing the report");
        double minutes = (System.nanoTime() - start) / 60e9;
        Path report = cfg.out().resolve("report.html");
        report(cfg, corpus, models, aligned, sae, select, monet, minutes).write(report);
        Path summary = cfg.out().resolve("summary.json");
        AtomicFiles.writeString(summary, Json.write(summaryJson(cfg, corpus, models, aligned, sae, select, monet, minutes)));
        return new Result(report, summary, corpus, models, aligned, sae, select, monet);
    }

    /**
     * Loss on every whole validation story, stories sampled at temperature 0.8 from domain prompts, and
     * the monosemanticity metrics on {@code fresh} stories, all with the model loaded once.
     */
    static ModelResult evaluate(String preset, PretrainSummary s, List<StepLog> log, Path valid, TextSource fresh,
            DemoConfig cfg) {
        Path model = s.model();
        List<String> out = new ArrayList<>();
        try (TransformerLM lm = Checkpoint.loadCausal(model, "the demo"); Tokenizer tok = Tokenizer.load(model)) {
            double storyLoss = storyLoss(lm, tok, valid);
            for (int i = 0; i < cfg.samples(); i++) {
                String prompt = "this is a story about " + Lexicon.DOMAINS.get(i % Lexicon.DOMAINS.size()).name() + " .";
                long[] ids = tok.encode(prompt);
                GenerationConfig gen = new GenerationConfig(60, 0.8, 0, 1, cfg.seed() + i,
                        Checkpoint.defaultStopTokens(model, lm.config()), true);
                Generator.Result r = Generator.generate(lm, ids, gen);
                out.add(prompt + tok.decodeContinuation(ids, r.text()));
            }
            Measurement.ModelResult metrics = Measurement.run(lm, tok, preset, model.toString(), fresh,
                    MeasureConfig.DEFAULT, false);
            return new ModelResult(preset, s, log, storyLoss, out, metrics);
        }
    }

    /** Mean NLL per token over every validation story, whole (stories are far shorter than the model's context). */
    static double storyLoss(TransformerLM lm, Tokenizer tok, Path valid) {
        TokenStream stories = TokenStream.read(valid, tok, lm.config().eosTokenIds().get(0));
        return DocumentLoss.mean(lm, stories.documentBatches(Integer.MAX_VALUE, 32, lm.config().maxPositions()));
    }

    /**
     * Stories the models never saw (another seed of the same generator, same dialects), every token
     * labelled: measured with {@code measure}'s defaults, so a user can reproduce the numbers.
     */
    static TextSource measureTexts(DemoConfig cfg) {
        return TextSource.conceptWorld(cfg.measureTexts(), cfg.seed() + MEASURE_SEED_OFFSET, cfg.dialects());
    }

    /** Keeps the measured stories apart from the training corpus's seed. */
    static final long MEASURE_SEED_OFFSET = 1000;

    static HtmlReport report(DemoConfig cfg, ConceptWorldWriter.Summary corpus, List<ModelResult> models,
            List<Aligned> aligned, DemoSae.Result sae, DemoSelect.Result select, DemoMonet.Result monet, double minutes) {
        double floor = corpus.validEntropyPerToken();
        LineChart.Builder curves = LineChart.builder("Validation loss while pretraining").xLabel("training tokens")
                .yLabel("nats per token").referenceLine(floor, "entropy floor");
        List<List<?>> rows = new ArrayList<>();
        for (ModelResult m : models) {
            List<StepLog> evals = m.log().stream().filter(l -> l.validLoss() != null).toList();
            curves.series(m.preset(), evals.stream().mapToDouble(StepLog::tokens).toArray(),
                    evals.stream().mapToDouble(StepLog::validLoss).toArray());
            PretrainSummary s = m.summary();
            rows.add(List.of(m.preset(), s.parameters(), s.steps(), s.tokens(), s.finalTrainLoss(), s.finalValidLoss(),
                    m.storyLoss(), String.format("%.1f%%", 100 * m.gapToFloor(floor)), Math.round(s.tokensPerS()),
                    String.format("%.0f s", s.wallSeconds())));
        }
        HtmlReport.Builder r = HtmlReport.builder("mono4j demo")
                .subtitle("ConceptWorld, a capacity ladder pretrained on it, and what the models write")
                .runInfo("stories", cfg.docs()).runInfo("dialects", cfg.dialects()).runInfo("seed", cfg.seed())
                .runInfo("cores", Runtime.getRuntime().availableProcessors())
                .runInfo("wall time", String.format("%.1f min", minutes));
        r.section("ConceptWorld")
                .paragraph("Stories over 8 domains with polysemous words, sentiment, hostility and dialects, every token"
                        + " labelled. Every random choice of the generator shows in the text, so the loss a perfect"
                        + " model would pay is known exactly: the entropy floor.")
                .keyValues(Json.object("train stories", corpus.trainDocs(), "valid stories", corpus.validDocs(),
                        "train tokens", corpus.trainTokens(), "vocabulary", corpus.vocabSize(),
                        "entropy floor (valid, nats/token)", String.format("%.4f", floor)));
        r.section("Pretraining")
                .paragraph("Llama-layout models trained from scratch; losses are mean next-token NLL in nats per"
                        + " predicted token, on whole held-out stories: the curves and 'valid loss' on the trainer's"
                        + " evenly spread sample, 'story loss' on every validation story. The entropy floor bounds"
                        + " exactly these; the gap compares story loss with it.")
                .chart(curves.build())
                .table(List.of("preset", "parameters", "steps", "tokens", "train loss", "valid loss", "story loss",
                        "gap to floor", "tokens/s", "time"), rows);
        List<Measurement.ModelResult> measured = models.stream().map(ModelResult::metrics).toList();
        r.section("Capacity vs. monosemanticity")
                .paragraph("Does a larger model measure as more monosemantic? DecPO's Figure 2 finds no consistent link between"
                        + " model size and monosemanticity (and a positive one along preference alignment). Each model is measured"
                        + " on " + cfg.measureTexts() + " fresh labelled stories at its MLP up-projection"
                        + " (mlp.hook_pre_linear), every layer: feature decorrelation (FD, last-token pooling, higher ="
                        + " more monosemantic by DecPO's proxy), mean |correlation| between neurons, the fraction of"
                        + " neurons selective (AUROC ≥ 0.9) for exactly one ConceptWorld concept, and among those the"
                        + " share that follow a polysemous word's sense rather than the word. Means over layers.")
                .table(List.of("preset", "parameters", "story loss", "FD", "mean |corr|", "monosemantic", "sense-following",
                        "effective rank", "MEmeL p99"), capacityRows(models))
                .paragraph(capacityVerdict(models));
        MeasureReport.addCharts(r, measured);
        if (!aligned.isEmpty()) {
            addAlignment(r, cfg, aligned);
        }
        if (monet != null) {
            DemoMonet.addSection(r, cfg, models.get(0), monet, floor);
        }
        if (sae != null) {
            DemoSae.addSection(r, cfg, sae);
        }
        if (select != null) {
            DemoSelect.addSection(r, select);
        }
        r.section("Samples").paragraph("Temperature 0.8, one story per prompt, from each model.");
        for (ModelResult m : models) {
            r.paragraph("Preset " + m.preset() + ":").preformatted(String.join("\n\n", m.samples()));
        }
        return r.build();
    }

    static List<List<?>> capacityRows(List<ModelResult> models) {
        List<List<?>> rows = new ArrayList<>();
        for (ModelResult m : models) {
            Measurement.ModelResult x = m.metrics();
            rows.add(List.of(m.preset(), m.summary().parameters(), String.format("%.4f", m.storyLoss()),
                    MeasureReport.fmt(mean(x, CapacityMetric.FD)), MeasureReport.fmt(mean(x, CapacityMetric.CORRELATION)),
                    MeasureReport.fmt(mean(x, CapacityMetric.MONOSEMANTIC)),
                    MeasureReport.fmt(MeasureReport.meanOverLayers(x, h -> h.tokenSelectivity().senseFollowingFraction())),
                    MeasureReport.fmt(MeasureReport.meanOverLayers(x, HookResult::effectiveRank)),
                    MeasureReport.fmt(MeasureReport.meanOverLayers(x, h -> h.monosemanticScale().p99()))));
        }
        return rows;
    }

    /** The per-model numbers the capacity question is decided on. */
    enum CapacityMetric {
        FD("feature decorrelation", HookResult::featureDecorrelation, true),
        CORRELATION("mean |correlation| between neurons", h -> h.neuronCorrelation().meanAbsCorrelation(), false),
        MONOSEMANTIC("fraction of monosemantic neurons", h -> h.tokenSelectivity().monosemanticFraction(), true);

        final String label;
        final java.util.function.ToDoubleFunction<HookResult> value;
        /** Whether a larger value means more monosemantic. */
        final boolean higherIsMore;

        CapacityMetric(String label, java.util.function.ToDoubleFunction<HookResult> value, boolean higherIsMore) {
            this.label = label;
            this.value = value;
            this.higherIsMore = higherIsMore;
        }
    }

    static double mean(Measurement.ModelResult m, CapacityMetric c) {
        return MeasureReport.meanOverLayers(m, c.value);
    }

    /**
     * One sentence per metric: does it move towards monosemanticity at every step up the ladder, at none,
     * or is it mixed? Written from the numbers, whichever way they go.
     */
    static String capacityVerdict(List<ModelResult> models) {
        if (models.size() < 2) {
            return "One model only: train at least two presets to compare capacities.";
        }
        StringBuilder sb = new StringBuilder("Up the ladder (" + models.stream().map(ModelResult::preset)
                .collect(java.util.stream.Collectors.joining(" → ")) + "): ");
        List<String> parts = new ArrayList<>();
        for (CapacityMetric c : CapacityMetric.values()) {
            int up = 0;
            int down = 0;
            for (int i = 1; i < models.size(); i++) {
                double a = mean(models.get(i - 1).metrics(), c);
                double b = mean(models.get(i).metrics(), c);
                boolean more = c.higherIsMore ? b > a : b < a;
                up += more ? 1 : 0;
                down += more ? 0 : 1;
            }
            String verdict = down == 0 ? "more monosemantic at every step" : up == 0 ? "less monosemantic at every step"
                    : "mixed (" + up + " steps more, " + down + " less)";
            parts.add(c.label + ": " + verdict);
        }
        return sb.append(String.join("; ", parts)).append(". Two or three small models on one corpus and seed are"
                + " a first look, not a test of the claim; docs/reproduction.md records the runs.").toString();
    }

    /**
     * DecPO's second and third claims: does the decorrelation regularizer raise FD and alignment % over DPO,
     * and do larger models show both more monosemanticity and better alignment? A table per task and preset,
     * and one sentence per question, written from the numbers.
     */
    static void addAlignment(HtmlReport.Builder r, DemoConfig cfg, List<Aligned> aligned) {
        List<List<?>> rows = new ArrayList<>();
        for (Aligned a : aligned) {
            List<Measurement.ModelResult> measured = a.result().measured();
            rows.add(List.of(a.task(), a.preset(), "base", AlignCompare.fmtPct(a.result().baseAlignment()), "", "",
                    measured.isEmpty() ? "" : fmtFd(measured.get(0))));
            for (int i = 0; i < a.result().methods().size(); i++) {
                AlignCompare.MethodResult m = a.result().methods().get(i);
                rows.add(List.of(a.task(), a.preset(), m.method(), AlignCompare.meanStd(m.alignment(), 100, "%.1f"),
                        AlignCompare.meanStd(m.rewardAccuracy(), 100, "%.1f"), AlignCompare.meanStd(m.fdAtHook(), 1, "%.4f"),
                        measured.size() > i + 1 ? fmtFd(measured.get(i + 1)) : ""));
            }
        }
        r.section("Alignment: DPO and DecPO")
                .paragraph("Each pretrained model is aligned on ConceptWorld preference pairs (" + cfg.alignSteps()
                        + " steps of 8 pairs, lr " + DemoConfig.ALIGN_LR + ", " + cfg.alignSeeds() + " seed(s)) with "
                        + cfg.alignMethods().stream().map(AlignConfig.Method::id).toList() + "; DecPO adds the decorrelation"
                        + " regularizer at the middle block's up-projection. Alignment % is the share of 200 held-out prompts"
                        + " whose sampled reply the task's judge accepts (the paper's Table 2 metric); reward accuracy is on"
                        + " held-out pairs; FD at hook is measured on held-out prompt + chosen texts at the regularized layer;"
                        + " measure FD is `measure` on " + cfg.measureTexts() + " fresh stories, mean over layers."
                        + " Each comparison's full report is align/TASK/PRESET/report.html.")
                .table(List.of("task", "preset", "method", "alignment %", "reward accuracy %", "FD at hook", "measure FD"), rows)
                .paragraph(alignmentVerdict(aligned));
    }

    private static String fmtFd(Measurement.ModelResult m) {
        return MeasureReport.fmt(mean(m, CapacityMetric.FD));
    }

    /**
     * Compares DecPO with DPO per task and preset (paired by seed: a difference counts only when a paired t-test
     * over the seeds gives p < 0.05), and the ladder's steps after DPO (different models, not paired: a difference
     * counts only when the ranges mean ± std do not overlap; our choice). With one seed nothing counts: the same
     * run on another machine moved an alignment % by 44 points (docs/reproduction.md, "Reproducibility").
     */
    static String alignmentVerdict(List<Aligned> aligned) {
        List<String> parts = new ArrayList<>();
        for (Aligned a : aligned) {
            AlignCompare.MethodResult dpo = method(a, "dpo");
            AlignCompare.MethodResult decpo = method(a, "decpo");
            if (dpo != null && decpo != null) {
                PairedTTest alignment = PairedTTest.of(decpo.alignment(), dpo.alignment());
                PairedTTest fd = PairedTTest.of(decpo.fdAtHook(), dpo.fdAtHook());
                parts.add(String.format(java.util.Locale.ROOT, "%s, %s, DecPO − DPO: alignment %s points, %s; FD at the"
                        + " hook %s, %s", a.task(), a.preset(), alignment.describe(100, "%.1f"), finding(alignment),
                        fd.describe(1, "%.4f"), finding(fd)));
            }
        }
        for (int i = 1; i < aligned.size(); i++) {
            Aligned small = aligned.get(i - 1);
            Aligned large = aligned.get(i);
            AlignCompare.MethodResult s = method(small, "dpo");
            AlignCompare.MethodResult l = method(large, "dpo");
            if (small.task().equals(large.task()) && s != null && l != null && !large.result().measured().isEmpty()
                    && !small.result().measured().isEmpty()) {
                parts.add(String.format(java.util.Locale.ROOT, "%s, %s → %s after DPO: alignment %s%% vs %s%%, %s; measure FD"
                        + " %.4f vs %.4f (seed 0's models)", large.task(), small.preset(), large.preset(),
                        AlignCompare.meanStd(l.alignment(), 100, "%.1f"), AlignCompare.meanStd(s.alignment(), 100, "%.1f"),
                        apart(l.alignment(), s.alignment()) ? "apart beyond their spread" : "not apart beyond their spread",
                        mean(large.result().measured().get(1), CapacityMetric.FD),
                        mean(small.result().measured().get(1), CapacityMetric.FD)));
            }
        }
        return String.join("; ", parts) + ". Small models on one synthetic corpus: a first look;"
                + " `./mono4j reproduce decpo` runs the paper's comparisons, and docs/reproduction.md records the runs.";
    }

    private static String finding(PairedTTest t) {
        return t.significant() ? "beyond the seeds' spread" : t.n() < 2 ? "not a finding" : "within the seeds' spread";
    }

    /** The ranges mean ± std of two samples do not overlap (never, with one value each). */
    static boolean apart(List<Double> a, List<Double> b) {
        if (a.size() < 2 || b.size() < 2) {
            return false;
        }
        return Math.abs(AlignCompare.mean(a) - AlignCompare.mean(b)) > AlignCompare.std(a) + AlignCompare.std(b);
    }

    private static AlignCompare.MethodResult method(Aligned a, String id) {
        return a.result().methods().stream().filter(m -> m.method().equals(id)).findFirst().orElse(null);
    }

    static Map<String, Object> summaryJson(DemoConfig cfg, ConceptWorldWriter.Summary corpus, List<ModelResult> models,
            List<Aligned> aligned, DemoSae.Result sae, DemoSelect.Result select, DemoMonet.Result monet, double minutes) {
        List<Object> ms = new ArrayList<>();
        for (ModelResult m : models) {
            ms.add(Json.object("preset", m.preset(), "summary", m.summary(), "story_loss", m.storyLoss(), "gap_to_floor",
                    m.gapToFloor(corpus.validEntropyPerToken()), "samples", m.samples(), "monosemanticity",
                    Json.object("feature_decorrelation", mean(m.metrics(), CapacityMetric.FD),
                            "mean_abs_correlation", mean(m.metrics(), CapacityMetric.CORRELATION),
                            "monosemantic_fraction", mean(m.metrics(), CapacityMetric.MONOSEMANTIC),
                            "per_layer", m.metrics().hooks())));
        }
        List<Object> al = new ArrayList<>();
        for (Aligned a : aligned) {
            al.add(Json.object("task", a.task(), "preset", a.preset(), "base_alignment", a.result().baseAlignment(),
                    "methods", a.result().methods(), "report", a.result().report().toString()));
        }
        return Json.object("config", cfg, "conceptworld", corpus, "models", ms, "alignment", al, "sae",
                sae == null ? null : DemoSae.summaryJson(sae), "select",
                select == null ? null : DemoSelect.summaryJson(select), "monet", monet == null ? null : DemoMonet.summaryJson(monet),
                "wall_minutes", minutes);
    }

}
