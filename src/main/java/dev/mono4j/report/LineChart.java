package dev.mono4j.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Lines of (x, y) points against nice linear x and linear or log y axes. Points that cannot be drawn (NaN,
 * infinite, or not positive on a log axis) break the line rather than end the series.
 */
public record LineChart(String title, String xLabel, String yLabel, boolean logY, List<Series> series,
        List<ReferenceLine> referenceLines, int width, int height) implements Chart {

    /**
     * One named line. The arrays are copied in and out, so a chart cannot change once built; equals compares the
     * arrays by identity (records do), which is fine since charts are rendered, not compared.
     */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            Objects.requireNonNull(name, "name");
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x values but " + y.length + " y values");
            }
            x = x.clone();
            y = y.clone();
        }

        @Override
        public double[] x() {
            return x.clone();
        }

        @Override
        public double[] y() {
            return y.clone();
        }
    }

    public LineChart {
        Frame.checkCommon(title, xLabel, yLabel, width, height);
        series = List.copyOf(series);
        referenceLines = List.copyOf(referenceLines);
    }

    public static Builder builder(String title) {
        return new Builder(title);
    }

    @Override
    public String toSvg() {
        double[] xr = range(true);
        double[] yr = range(false);
        Scale xs = Scale.linear(xr[0], xr[1]);
        Scale ys = logY ? Scale.log(yr[0], yr[1]) : Scale.linear(yr[0], yr[1]);
        List<String> legend = new ArrayList<>();
        for (Series s : series) {
            legend.add(points(s) == 0 ? s.name + " (no data)" : s.name);
        }
        Frame f = new Frame(width, height, title, xLabel, yLabel, ys, legend, referenceLines);
        f.begin(18);
        for (double t : xs.ticks()) {
            double px = px(f, xs, t);
            f.line(px, f.top, px, f.bottom, "#e6e6e6", "");
            f.text(px, f.bottom + 15, "middle", "class=\"xtick\" fill=\"#444\"", xs.label(t));
        }
        boolean markers = series.stream().mapToInt(this::points).sum() <= 40; // few points: show where they are
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            if (points(s) == 0) {
                continue;
            }
            StringBuilder d = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            boolean pen = false;
            for (int k = 0; k < s.x.length; k++) {
                if (!drawable(s, k)) {
                    pen = false; // a gap: the next good point starts a new piece
                    continue;
                }
                String px = Frame.n(px(f, xs, s.x[k]));
                String py = Frame.n(f.py(s.y[k]));
                d.append(pen ? " L" : (d.length() == 0 ? "M" : " M")).append(px).append(' ').append(py);
                boolean alone = !pen && (k + 1 == s.x.length || !drawable(s, k + 1)); // no line will show it
                pen = true;
                if (markers || alone) {
                    dots.append("<circle cx=\"").append(px).append("\" cy=\"").append(py).append("\" r=\"2.5\"/>");
                }
            }
            f.out.append("<path class=\"series\" data-series=\"").append(Frame.esc(s.name)).append("\" d=\"").append(d)
                    .append("\" fill=\"none\" stroke=\"").append(Frame.color(i)).append("\" stroke-width=\"2\"")
                    .append(" stroke-linejoin=\"round\" stroke-linecap=\"round\"").append(Frame.dash(i)).append("/>\n");
            if (dots.length() > 0) {
                f.out.append("<g fill=\"").append(Frame.color(i)).append("\">").append(dots).append("</g>\n");
            }
        }
        f.referenceLines();
        if (series.stream().allMatch(s -> points(s) == 0)) {
            f.text((f.left + f.right) / 2, (f.top + f.bottom) / 2, "middle", "fill=\"#888\" font-size=\"13\"", "no data");
        }
        return f.end(true);
    }

    private static double px(Frame f, Scale xs, double x) {
        return f.left + xs.frac(x) * (f.right - f.left);
    }

    /** Whether point k can be drawn: finite, and y positive on a log axis. */
    private boolean drawable(Series s, int k) {
        return Double.isFinite(s.x[k]) && Double.isFinite(s.y[k]) && (!logY || s.y[k] > 0);
    }

    private int points(Series s) {
        int n = 0;
        for (int k = 0; k < s.x.length; k++) {
            n += drawable(s, k) ? 1 : 0;
        }
        return n;
    }

    /** {min, max} of the drawable x or y values (reference lines count for y); {+∞, −∞} means no data. */
    private double[] range(boolean x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int k = 0; k < s.x.length; k++) {
                if (drawable(s, k)) {
                    lo = Math.min(lo, x ? s.x[k] : s.y[k]);
                    hi = Math.max(hi, x ? s.x[k] : s.y[k]);
                }
            }
        }
        for (ReferenceLine r : x ? List.<ReferenceLine>of() : referenceLines) {
            if (Double.isFinite(r.y()) && (!logY || r.y() > 0)) {
                lo = Math.min(lo, r.y());
                hi = Math.max(hi, r.y());
            }
        }
        return new double[] {lo, hi};
    }

    public static final class Builder extends ChartBuilder<Builder> {
        private boolean logY;
        private final List<Series> series = new ArrayList<>();

        private Builder(String title) {
            super(title);
        }

        @Override
        Builder self() {
            return this;
        }

        public Builder logY(boolean log) {
            logY = log;
            return this;
        }

        public Builder series(String name, double[] x, double[] y) {
            series.add(new Series(name, x, y));
            return this;
        }

        /** A series with x = 0, 1, 2, ... (steps, layers). */
        public Builder series(String name, double[] y) {
            double[] x = new double[y.length];
            Arrays.setAll(x, i -> i);
            return series(name, x, y);
        }

        public LineChart build() {
            return new LineChart(title, xLabel, yLabel, logY, series, refs, width, height);
        }
    }
}
