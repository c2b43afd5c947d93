package dev.mono4j.report;

import java.util.ArrayList;
import java.util.List;

/**
 * What line and bar charts share: title, y axis with grid, axis titles, reference lines and a legend below the
 * plot. Legend and reference-line labels sit outside the plot, so they never hide data. Sizes of text are estimated (no font metrics without AWT), generously.
 */
final class Frame {
    /** What every chart record checks: non-null title and labels, a size the layout can use. */
    static void checkCommon(String title, String xLabel, String yLabel, int width, int height) {
        java.util.Objects.requireNonNull(title, "title");
        java.util.Objects.requireNonNull(xLabel, "xLabel");
        java.util.Objects.requireNonNull(yLabel, "yLabel");
        if (width < 200 || height < 150) {
            throw new IllegalArgumentException("chart size " + width + "x" + height + " is below 200x150");
        }
    }

    /** Okabe-Ito colours, which stay distinct under the common colour-vision deficiencies; yellow last (pale on white). */
    private static final String[] PALETTE = {"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
        "#000000", "#F0E442"};
    private static final double LEGEND_ROW = 18;

    final StringBuilder out = new StringBuilder();
    final int width;
    final int height;
    final Scale y;
    final double left;
    final double right;
    double top;
    double bottom;
    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<List<String>> legendRows = new ArrayList<>();
    private final List<ReferenceLine> refs;

    Frame(int width, int height, String title, String xLabel, String yLabel, Scale y, List<String> legend,
            List<ReferenceLine> refs) {
        this.width = width;
        this.height = height;
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.y = y;
        this.refs = refs.stream().filter(r -> y.accepts(r.y()))
                .map(r -> new ReferenceLine(r.y(), fit(r.label(), 150, 11))).toList();
        double tickWidth = y.ticks().stream().mapToDouble(t -> textWidth(y.label(t), 11)).max().orElse(0);
        left = 10 + (yLabel.isEmpty() ? 0 : 20) + tickWidth + 8;
        double refWidth = this.refs.stream().mapToDouble(r -> textWidth(r.label(), 11) + 10).max().orElse(0);
        right = width - Math.max(24, refWidth); // room for the last x tick label's right half, or the labels
        List<String> row = new ArrayList<>();
        double used = 0;
        for (String name : legend) {
            String fitted = fit(name, width - 60, 12);
            double w = 22 + textWidth(fitted, 12) + 16;
            if (!row.isEmpty() && used + w > width - 20) {
                legendRows.add(row);
                row = new ArrayList<>();
                used = 0;
            }
            row.add(fitted);
            used += w;
        }
        if (!row.isEmpty()) {
            legendRows.add(row);
        }
    }

