package dev.mono4j.demo;

import dev.mono4j.data.FieldCondition;
import dev.mono4j.data.LabelledText;
import dev.mono4j.data.TextSource;
import dev.mono4j.data.conceptworld.StoryLabel;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.report.HtmlReport;
import dev.mono4j.select.SelectConfig;
import dev.mono4j.select.SelectMethod;
import dev.mono4j.select.Selection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's data-selection stage (MoNA, arXiv 2503.15573v2): fresh ConceptWorld stories as the pool, 20 fresh
 * stories of one domain as the targets, and 5% of the pool selected by MoNA (the SAE stage's GBA SAE codes,
 * generalised Jaccard), by BM25 and at random, each scored by its precision and recall against the domain, as
 * {@code select --relevant domain=...} would do it (docs/select.md).
 */
public final class DemoSelect {
    /** Keeps the pool's and targets' stories apart from every other stage's seeds. */
    static final long POOL_SEED_OFFSET = 4000;
    static final long TARGET_SEED_OFFSET = 5000;
    /** The target set's size: mona.md §6's small-scale analogue. */
    static final int TARGETS = 20;
    static final String DOMAIN = "science";
    static final List<SelectMethod> METHODS = List.of(SelectMethod.JACCARD, SelectMethod.BM25, SelectMethod.RANDOM);

    private DemoSelect() {
    }

    public record Result(String preset, String hook, int pool, double domainShare, List<Selection.Result> selections) {
    }

    /** Writes the pool and targets into {@code dir} and selects from it with each method into {@code dir/METHOD}. */
    static Result run(DemoConfig cfg, String preset, Path model, Path sae, Path dir) {
        Path pool = dir.resolve("pool.jsonl");
        Path targets = dir.resolve("targets.jsonl");
        List<String> poolLines = new ArrayList<>();
        int inDomain = 0;
        for (Iterator<LabelledText> it = stories(cfg.selectPool(), cfg.seed() + POOL_SEED_OFFSET, cfg); it.hasNext(); ) {
            LabelledText t = it.next();
            poolLines.add(Json.line(Json.object("text", t.text(), "domain", t.label())));
            inDomain += DOMAIN.equals(t.label()) ? 1 : 0;
        }
        List<String> targetLines = new ArrayList<>();
        // Fresh stories until 20 are of the domain: about 8 × 20 at 8 domains.
        for (Iterator<LabelledText> it = stories(40 * TARGETS, cfg.seed() + TARGET_SEED_OFFSET, cfg);
                it.hasNext() && targetLines.size() < TARGETS; ) {
            LabelledText t = it.next();
            if (DOMAIN.equals(t.label())) {
                targetLines.add(Json.line(Json.object("text", t.text(), "domain", t.label())));
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.writeString(pool, String.join("\n", poolLines) + "\n");
        AtomicFiles.writeString(targets, String.join("\n", targetLines) + "\n");
        List<Selection.Result> results = new ArrayList<>();
        for (SelectMethod m : METHODS) {
            SelectConfig.Builder b = SelectConfig.builder(pool, targets, m).seed(cfg.seed())
                    .relevant(new FieldCondition("domain", DOMAIN));
            if (m.needs() == SelectMethod.Needs.SAE) {
                b.model(model).sae(sae);
            }
            results.add(Selection.run(b.build(), dir.resolve(m.flagName()), false, false, NonFinite.REFUSE, true));
        }
        return new Result(preset, results.get(0).hook(), poolLines.size(), (double) inDomain / poolLines.size(), results);
    }

    private static Iterator<LabelledText> stories(int n, long seed, DemoConfig cfg) {
        return TextSource.conceptWorld(n, seed, cfg.dialects(), StoryLabel.DOMAIN).iterator();
    }

    static void addSection(HtmlReport.Builder r, Result s) {
        r.section("Data selection (MoNA) with preset " + s.preset() + "'s SAE")
                .paragraph("MoNA (Ma et al. 2025) represents each sample by its SAE codes mean-pooled over its tokens and"
                        + " keeps the pool samples nearest, by generalised Jaccard, to the mean of a few target examples."
                        + " Here: " + String.format(Locale.ROOT, "%,d", s.pool()) + " fresh stories as the pool, "
                        + TARGETS + " fresh " + DOMAIN + " stories as the targets, 5% selected; the SAE is the GBA SAE"
                        + " above, read at " + s.hook() + ". Precision is the share of the selection that is about "
                        + DOMAIN + " (chance: " + String.format(Locale.ROOT, "%.3f", s.domainShare()) + "), recall the"
                        + " share of the pool's " + DOMAIN + " stories selected (at most 5% / chance). One seed: an"
                        + " anecdote; docs/reproduction.md has three seeds, every method and real text. Same run:"
                        + " `select --method jaccard|bm25|random --relevant domain=" + DOMAIN + "` (docs/select.md).")
                .table(List.of("method", "selected", "precision", "recall", "samples/s"), s.selections().stream()
                        .map(x -> List.<Object>of(x.method(), x.selected(), fmt(x.precision()), fmt(x.recall()),
                                String.format(Locale.ROOT, "%,.0f", x.samplesPerSecond())))
                        .toList());
    }

    static Map<String, Object> summaryJson(Result s) {
        return Json.object("preset", s.preset(), "hook", s.hook(), "pool", s.pool(), "domain", DOMAIN, "domain_share",
                s.domainShare(), "selections", s.selections().stream().map(x -> Json.object("method", x.method(),
                        "selected", x.selected(), "precision", x.precision(), "recall", x.recall(), "samples_per_second",
                        x.samplesPerSecond())).toList());
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
