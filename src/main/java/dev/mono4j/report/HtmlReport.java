package dev.mono4j.report;

import dev.mono4j.io.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A self-contained HTML report: inline CSS and SVG, no scripts, no external resources, so one file can be mailed,
 * archived or printed. The markup is also well-formed XML (every tag closed, only XML entities), which keeps it
 * checkable by any XML parser. All user text is escaped; in prose (subtitle, paragraphs, captions) text between
 * backticks is set as code, as in the Markdown the docs are written in.
 */
public final class HtmlReport {
    /** Right-align cells that read as numbers (12, -3.5e-4, 1.2k, 87%), as well as actual Numbers. */
    private static final Pattern NUMERIC = Pattern.compile("[-+−]?[0-9][0-9,]*(\\.[0-9]+)?(e[-+]?[0-9]+)?[kMGT%]?|NaN|[-−]?∞");
    private static final String CSS = """
            :root { color-scheme: light; }
            body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
                   color: #1b1b1b; background: #fff; max-width: 980px; margin: 2rem auto; padding: 0 1.2rem; }
            h1 { font-size: 1.75rem; margin: 0 0 .2rem; }
            .subtitle { color: #555; margin: 0 0 .8rem; }
            h2 { font-size: 1.3rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin: 2.2rem 0 .8rem; }
            nav.toc { background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 6px; padding: .4rem 1.2rem; margin: 1rem 0; }
            nav.toc h2 { font-size: 1rem; border: 0; margin: .3rem 0; }
            nav.toc ol { margin: .2rem 0 .5rem; }
            a { color: #0b62a4; }
            .scroll { overflow-x: auto; }
            table { border-collapse: collapse; margin: .6rem 0; font-size: 14px; }
            th, td { border-bottom: 1px solid #e1e4e8; padding: .3rem .75rem; text-align: left; vertical-align: top; }
            th { background: #f6f8fa; font-weight: 600; }
            .num { text-align: right; font-variant-numeric: tabular-nums; }
            pre { background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 6px; padding: .6rem .8rem;
                  white-space: pre-wrap; overflow-wrap: anywhere; font: 13px/1.45 ui-monospace, Menlo, Consolas, monospace; }
            dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1.2rem; margin: .6rem 0; }
            dl.kv dt { color: #555; }
            dl.kv dd { margin: 0; font-variant-numeric: tabular-nums; }
            figure { margin: 1rem 0; }
            figure svg { display: block; max-width: 100%; height: auto; }
            figcaption { color: #555; font-size: 13px; margin-top: .3rem; }
            code { font: .9em ui-monospace, Menlo, Consolas, monospace; background: #f6f8fa; padding: 0 .2em;
                   border-radius: 3px; }
            @media print {
              body { max-width: none; margin: 0; font-size: 12px; }
              a { color: inherit; text-decoration: none; }
              h2 { break-after: avoid; }
              figure, table, pre, dl.kv { break-inside: avoid; }
            }
            """;

    private record Section(String id, String heading, List<String> blocks) {
    }

    private final String title;
    private final String subtitle;
    private final Map<String, String> runInfo;
    private final List<Section> sections;

    private HtmlReport(Builder b) {
        title = b.title;
        subtitle = b.subtitle;
        runInfo = Collections.unmodifiableMap(new LinkedHashMap<>(b.runInfo)); // kept in the order given
        sections = b.sections.stream().map(s -> new Section(s.id, s.heading, List.copyOf(s.blocks))).toList();
    }

    public static Builder builder(String title) {
        return new Builder(title);
    }