    /** Lays out the plot's height now that the caller knows the room its x labels need; draws the frame. */
    void begin(double xTickSpace) {
        top = title.isEmpty() ? 14 : 40;
        bottom = height - 8 - legendRows.size() * LEGEND_ROW - (xLabel.isEmpty() ? 0 : 20) - xTickSpace;
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\"")
                .append(" font-size=\"11\" role=\"img\">\n<title>").append(esc(title)).append("</title>\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        if (!title.isEmpty()) {
            text(width / 2.0, 24, "middle", "font-size=\"15\" font-weight=\"600\"", fit(title, width - 20, 15));
        }
        for (double t : y.ticks()) {
            double py = py(t);
            line(left, py, right, py, "#e6e6e6", "");
            text(left - 6, py + 4, "end", "class=\"ytick\" fill=\"#444\"", y.label(t));
        }
        if (!yLabel.isEmpty()) {
            double cy = (top + bottom) / 2;
            out.append("<text transform=\"translate(16 ").append(n(cy)).append(") rotate(-90)\" text-anchor=\"middle\"")
                    .append(" font-size=\"12\">").append(esc(fit(yLabel, bottom - top, 12))).append("</text>\n");
        }
        if (!xLabel.isEmpty()) {
            text((left + right) / 2, bottom + xTickSpace + 16, "middle", "font-size=\"12\"",
                    fit(xLabel, right - left, 12));
        }
    }

    /** Axis lines last but one, so they sit on top of grid and data; the legend closes the document. */
    String end(boolean lineSwatches) {
        line(left, top, left, bottom, "#333", "");
        line(left, bottom, right, bottom, "#333", "");
        double ly = height - 8 - legendRows.size() * LEGEND_ROW + 12;
        int i = 0;
        for (List<String> row : legendRows) {
            double lx = 10;
            for (String name : row) {
                if (lineSwatches) {
                    line(lx, ly - 4, lx + 18, ly - 4, color(i), "stroke-width=\"2.5\"" + dash(i));
                } else {
                    out.append("<rect x=\"").append(n(lx + 4)).append("\" y=\"").append(n(ly - 10))
                            .append("\" width=\"11\" height=\"11\" fill=\"").append(color(i)).append("\"/>\n");
                }
                text(lx + 22, ly, "start", "font-size=\"12\"", name);
                lx += 22 + textWidth(name, 12) + 16;
                i++;
            }
            ly += LEGEND_ROW;
        }
        return out.append("</svg>\n").toString();
    }

    /**
     * Dashed lines over the data, labelled in the right margin. Close labels are nudged upwards, bottom first: lines
     * are mostly floors, and below the lowest one lies the x axis' last tick label.
     */
    void referenceLines() {
        double lastY = Double.POSITIVE_INFINITY;
        for (ReferenceLine r : refs.stream().sorted((a, b) -> Double.compare(a.y(), b.y())).toList()) {
            double py = py(r.y());
            line(left, py, right, py, "#555", "stroke-dasharray=\"5 4\" stroke-width=\"1.2\"");
            lastY = Math.min(py + 4, lastY - 13);
            text(right + 5, lastY, "start", "fill=\"#333\"", r.label());
        }
    }

    double py(double v) {
        return bottom - y.frac(v) * (bottom - top);
    }

    void line(double x1, double y1, double x2, double y2, String stroke, String extra) {
        out.append("<line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2))
                .append("\" y2=\"").append(n(y2)).append("\" stroke=\"").append(stroke).append('"')
                .append(extra.isEmpty() ? "" : " " + extra).append("/>\n");
    }

    void text(double x, double y, String anchor, String extra, String s) {
        out.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" text-anchor=\"")
                .append(anchor).append('"').append(extra.isEmpty() ? "" : " " + extra).append('>').append(esc(s))
                .append("</text>\n");
    }

    static String color(int series) {
        return PALETTE[series % PALETTE.length];
    }

    /** Past the palette colours repeat, so repeats are dashed to stay distinguishable. */
    static String dash(int series) {
        return series < PALETTE.length ? "" : " stroke-dasharray=\"7 3\"";
    }

    /** Pixel coordinate with one decimal: enough for the eye, and keeps the SVG small. */
    static String n(double v) {
        return Double.toString(Math.round(v * 10) / 10.0);
    }

    /** A generous estimate of proportional text width (average glyph ~0.6 em). */
    static double textWidth(String s, double fontSize) {
        return s.codePointCount(0, s.length()) * fontSize * 0.6;
    }

    /** Shortens s with an ellipsis so it fits maxWidth, rather than letting it run off the picture. */
    static String fit(String s, double maxWidth, double fontSize) {
        int max = (int) (maxWidth / (fontSize * 0.6));
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, Math.max(1, max - 1))) + "…";
    }

    /**
     * Escapes text for XML and HTML alike. Characters XML forbids (NUL and other controls, lone surrogates), which
     * model samples can contain, become U+FFFD, so the page always parses.
     */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));
                    } else if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || Character.isSurrogate(c)
                            || c == 0xFFFE || c == 0xFFFF) {
                        b.append('\uFFFD');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
