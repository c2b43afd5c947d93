package dev.mono4j.demo;

import ai.djl.ndarray.NDManager;
import dev.mono4j.data.TextSource;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.report.HtmlReport;
import dev.mono4j.sae.ActivationCacher;
import dev.mono4j.sae.ActivationStore;
import dev.mono4j.sae.ActivationStoreConfig;
import dev.mono4j.sae.GbaConfig;
import dev.mono4j.sae.LatentConcepts;
import dev.mono4j.sae.SaeConfig;
import dev.mono4j.sae.SaeData;
import dev.mono4j.sae.SaeEvaluation;
import dev.mono4j.sae.SaeTrainer;
import dev.mono4j.sae.SparseAutoencoder;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.train.RunListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's SAE stage: a GBA sparse autoencoder on one ladder model's middle residual stream, as {@code sae
 * cache}, {@code sae train --architecture gba} and {@code sae eval --model} would make it: cached over fresh
 * ConceptWorld stories, trained, spliced back into the model over the measured stories, and each latent scored
 * by the ConceptWorld concept it fires on.
 */
public final class DemoSae {
    /** Keeps the stories the SAE trains on apart from the corpus's and the measured stories' seeds. */
    static final long SAE_SEED_OFFSET = 2000;

    private DemoSae() {
    }

    /** The trained SAE and what splicing it back in measured (the hook it reads is {@code eval.hook()}). */
    public record Result(String preset, long cachedRows, SaeTrainer.Summary training, SaeEvaluation.ModelResult eval) {
    }

    /** The middle block's output: far enough in for concepts, the hook SAELens users start from. */
    static String hook(TransformerLM model) {
        return HookPoint.residPost(model.config().numLayers() / 2);
    }

    /**
     * Caches the hook over {@code cfg.saeTexts()} fresh stories into {@code dir/activations}, trains the GBA SAE into
     * {@code dir/gba}, and evaluates it spliced into the model over {@code measured}.
     */
    static Result run(DemoConfig cfg, String preset, Path modelDir, TextSource measured, Path dir) {
        try (TransformerLM model = Checkpoint.loadCausal(modelDir, "the demo"); Tokenizer tok = Tokenizer.load(modelDir)) {
            String hook = hook(model);
            Path store = dir.resolve("activations");
            ActivationStore s = ActivationCacher.cache(model, tok, modelDir.toAbsolutePath().normalize().toString(),
                    TextSource.conceptWorld(cfg.saeTexts(), cfg.seed() + SAE_SEED_OFFSET, cfg.dialects()),
                    new ActivationStoreConfig(hook, ActivationStoreConfig.DEFAULT_BATCH_SIZE,
                            ActivationStoreConfig.DEFAULT_MAX_TOKENS, ActivationStoreConfig.DEFAULT_SHARD_ROWS),
                    store, false, false, NonFinite.REFUSE, true);
            SaeConfig sae = cfg.sae();
            SaeTrainer.Summary trained = SaeTrainer.train(sae, SaeData.store(store, cfg.seed(), SaeData.DEFAULT_BUFFER_ROWS),
                    dir.resolve("gba"), false, RunListener.console());
            try (NDManager m = NDManager.newBaseManager(); SparseAutoencoder loaded = SparseAutoencoder.load(trained.sae(), m)) {
                SaeEvaluation.ModelResult e = SaeEvaluation.onModel(loaded, hook, model, tok, measured, 16,
                        ActivationStoreConfig.DEFAULT_MAX_TOKENS, 1, sae.denseThreshold(), true);
                return new Result(preset, s.rows(), trained, e);
            }
        }
    }

