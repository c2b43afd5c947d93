package dev.mono4j.report;

import java.util.Arrays;
import java.util.List;

/**
 * A grid of coloured cells, one row per {@code rows} entry (top to bottom) and one column per {@code columns} entry
 * (left to right), with a colour scale legend. The scale diverges around zero, blue below and red above, white at
 * zero, over ±max|value| so equal magnitudes get equal strength (our choice, as the patching plots of the
 * TransformerLens tutorials); NaN cells are grey. Each cell carries its value as a tooltip.
 */
public record HeatMap(String title, String xLabel, String yLabel, String valueLabel, List<String> columns,
        List<String> rows, double[][] values) implements Chart {
    private static final double CELL_W = 30;
    private static final double CELL_H = 22;
    private static final int[] NEGATIVE = {0x21, 0x66, 0xAC};
    private static final int[] POSITIVE = {0xB2, 0x18, 0x2B};
    private static final String MISSING = "#dddddd";

    public HeatMap {
        Frame.checkCommon(title, xLabel, yLabel, 200, 150);
        java.util.Objects.requireNonNull(valueLabel, "valueLabel");
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        if (values.length != rows.size()) {
            throw new IllegalArgumentException(values.length + " rows of values for " + rows.size() + " row labels");
        }
        for (double[] r : values) {
            if (r.length != columns.size()) {
                throw new IllegalArgumentException("a row has " + r.length + " values for " + columns.size() + " columns");
            }
        }
        values = Arrays.stream(values).map(double[]::clone).toArray(double[][]::new);
    }

    @Override
    public double[][] values() {
        return Arrays.stream(values).map(double[]::clone).toArray(double[][]::new);
    }

    /** The end of the colour scale: max |value| over finite cells, 1 when there are none or all are zero. */
    double range() {
        double m = Arrays.stream(values).flatMapToDouble(Arrays::stream).filter(Double::isFinite).map(Math::abs)
                .max().orElse(0);
        return m > 0 ? m : 1;
    }

    @Override
    public String toSvg() {
        List<String> xs = columns.stream().map(c -> Frame.fit(c, 120, 11)).toList();
        List<String> ys = rows.stream().map(r -> Frame.fit(r, 160, 11)).toList();
        double rowLabels = ys.stream().mapToDouble(r -> Frame.textWidth(r, 11)).max().orElse(0);
        double colLabels = xs.stream().mapToDouble(c -> Frame.textWidth(c, 11)).max().orElse(0);
        double left = 10 + (yLabel.isEmpty() ? 0 : 20) + rowLabels + 8;
        double top = title.isEmpty() ? 14 : 40;
        double gridRight = left + CELL_W * columns.size();
        double gridBottom = top + CELL_H * rows.size();
        double legendX = gridRight + 24;
        int width = (int) Math.ceil(Math.max(legendX + 90, Frame.textWidth(title, 15) + 20));
        int height = (int) Math.ceil(Math.max(gridBottom + colLabels + 14 + (xLabel.isEmpty() ? 0 : 22), top + 160));
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\"")
                .append(" font-size=\"11\" role=\"img\">\n<title>").append(Frame.esc(title)).append("</title>\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        if (!title.isEmpty()) {
            text(s, width / 2.0, 24, "middle", "font-size=\"15\" font-weight=\"600\"", title);
        }
        double m = range();
        for (int r = 0; r < rows.size(); r++) {
            double y = top + CELL_H * r;
            text(s, left - 6, y + CELL_H / 2 + 4, "end", "class=\"ytick\" fill=\"#444\"", ys.get(r));
            for (int c = 0; c < columns.size(); c++) {
                double v = values[r][c];
                s.append("<rect class=\"cell\" x=\"").append(Frame.n(left + CELL_W * c)).append("\" y=\"")
                        .append(Frame.n(y)).append("\" width=\"").append(Frame.n(CELL_W)).append("\" height=\"")
                        .append(Frame.n(CELL_H)).append("\" fill=\"").append(color(v, m))
                        .append("\" stroke=\"#ffffff\" stroke-width=\"0.5\"><title>")
                        .append(Frame.esc(rows.get(r) + ", " + columns.get(c) + ": " + Scale.compact(v, 4)))
                        .append("</title></rect>\n");
            }
        }
        for (int c = 0; c < columns.size(); c++) {
            double x = left + CELL_W * (c + 0.5);
            s.append("<text transform=\"translate(").append(Frame.n(x + 4)).append(' ').append(Frame.n(gridBottom + 6))
                    .append(") rotate(-90)\" text-anchor=\"end\" class=\"xtick\" fill=\"#444\">")
                    .append(Frame.esc(xs.get(c))).append("</text>\n");
        }
        if (!xLabel.isEmpty()) {
            text(s, (left + gridRight) / 2, gridBottom + colLabels + 26, "middle", "font-size=\"12\"", xLabel);
        }
        if (!yLabel.isEmpty()) {
            s.append("<text transform=\"translate(16 ").append(Frame.n((top + gridBottom) / 2))
                    .append(") rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">").append(Frame.esc(yLabel))
                    .append("</text>\n");
        }
        legend(s, legendX, top, m);
        return s.append("</svg>\n").toString();
    }

    /** A vertical colour bar from −m (bottom) to +m (top), ticks at −m, 0 and m, the value's name above. */
    private void legend(StringBuilder s, double x, double top, double m) {
        double barTop = top + 18;
        double barHeight = 120;
        int steps = 24;
        for (int i = 0; i < steps; i++) {
            double v = m - 2 * m * (i + 0.5) / steps;
            s.append("<rect class=\"legend\" x=\"").append(Frame.n(x)).append("\" y=\"")
                    .append(Frame.n(barTop + barHeight * i / steps)).append("\" width=\"12\" height=\"")
                    .append(Frame.n(barHeight / steps + 0.5)).append("\" fill=\"").append(color(v, m)).append("\"/>\n");
        }
        text(s, x, top + 8, "start", "font-size=\"11\"", Frame.fit(valueLabel, 90, 11));
        double[] ticks = {m, 0, -m};
        for (int i = 0; i < ticks.length; i++) {
            text(s, x + 16, barTop + barHeight * i / 2 + 4, "start", "class=\"legendtick\" fill=\"#444\"",
                    Scale.compact(ticks[i], 3));
        }
    }

    /** White at 0, shading linearly to blue at −m and red at +m; grey for NaN. */
    static String color(double v, double m) {
        if (!Double.isFinite(v)) {
            return MISSING;
        }
        double f = Math.min(1, Math.abs(v) / m);
        int[] end = v < 0 ? NEGATIVE : POSITIVE;
        StringBuilder hex = new StringBuilder("#");
        for (int channel : end) {
            hex.append(String.format("%02x", (int) Math.round(255 + (channel - 255) * f)));
        }
        return hex.toString();
    }

    private static void text(StringBuilder s, double x, double y, String anchor, String extra, String t) {
        s.append("<text x=\"").append(Frame.n(x)).append("\" y=\"").append(Frame.n(y)).append("\" text-anchor=\"")
                .append(anchor).append("\" ").append(extra).append('>').append(Frame.esc(t)).append("</text>\n");
    }
}
