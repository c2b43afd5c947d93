package dev.mono4j.lens;

import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.report.BarChart;
import dev.mono4j.report.HeatMap;
import dev.mono4j.report.HtmlReport;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The files of {@code lens} (lens.json) and {@code patch} (patch.json), each with its report.html; tokens decoded. */
public final class LensOutput {
    public static final String LENS_FILE = "lens.json";
    public static final String PATCH_FILE = "patch.json";
    public static final String REPORT_FILE = "report.html";

    private LensOutput() {
    }

    /** Writes lens.json and report.html into {@code out}; {@code attribution} may be null (no --answer/--wrong). */
    public static void writeLens(Path out, String model, LogitLens.Result lens, LogitAttribution.Result attribution,
            Tokenizer tok) {
        List<String> tokens = tokens(lens.ids(), tok);
        List<Object> layers = new ArrayList<>();
        for (LogitLens.Layer l : lens.layers()) {
            List<Object> positions = new ArrayList<>();
            for (LogitLens.Position p : l.positions()) {
                positions.add(Json.object("top", p.top().stream().map(t -> Json.object("id", t.id(), "token",
                        token(t.id(), tok), "prob", t.prob())).toList(), "target", Json.object("id", p.target(), "token",
                        token(p.target(), tok), "rank", p.targetRank(), "prob", p.targetProb())));
            }
            layers.add(Json.object("layer", l.name(), "positions", positions));
        }
        Map<String, Object> json = Json.object("model", model, "tokens", tokens, "layers", layers);
        HtmlReport.Builder html = HtmlReport.builder("Logit lens").runInfo("model", model)
                .runInfo("text", String.join("", tokens))
                .subtitle("Each layer's residual stream through the final norm (with its own statistics) and the "
                        + "unembedding (nostalgebraist 2020; TransformerLens `accumulated_resid(apply_ln=True)`).");
        double[][] prob = lens.layers().stream().map(l -> l.positions().stream().mapToDouble(LogitLens.Position::targetProb)
                .toArray()).toArray(double[][]::new);
        html.section("Target probability per layer").chart(new HeatMap("P(target) per layer and position", "position",
                "layer", "probability", columns(tokens), lens.layers().stream().map(LogitLens.Layer::name).toList(), prob),
                "The target is each position's final prediction unless `--target` names a token; hover a cell for its value.");
        List<List<?>> rows = new ArrayList<>();
        for (LogitLens.Layer l : lens.layers()) {
            List<Object> row = new ArrayList<>(List.of(l.name()));
            l.positions().forEach(p -> row.add(token(p.top().get(0).id(), tok)));
            rows.add(row);
        }
        List<String> header = new ArrayList<>(List.of("layer"));
        header.addAll(columns(tokens));
        html.section("Top token per layer").table(header, rows);
        if (attribution != null) {
            json.put("attribution", attributionJson(attribution, tok));
            attributionSection(html, attribution, tok);
        }
        AtomicFiles.writeString(out.resolve(LENS_FILE), Json.write(json));
        html.build().write(out.resolve(REPORT_FILE));
    }

    private static Map<String, Object> attributionJson(LogitAttribution.Result a, Tokenizer tok) {
        return Json.object("answer", Json.object("id", a.target().answer(), "token", token(a.target().answer(), tok)),
                "wrong", Json.object("id", a.target().wrong(), "token", token(a.target().wrong(), tok)),
                "logit_diff", a.logitDiff(), "norm_bias", a.normBias(), "sum", a.total(),
                "components", a.components().stream().map(c -> Json.object("name", c.name(), "contribution",
                        c.contribution())).toList(),
                "heads", a.heads().stream().map(c -> Json.object("name", c.name(), "contribution", c.contribution())).toList());
    }

    private static void attributionSection(HtmlReport.Builder html, LogitAttribution.Result a, Tokenizer tok) {
        String diff = "logit(" + token(a.target().answer(), tok) + ") − logit(" + token(a.target().wrong(), tok) + ")";
        html.section("Direct logit attribution").paragraph("Each component's share of " + diff + " at the last position,"
                + " the final norm's scale frozen at the full residual's (TransformerLens `logit_attrs`). Components plus"
                + " the norm's bias term sum to the model's logit difference.");
        html.chart(BarChart.builder("Direct logit attribution").yLabel(diff)
                .categories(a.components().stream().map(LogitAttribution.Component::name).toList())
                .series("contribution", a.components().stream().mapToDouble(LogitAttribution.Component::contribution)
                        .toArray()).build());
        html.keyValues(Json.object("logit difference", a.logitDiff(), "norm bias term", a.normBias(),
                "sum of components + bias", a.total()));
        if (!a.heads().isEmpty()) {
            html.table(List.of("head", "contribution"), a.heads().stream().map(h -> List.of(h.name(), h.contribution()))
                    .toList());
        }
    }

    /** Writes patch.json and report.html into {@code out}. */
    public static void writePatch(Path out, String model, ActivationPatching.Result r, Tokenizer tok) {
        List<String> clean = tokens(r.clean(), tok);
        List<String> corrupt = tokens(r.corrupt(), tok);
        double[][] normalised = r.normalised();
        Map<String, Object> json = Json.object("model", model, "hook", r.hook().name().toLowerCase(java.util.Locale.ROOT),
                "answer", Json.object("id", r.target().answer(), "token", token(r.target().answer(), tok)),
                "wrong", Json.object("id", r.target().wrong(), "token", token(r.target().wrong(), tok)),
                "clean_tokens", clean, "corrupt_tokens", corrupt, "clean_logit_diff", r.cleanDiff(),
                "corrupt_logit_diff", r.corruptDiff(), "rows", r.rows(), "logit_diff", r.logitDiff(),
                "normalised", normalised);
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < clean.size(); i++) {
            cols.add(clean.get(i).equals(corrupt.get(i)) ? i + " " + clean.get(i)
                    : i + " " + clean.get(i) + "/" + corrupt.get(i));
        }
        String hookName = r.hook().name(0).replace("blocks.0.", "blocks.l.");
        HtmlReport html = HtmlReport.builder("Activation patching").runInfo("model", model).runInfo("hook", hookName)
                .runInfo("clean", String.join("", clean)).runInfo("corrupted", String.join("", corrupt))
                .runInfo("clean logit difference", r.cleanDiff()).runInfo("corrupted logit difference", r.corruptDiff())
                .subtitle("The corrupted run with one activation taken from the clean run; metric (patched − corrupt) /"
                        + " (clean − corrupt) of logit(" + token(r.target().answer(), tok) + ") − logit("
                        + token(r.target().wrong(), tok) + ") at the last position.")
                .section("Normalised logit difference")
                .chart(new HeatMap("Patching " + hookName, "position (clean/corrupted token)", "layer", "restored",
                        cols, r.rows(), normalised), "1: the patch restores the clean run; 0: it changes nothing.")
                .build();
        AtomicFiles.writeString(out.resolve(PATCH_FILE), Json.write(json));
        html.write(out.resolve(REPORT_FILE));
    }

    private static List<String> tokens(long[] ids, Tokenizer tok) {
        List<String> t = new ArrayList<>();
        for (long id : ids) {
            t.add(token(id, tok));
        }
        return t;
    }

    private static String token(long id, Tokenizer tok) {
        return tok.decode(new long[] {id});
    }

    private static List<String> columns(List<String> tokens) {
        List<String> c = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            c.add(i + " " + tokens.get(i));
        }
        return c;
    }
}
