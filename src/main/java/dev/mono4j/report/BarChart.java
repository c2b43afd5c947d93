package dev.mono4j.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Grouped bars: one group per category (a layer, a method), one bar per series within it. The value axis always
 * includes zero, since a bar's length is its meaning. NaN values leave a gap.
 */
public record BarChart(String title, String xLabel, String yLabel, List<String> categories, List<Series> series,
        List<ReferenceLine> referenceLines, int width, int height) implements Chart {

    /** One named set of values, one per category; copied in and out, so a chart cannot change once built. */
    public record Series(String name, double[] values) {
        public Series {
            Objects.requireNonNull(name, "name");
            values = values.clone();
        }

        @Override
        public double[] values() {
            return values.clone();
        }
    }

    public BarChart {
        Frame.checkCommon(title, xLabel, yLabel, width, height);
        categories = List.copyOf(categories);
        series = List.copyOf(series);
        referenceLines = List.copyOf(referenceLines);
        for (Series s : series) {
            if (s.values.length != categories.size()) {
                throw new IllegalArgumentException("series " + s.name + ": " + s.values.length + " values for "
                        + categories.size() + " categories");
            }
        }
    }

    public static Builder builder(String title) {
        return new Builder(title);
    }

    @Override
    public String toSvg() {
        double lo = 0;
        double hi = 0;
        for (Series s : series) {
            for (double v : s.values) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        for (ReferenceLine r : referenceLines) {
            if (Double.isFinite(r.y())) {
                lo = Math.min(lo, r.y());
                hi = Math.max(hi, r.y());
            }
        }
        Scale ys = Scale.linear(lo, hi);
        Frame f = new Frame(width, height, title, xLabel, yLabel, ys, series.stream().map(Series::name).toList(),
                referenceLines);
        int n = Math.max(1, categories.size());
        double band = (f.right - f.left) / n;
        // Labels too wide for their band are turned upright rather than left to overlap their neighbours.
        List<String> labels = categories.stream().map(c -> Frame.fit(c, 170, 11)).toList();
        double widest = labels.stream().mapToDouble(c -> Frame.textWidth(c, 11)).max().orElse(0);
        boolean upright = widest > band - 4;
        f.begin(upright ? widest + 12 : 18);
        double zero = f.py(0);
        double barWidth = band * 0.8 / Math.max(1, series.size());
        for (int c = 0; c < categories.size(); c++) {
            double cx = f.left + band * (c + 0.5);
            if (upright) {
                f.out.append("<text transform=\"translate(").append(Frame.n(cx + 4)).append(' ')
                        .append(Frame.n(f.bottom + 6)).append(") rotate(-90)\" text-anchor=\"end\" class=\"xtick\" fill=\"#444\">")
                        .append(Frame.esc(labels.get(c))).append("</text>\n");
            } else {
                f.text(cx, f.bottom + 15, "middle", "class=\"xtick\" fill=\"#444\"", labels.get(c));
            }
            for (int s = 0; s < series.size(); s++) {
                double v = series.get(s).values[c];
                if (!Double.isFinite(v)) {
                    continue;
                }
                double top = Math.min(f.py(v), zero);
                f.out.append("<rect class=\"bar\" x=\"").append(Frame.n(f.left + band * (c + 0.1) + barWidth * s))
                        .append("\" y=\"").append(Frame.n(top)).append("\" width=\"").append(Frame.n(barWidth))
                        .append("\" height=\"").append(Frame.n(Math.abs(f.py(v) - zero))).append("\" fill=\"")
                        .append(Frame.color(s)).append("\"><title>")
                        .append(Frame.esc(series.get(s).name + ", " + categories.get(c) + ": " + Scale.compact(v, 4)))
                        .append("</title></rect>\n");
            }
        }
        if (lo < 0) {
            f.line(f.left, zero, f.right, zero, "#333", ""); // the baseline bars grow from
        }
        f.referenceLines();
        return f.end(false);
    }

    public static final class Builder extends ChartBuilder<Builder> {
        private final List<String> categories = new ArrayList<>();
        private final List<Series> series = new ArrayList<>();

        private Builder(String title) {
            super(title);
        }

        @Override
        Builder self() {
            return this;
        }

        public Builder categories(List<String> names) {
            categories.addAll(names);
            return this;
        }

        public Builder categories(String... names) {
            return categories(List.of(names));
        }

        /** Values in category order; checked against the categories when built. */
        public Builder series(String name, double... values) {
            series.add(new Series(name, values));
            return this;
        }

        public BarChart build() {
            return new BarChart(title, xLabel, yLabel, categories, series, refs, width, height);
        }
    }
}
