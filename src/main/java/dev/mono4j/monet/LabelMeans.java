package dev.mono4j.monet;

import java.util.Map;
import java.util.TreeMap;

/**
 * Per label, the sum over tokens of a fixed-width vector (an expert grid's scores, an MLP layer's activations) and the
 * token count: their ratio is the label's mean. Sums are kept in double, whatever the tensors were.
 */
public final class LabelMeans {
    private final int width;
    private final Map<String, double[]> sums = new TreeMap<>();
    private final Map<String, Long> tokens = new TreeMap<>();

    public LabelMeans(int width) {
        this.width = width;
    }

    /** Adds {@code count} tokens of {@code label} whose vectors sum to {@code sum}. */
    public void add(String label, float[] sum, long count) {
        if (sum.length != width) {
            throw new IllegalArgumentException("a sum of " + sum.length + " values for width " + width);
        }
        double[] s = sums.computeIfAbsent(label, k -> new double[width]);
        for (int k = 0; k < width; k++) {
            s[k] += sum[k];
        }
        tokens.merge(label, count, Long::sum);
    }

    public int width() {
        return width;
    }

    /** Tokens seen per label, labels in alphabetical order. */
    public Map<String, Long> tokens() {
        return java.util.Collections.unmodifiableMap(tokens);
    }

    /** Per label (alphabetical), the mean vector over its tokens. */
    public Map<String, double[]> means() {
        Map<String, double[]> m = new TreeMap<>();
        sums.forEach((label, s) -> {
            double[] mean = new double[width];
            long n = tokens.get(label);
            for (int k = 0; k < width; k++) {
                mean[k] = n == 0 ? 0 : s[k] / n;
            }
            m.put(label, mean);
        });
        return m;
    }
}
