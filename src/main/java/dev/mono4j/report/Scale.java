package dev.mono4j.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/**
 * An axis: its range, its tick values and how values map onto it. Linear axes use 1-2-5 steps and widen to the
 * outer ticks, so the plot starts and ends on a labelled value; log axes widen to whole decades.
 * For log axes {@code lo} and {@code hi} are decade exponents.
 */
record Scale(double lo, double hi, List<Double> ticks, double step, boolean log) {
    private static final int TARGET_TICKS = 5;
    private static final double EPS = 1e-9; // forgives 0.6/0.2 = 2.9999999999999996

    static Scale linear(double min, double max) {
        if (!(min <= max) || Double.isInfinite(min) || Double.isInfinite(max)) { // no finite data at all
            min = 0;
            max = 1;
        }
        if (min == max) { // one value: give it some room rather than divide by zero
            double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        double raw = (max - min) / (TARGET_TICKS - 1);
        int e = (int) Math.floor(Math.log10(raw));
        double f = raw / Math.pow(10, e);
        int m = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
        if (m == 10) {
            m = 1;
            e++;
        }
        double step = decimal(m, e);
        long first = (long) Math.floor(min / step + EPS);
        long last = (long) Math.ceil(max / step - EPS);
        List<Double> ticks = new ArrayList<>();
        for (long k = first; k <= last; k++) {
            ticks.add(decimal(k * m, e));
        }
        return new Scale(ticks.get(0), ticks.get(ticks.size() - 1), List.copyOf(ticks), step, false);
    }

    /** Decades from below {@code min} to above {@code max} (both positive); 2 and 5 multiples too when few decades. */
    static Scale log(double min, double max) {
        if (!(min > 0 && min <= max) || Double.isInfinite(max)) {
            min = 1;
            max = 10;
        }
        int lo = (int) Math.floor(Math.log10(min) + EPS);
        int hi = (int) Math.ceil(Math.log10(max) - EPS);
        if (hi == lo) {
            hi++;
        }
        int stride = Math.max(1, (hi - lo + 7) / 8); // at most ~8 decade labels
        hi = lo + stride * ((hi - lo + stride - 1) / stride);
        List<Double> ticks = new ArrayList<>();
        for (int k = lo; k <= hi; k += stride) {
            ticks.add(decimal(1, k));
            if (hi - lo <= 2 && k < hi) {
                ticks.add(decimal(2, k));
                ticks.add(decimal(5, k));
            }
        }
        return new Scale(lo, hi, List.copyOf(ticks), stride, true);
    }

    /** Where v lies on the axis, 0 at the low end and 1 at the high end. */
    double frac(double v) {
        return ((log ? Math.log10(v) : v) - lo) / (hi - lo);
    }

    /** Whether v can be drawn on this axis (finite, and positive on a log axis). */
    boolean accepts(double v) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    String label(double tick) {
        if (log || tick == 0) {
            return compact(tick, 3);
        }
        // Enough digits to tell neighbouring ticks apart (1000.5 vs 1001), never fewer than the step needs.
        int digits = exponent(Math.abs(tick)) - exponent(step) + 1;
        return compact(tick, Math.max(1, digits));
    }

    /** m × 10^e computed so the result is the double nearest the decimal (0.6, not 0.6000000000000001). */
    private static double decimal(long m, int e) {
        return e >= 0 ? m * Math.pow(10, e) : m / Math.pow(10, -e);
    }

    private static int exponent(double v) {
        return (int) Math.floor(Math.log10(v) + EPS);
    }

    /** Short human form: 0.13, 1.2k, 3.4M, 3.4e-5; at most {@code sig} significant digits. */
    static String compact(double v, int sig) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "−∞";
        }
        if (v == 0) {
            return "0";
        }
        BigDecimal d = BigDecimal.valueOf(v).round(new MathContext(sig));
        int e = d.precision() - d.scale() - 1; // floor(log10 |d|) after rounding, so 999.99 → 1k not 1000
        if (e < -3 || e >= 15) {
            return plain(d.movePointLeft(e)) + "e" + e;
        }
        if (e >= 3) {
            int group = e / 3;
            return plain(d.movePointLeft(3 * group)) + "kMGT".charAt(group - 1);
        }
        return plain(d);
    }

    private static String plain(BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
    }
}
