package dev.mono4j.monet;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Which units (experts, neurons) belong to a label, from their mean per label: unit u belongs to label L when
 * mean_L(u) ≥ ratio × max over the other labels of mean(u) ([P] arXiv 2412.04139v4 App. D.1: an expert is assigned
 * to a domain when its mean routing probability there is at least twice the runner-up's; ratio 2). A unit never
 * seen on L (mean 0) belongs to no label (our choice: 0 ≥ 2 × 0 would otherwise hand idle units to every label).
 */
public final class SelectivityRule {
    /** [P] App. D.1's factor over the runner-up. */
    public static final double DEFAULT_RATIO = 2.0;

    private SelectivityRule() {
    }

    /** A unit's index, its mean on the label and mean_L / runner-up (+∞ when every other label's mean is 0). */
    public record Unit(int index, double mean, double ratio) {
    }

    /** Per unit, the largest mean over the labels other than {@code label}: the runner-up. */
    static double[] runnerUps(Map<String, double[]> means, String label) {
        double[] own = own(means, label);
        double[] r = new double[own.length];
        for (Map.Entry<String, double[]> e : means.entrySet()) {
            if (!e.getKey().equals(label)) {
                for (int u = 0; u < own.length; u++) {
                    r[u] = Math.max(r[u], e.getValue()[u]);
                }
            }
        }
        return r;
    }

    /** The units of {@code label} under the rule, by descending ratio. */
    public static List<Unit> selective(Map<String, double[]> means, String label, double ratio) {
        double[] own = own(means, label);
        double[] runnerUp = runnerUps(means, label);
        return IntStream.range(0, own.length).filter(u -> own[u] > 0 && own[u] >= ratio * runnerUp[u])
                .mapToObj(u -> unit(u, own, runnerUp)).sorted(ORDER).toList();
    }

    /**
     * The {@code count} units most selective for {@code label} (descending ratio, then mean), whether or not they pass
     * the rule: for a baseline of a fixed budget. Units never seen on the label are not taken, so fewer may come back.
     */
    public static List<Unit> top(Map<String, double[]> means, String label, int count) {
        double[] own = own(means, label);
        double[] runnerUp = runnerUps(means, label);
        return IntStream.range(0, own.length).filter(u -> own[u] > 0).mapToObj(u -> unit(u, own, runnerUp))
                .sorted(ORDER).limit(count).toList();
    }

    private static Unit unit(int u, double[] own, double[] runnerUp) {
        return new Unit(u, own[u], own[u] / runnerUp[u]); // x / 0 = +∞ for x > 0
    }

    private static double[] own(Map<String, double[]> means, String label) {
        double[] own = means.get(label);
        if (own == null) {
            throw new IllegalArgumentException("no statistics for label " + label);
        }
        return own;
    }

    private static final Comparator<Unit> ORDER = Comparator.comparingDouble(Unit::ratio).reversed()
            .thenComparing(Comparator.comparingDouble(Unit::mean).reversed()).thenComparingInt(Unit::index);
}