    static void addSection(HtmlReport.Builder r, DemoConfig cfg, Result s) {
        SaeEvaluation.ModelResult e = s.eval();
        LatentConcepts.Purity p = e.purity();
        GbaConfig gba = (GbaConfig) cfg.sae().architecture();
        r.section("Sparse autoencoder (GBA) on preset " + s.preset())
                .paragraph("A Group Bias Adaptation SAE (Chen et al. 2025: reconstruction loss only, each latent's bias set"
                        + " so its group fires at a target frequency between " + gba.htf() + " and "
                        + gba.ltf() + ") on " + e.hook() + ", trained on " + String.format(Locale.ROOT, "%,d",
                        s.cachedRows()) + " cached token activations of fresh stories, then spliced back into the model"
                        + " over the " + e.texts() + " measured stories. CE loss recovered is (CE_zero − CE_sae) /"
                        + " (CE_zero − CE_orig). A latent's concept purity is the share of its firings on labelled"
                        + " tokens that fall on its most frequent ConceptWorld concept (latents with at least "
                        + LatentConcepts.MIN_CONCEPT_FIRINGS + " such firings). The same run from the command line:"
                        + " `sae cache`, `sae train --architecture gba`, `sae eval --model` (docs/sae.md).")
                .keyValues(Json.object("latents", s.training().dSae(),
                        "training steps", s.training().steps(),
                        "L0 (mean active latents per token)", fmt(e.reconstruction().l0(), "%.1f"),
                        "FVU", fmt(e.reconstruction().fvu(), "%.3f"),
                        "dead / dense latents", e.reconstruction().deadLatents() + " / " + e.reconstruction().denseLatents(),
                        "CE original / with SAE / zero-ablated", fmt(e.ceOriginal(), "%.4f") + " / " + fmt(e.ceSae(), "%.4f")
                                + " / " + fmt(e.ceZero(), "%.4f"),
                        "CE loss recovered", fmt(100 * e.ceLossRecovered(), "%.1f%%"),
                        "KL(orig ‖ SAE) per token", fmt(e.klDivergence(), "%.4f"),
                        "latents with concept evidence", p.latentsWithEvidence(),
                        "mean concept purity", fmt(p.meanPurity(), "%.3f"),
                        "latents with purity ≥ 0.9", fmt(100 * p.shareAbove90(), "%.1f%%")))
                .paragraph("Per concept: the latents whose most frequent concept it is, how many of them are pure"
                        + " (≥ 0.9), and the purest one with its strongest context (the token it fires on last).")
                .table(List.of("concept", "latents", "pure (≥ 0.9)", "best purity", "best latent", "its firings",
                        "strongest context"), purityRows(e.latents()));
    }

    /** One row per concept some latent is most about, in concept order. */
    static List<List<?>> purityRows(List<LatentConcepts.Latent> latents) {
        Map<String, List<LatentConcepts.Latent>> byConcept = new TreeMap<>();
        for (LatentConcepts.Latent l : latents) {
            if (!Double.isNaN(l.purity())) {
                byConcept.computeIfAbsent(l.concept(), c -> new ArrayList<>()).add(l);
            }
        }
        List<List<?>> rows = new ArrayList<>();
        for (Map.Entry<String, List<LatentConcepts.Latent>> c : byConcept.entrySet()) {
            List<LatentConcepts.Latent> ls = c.getValue();
            LatentConcepts.Latent best = ls.stream().max(Comparator.comparingDouble(LatentConcepts.Latent::purity)
                    .thenComparingLong(LatentConcepts.Latent::conceptFirings)).orElseThrow();
            long pure = ls.stream().filter(l -> l.purity() >= 0.9).count();
            rows.add(List.of(c.getKey(), ls.size(), pure, fmt(best.purity(), "%.3f"), best.index(), best.firings(),
                    best.topContexts().isEmpty() ? "" : best.topContexts().get(0).text()));
        }
        return rows;
    }

    static Map<String, Object> summaryJson(Result s) {
        Map<String, Object> j = Json.object("preset", s.preset(), "cached_rows", s.cachedRows(), "training", s.training());
        j.putAll(s.eval().toJson());
        return j;
    }

    private static String fmt(double v, String format) {
        return String.format(Locale.ROOT, format, v);
    }
}
