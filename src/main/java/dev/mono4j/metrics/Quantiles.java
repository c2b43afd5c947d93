package dev.mono4j.metrics;

/** Quantiles of sorted values with linear interpolation (numpy's default). */
final class Quantiles {
    private Quantiles() {
    }

    static double of(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
