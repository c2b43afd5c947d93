package dev.mono4j.demo;

import dev.mono4j.data.LabelledText;
import dev.mono4j.data.TextSource;
import dev.mono4j.data.conceptworld.StoryLabel;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.monet.ResectConfig;
import dev.mono4j.monet.Resection;
import dev.mono4j.report.HtmlReport;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.train.PretrainSummary;
import dev.mono4j.train.Pretrainer;
import dev.mono4j.train.RunListener;
import dev.mono4j.train.StepLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's Monet stage: a Monet-VD (Park et al., ICLR 2025) of the ladder's smallest size, trained as that preset's
 * Llama was (same data, steps, seed, learning rate; parameters matched by {@code ModelPresets}), then resected by
 * ConceptWorld domain against random experts and that Llama's most selective neurons, as {@code pretrain --arch
 * monet-vd} and {@code monet resect --dense} would do it (docs/monet.md).
 */
public final class DemoMonet {
    /** Keeps the resection's stories apart from the corpus's, the measured ones' and the SAE's seeds. */
    static final long RESECT_SEED_OFFSET = 3000;

    private DemoMonet() {
    }

    /**
     * @param routing the routing metrics of the last training step (l_unif, l_amb, active_routes, active_experts)
     */
    public record Result(String preset, PretrainSummary training, double storyLoss, Map<String, Double> routing,
            Resection.Result resection) {
    }

    /** Trains the Monet into {@code dir/model} and resects it into {@code dir/resect} against {@code dense}'s model. */
    static Result run(DemoConfig cfg, Path data, Demo.ModelResult dense, Path dir) {
        List<StepLog> log = new ArrayList<>();
        PretrainSummary s = Pretrainer.run(cfg.monetPretrain(), data.resolve("train.txt"), data.resolve("valid.txt"),
                data.resolve("tokenizer.json"), dir.resolve("model"), RunListener.<StepLog>console().andThen(log::add));
        double storyLoss;
        try (TransformerLM lm = Checkpoint.loadCausal(s.model(), "the demo"); Tokenizer tok = Tokenizer.load(s.model())) {
            storyLoss = Demo.storyLoss(lm, tok, data.resolve("valid.txt"));
        }
        List<LabelledText> texts = new ArrayList<>();
        TextSource.conceptWorld(cfg.monetTexts(), cfg.seed() + RESECT_SEED_OFFSET, cfg.dialects(), StoryLabel.DOMAIN)
                .iterator().forEachRemaining(texts::add);
        Resection.Result r = Resection.resect(s.model(), dense.summary().model(), texts,
                ResectConfig.builder().seed(cfg.seed()).build(), dir.resolve("resect"), false, NonFinite.REFUSE);
        return new Result(dense.preset(), s, storyLoss, log.get(log.size() - 1).auxiliary(), r);
    }

    static void addSection(HtmlReport.Builder report, DemoConfig cfg, Demo.ModelResult dense, Result m, double floor) {
        report.section("Monet: a mixture of monosemantic experts (preset " + m.preset() + ")")
                .paragraph("Monet-VD (Park et al., ICLR 2025) replaces each MLP by a grid of 32 × 32 experts of which a"
                        + " router keeps about 4 per side and head; it was trained exactly as the ladder's " + m.preset()
                        + " Llama (same stories, steps and seed) with parameters matched, plus the paper's routing losses"
                        + " (λ = 1e-3). One seed: an anecdote; docs/reproduction.md has three.")
                .table(List.of("model", "parameters", "loss on whole valid stories", "gap to floor", "tokens/s"), List.of(
                        List.of("Llama " + m.preset(), fmt("%,d", dense.summary().parameters()), fmt("%.4f",
                                dense.storyLoss()), fmt("%.1f%%", 100 * dense.gapToFloor(floor)),
                                fmt("%,.0f", dense.summary().tokensPerS())),
                        List.of("Monet-VD " + m.preset(), fmt("%,d", m.training().parameters()), fmt("%.4f", m.storyLoss()),
                                fmt("%.1f%%", 100 * (m.storyLoss() / floor - 1)),
                                fmt("%,.0f", m.training().tokensPerS()))))
                .keyValues(Json.object("ambiguity (1 − max routing probability)", fmt("%.3f", m.routing().get("l_amb")),
                        "L_unif (log 32 = 3.47 if uniform)", fmt("%.2f", m.routing().get("l_unif")),
                        "experts above the threshold per head and side (k = 4)",
                        fmt("%.2f", m.routing().get("active_routes"))))
                .paragraph("Resection by domain: each domain's experts (mean routing ≥ 2× the runner-up domain's, the"
                        + " paper's App. D.1 rule) are removed, and the held-out loss rises on that domain (Δtarget) and on"
                        + " the others (Δothers, their mean), in nats per token. Baselines: as many random experts, and the"
                        + " same share of the Llama's MLP neurons, its most domain-selective ones. Same run:"
                        + " `monet resect MODEL --data conceptworld --by domain --dense LLAMA` (docs/monet.md).")
                .table(List.of("domain", "experts", "Monet Δtarget / Δothers", "random Δtarget / Δothers",
                        "Llama neurons", "neurons Δtarget / Δothers"), m.resection().labels().stream()
                        .map(l -> List.of(l.label(), l.experts(), pair(l.monet()), pair(l.random()),
                                l.denseNeurons() == null ? "-" : l.denseNeurons(), l.dense() == null ? "-" : pair(l.dense())))
                        .toList());
    }

    static Map<String, Object> summaryJson(Result m) {
        return Json.object("preset", m.preset(), "training", m.training(), "story_loss", m.storyLoss(), "routing",
                m.routing(), "resection", m.resection().labels());
    }

    private static String pair(Resection.Delta d) {
        return fmt("%+.4f / %+.4f", d.target(), d.others());
    }

    private static String fmt(String format, Object... v) {
        return String.format(Locale.ROOT, format, v);
    }
}