    public String toHtml() {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>").append(Frame.esc(title)).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n<header>\n<h1>").append(Frame.esc(title)).append("</h1>\n");
        if (!subtitle.isEmpty()) {
            h.append("<p class=\"subtitle\">").append(prose(subtitle)).append("</p>\n");
        }
        if (!runInfo.isEmpty()) {
            h.append(keyValues(runInfo));
        }
        h.append("</header>\n");
        if (!sections.isEmpty()) {
            h.append("<nav class=\"toc\">\n<h2>Contents</h2>\n<ol>\n");
            for (Section s : sections) {
                h.append("<li><a href=\"#").append(s.id).append("\">").append(Frame.esc(s.heading)).append("</a></li>\n");
            }
            h.append("</ol>\n</nav>\n");
        }
        for (Section s : sections) {
            h.append("<section>\n<h2 id=\"").append(s.id).append("\">").append(Frame.esc(s.heading)).append("</h2>\n");
            s.blocks.forEach(h::append);
            h.append("</section>\n");
        }
        return h.append("</body>\n</html>\n").toString();
    }

    /** Writes the page atomically (temp file, then rename): a browser refreshing it never sees half a report. */
    public void write(Path file) {
        AtomicFiles.writeString(file, toHtml());
    }

    /**
     * Escaped text with each pair of backticks around a non-empty span set as {@code <code>}; a backtick without
     * a partner, and an empty pair, stay as they are.
     */
    static String prose(String text) {
        String[] parts = text.split("`", -1); // parts[i] for odd i follows the i-th backtick
        StringBuilder b = new StringBuilder(Frame.esc(parts[0]));
        for (int i = 1; i < parts.length; i += 2) {
            boolean closed = i + 1 < parts.length;
            if (closed && !parts[i].isEmpty()) {
                b.append("<code>").append(Frame.esc(parts[i])).append("</code>");
            } else {
                b.append('`').append(Frame.esc(parts[i])).append(closed ? "`" : "");
            }
            if (closed) {
                b.append(Frame.esc(parts[i + 1]));
            }
        }
        return b.toString();
    }

    private static String keyValues(Map<String, ?> values) {
        StringBuilder b = new StringBuilder("<dl class=\"kv\">\n");
        values.forEach((k, v) -> b.append("<dt>").append(Frame.esc(k)).append("</dt><dd>")
                .append(Frame.esc(cell(v))).append("</dd>\n"));
        return b.append("</dl>\n").toString();
    }

    /** Floating-point values to 4 significant digits (tables compare, they don't archive); integers in full. */
    private static String cell(Object v) {
        if (v instanceof Double || v instanceof Float) {
            return Scale.compact(((Number) v).doubleValue(), 4);
        }
        return v == null ? "" : v.toString();
    }

    public static final class Builder {
        private final String title;
        private String subtitle = "";
        private final Map<String, String> runInfo = new LinkedHashMap<>();
        private final List<Section> sections = new ArrayList<>();
        private final Set<String> ids = new HashSet<>();

        private Builder(String title) {
            this.title = Objects.requireNonNull(title, "title");
        }

        public Builder subtitle(String text) {
            subtitle = Objects.requireNonNull(text);
            return this;
        }

        /** One line of run information (model, seed, date, ...) shown under the title. */
        public Builder runInfo(String key, Object value) {
            runInfo.put(Objects.requireNonNull(key), cell(value));
            return this;
        }

        /** Starts a section; what is added next goes into it. Its anchor id is the heading as a slug, made unique. */
        public Builder section(String heading) {
            String base = heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
            base = base.isEmpty() ? "section" : base;
            String id = base;
            for (int i = 2; !ids.add(id); i++) {
                id = base + "-" + i;
            }
            sections.add(new Section(id, heading, new ArrayList<>()));
            return this;
        }

        public Builder paragraph(String text) {
            return add("<p>" + prose(text) + "</p>\n");
        }

        /** A table; Numbers and numeric-looking text are right-aligned. Each row must be as long as the header. */
        public Builder table(List<String> header, List<? extends List<?>> rows) {
            StringBuilder b = new StringBuilder("<div class=\"scroll\"><table>\n<thead><tr>");
            for (String col : header) {
                b.append("<th>").append(Frame.esc(col)).append("</th>");
            }
            b.append("</tr></thead>\n<tbody>\n");
            for (List<?> row : rows) {
                if (row.size() != header.size()) {
                    throw new IllegalArgumentException("table row has " + row.size() + " cells for " + header.size()
                            + " columns: " + row);
                }
                b.append("<tr>");
                for (Object v : row) {
                    String text = cell(v);
                    boolean num = v instanceof Number || NUMERIC.matcher(text.trim()).matches();
                    b.append(num ? "<td class=\"num\">" : "<td>").append(Frame.esc(text)).append("</td>");
                }
                b.append("</tr>\n");
            }
            return add(b.append("</tbody>\n</table></div>\n").toString());
        }

        public Builder chart(Chart chart) {
            return chart(chart, "");
        }

        /** The chart's SVG inline in a figure, so the page needs no other files. */
        public Builder chart(Chart chart, String caption) {
            return add("<figure>\n" + chart.toSvg()
                    + (caption.isEmpty() ? "" : "<figcaption>" + prose(caption) + "</figcaption>\n") + "</figure>\n");
        }

        /** Text shown as is, line breaks and spaces kept (model samples, configs); escaped, long lines wrapped. */
        public Builder preformatted(String text) {
            return add("<pre>" + Frame.esc(text) + "</pre>\n");
        }

        public Builder keyValues(Map<String, ?> values) {
            return add(HtmlReport.keyValues(values));
        }

        private Builder add(String html) {
            if (sections.isEmpty()) {
                throw new IllegalStateException("call section(heading) before adding content");
            }
            sections.get(sections.size() - 1).blocks.add(html);
            return this;
        }

        public HtmlReport build() {
            return new HtmlReport(this);
        }
    }
}
