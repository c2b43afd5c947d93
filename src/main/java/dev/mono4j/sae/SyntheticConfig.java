package dev.mono4j.sae;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The synthetic superposition model of Chen et al. 2025 ("Taming Polysemanticity", arXiv 2506.14002):
 * data X = H V + noise, with n unit-norm feature directions V (rows, n × d; superposition when n &gt; d) and a
 * non-negative coefficient matrix H with at most s non-zeros per row. Defaults are the paper's main synthetic
 * case, n = 512, d = 64, s = 4..8; the rest are our choices where we could not read the paper's (docs/sae.md).
 * In JSON (synthetic.json) the three specs are written as the strings their {@code parse} reads.
 *
 * @param n           number of features (rows of V)
 * @param d           width of a data row
 * @param sparsity    how many features a row mixes (s), see {@link Sparsity}
 * @param frequencies how often each feature occurs, see {@link Frequencies}
 * @param magnitudes  the non-zero entries of H, see {@link Magnitudes}
 * @param noise       σ of Gaussian noise added to every coordinate of every row (default 0: X = H V exactly)
 * @param seed        draws V (each data stream has its own seed, see {@link SyntheticSuperposition#source})
 */
public record SyntheticConfig(int n, int d, Sparsity sparsity, Frequencies frequencies, Magnitudes magnitudes,
        double noise, long seed) {
    public static final SyntheticConfig DEFAULT = new SyntheticConfig(512, 64, Sparsity.parse("4-8"),
            Frequencies.UNIFORM, Magnitudes.parse("uniform:0,1"), 0, 1);

    public SyntheticConfig {
        if (n < 1 || d < 1 || (long) n * d > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("need n >= 1 features and d >= 1 dimensions, n * d below 2^31");
        }
        if (sparsity == null || frequencies == null || magnitudes == null) {
            throw new IllegalArgumentException("sparsity, frequencies and magnitudes must be given");
        }
        if (sparsity.max() > n) {
            throw new IllegalArgumentException("sparsity " + sparsity + " mixes up to " + sparsity.max()
                    + " features a row, but there are only n = " + n);
        }
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw new IllegalArgumentException("noise must be a finite σ >= 0, not " + noise);
        }
    }

    /**
     * The number of features s in a row: drawn for each row, {@code values.get(i)} with probability
     * {@code shares.get(i)}. Written {@code 6} (always 6), {@code 4-8} (uniform over 4..8, the paper's main
     * case) or {@code 3:0.5,20:0.5} (half the rows 3, half 20: the paper's imbalanced case).
     */
    public record Sparsity(List<Integer> values, List<Double> shares) {
        public Sparsity {
            values = List.copyOf(values);
            shares = List.copyOf(shares);
            if (values.isEmpty() || values.size() != shares.size()) {
                throw new IllegalArgumentException("sparsity needs one share per value");
            }
            double sum = 0;
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) < 1 || (i > 0 && values.get(i) <= values.get(i - 1))) {
                    throw new IllegalArgumentException("sparsity values must be >= 1 and increasing: " + values);
                }
                if (!(shares.get(i) > 0) || Double.isInfinite(shares.get(i))) {
                    throw new IllegalArgumentException("sparsity shares must be positive: " + shares);
                }
                sum += shares.get(i);
            }
            if (Math.abs(sum - 1) > 1e-6) {
                throw new IllegalArgumentException("sparsity shares must sum to 1, not " + sum);
            }
        }

        @JsonCreator
        public static Sparsity parse(String spec) {
            String s = spec.strip();
            try {
                if (s.contains(":")) {
                    List<Integer> values = new ArrayList<>();
                    List<Double> shares = new ArrayList<>();
                    for (String part : s.split(",", -1)) {
                        String[] kv = part.split(":", -1);
                        if (kv.length != 2) {
                            throw new NumberFormatException();
                        }
                        values.add(Integer.parseInt(kv[0].strip()));
                        shares.add(Double.parseDouble(kv[1].strip()));
                    }
                    return new Sparsity(values, shares);
                }
                int dash = s.indexOf('-', 1);
                int lo = Integer.parseInt((dash < 0 ? s : s.substring(0, dash)).strip());
                int hi = dash < 0 ? lo : Integer.parseInt(s.substring(dash + 1).strip());
                if (hi < lo || lo < 1) {
                    throw new IllegalArgumentException("sparsity '" + spec + "': need 1 <= low <= high");
                }
                List<Integer> values = new ArrayList<>();
                List<Double> shares = new ArrayList<>();
                for (int v = lo; v <= hi; v++) {
                    values.add(v);
                    shares.add(1.0 / (hi - lo + 1));
                }
                return new Sparsity(values, shares);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("sparsity '" + spec + "' is not S, LOW-HIGH or S:SHARE,S:SHARE,...");
            }
        }

        /** The spec {@link #parse} reads back: a range when the shares are a range's, else value:share pairs. */
        @JsonValue
        @Override
        public String toString() {
            int lo = values.get(0);
            boolean range = max() - lo + 1 == values.size()
                    && shares.stream().allMatch(x -> x == 1.0 / values.size());
            if (range) {
                return lo == max() ? String.valueOf(lo) : lo + "-" + max();
            }
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                parts.add(values.get(i) + ":" + shares.get(i));
            }
            return String.join(",", parts);
        }

        public int max() {
            return values.get(values.size() - 1);
        }

        /** E[s], the mean number of features a row mixes. */
        public double mean() {
            double m = 0;
            for (int i = 0; i < values.size(); i++) {
                m += values.get(i) * shares.get(i);
            }
            return m;
        }

        /** The index of a value, drawn with the shares' probabilities. */
        int sampleIndex(RandomGenerator rng) {
            double u = rng.nextDouble();
            for (int i = 0; i < shares.size() - 1; i++) {
                u -= shares.get(i);
                if (u < 0) {
                    return i;
                }
            }
            return shares.size() - 1; // also catches shares summing to slightly less than 1
        }
    }

    /**
     * How often each feature occurs: {@code uniform} (the default) or, to study imbalance, {@code zipf:α},
     * which gives feature i (from 0) a weight w_i = (i + 1)^−α; a row holding s features holds feature i with
     * probability min(1, c·w_i), c such that these sum to s (so the most frequent features can be in every
     * row). {@code uniform} is {@code zipf:0}: probability s/n for each. The paper's imbalance (as far as we
     * know it) is in s, not in the features, see {@link Sparsity}; Zipf weights are our addition.
     * The exact probabilities are {@link SyntheticSuperposition#frequencies()}.
     *
     * @param zipfExponent α &gt;= 0
     */
    public record Frequencies(double zipfExponent) {
        public static final Frequencies UNIFORM = new Frequencies(0);

        public Frequencies {
            if (!(zipfExponent >= 0) || Double.isInfinite(zipfExponent)) {
                throw new IllegalArgumentException("the Zipf exponent must be finite and >= 0, not " + zipfExponent);
            }
        }

        @JsonCreator
        public static Frequencies parse(String spec) {
            String s = spec.strip();
            if (s.equals("uniform")) {
                return UNIFORM;
            }
            try {
                if (s.startsWith("zipf:")) {
                    return new Frequencies(Double.parseDouble(s.substring("zipf:".length())));
                }
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
            throw new IllegalArgumentException("frequencies '" + spec + "' is not uniform or zipf:EXPONENT");
        }

        @JsonValue
        @Override
        public String toString() {
            return zipfExponent == 0 ? "uniform" : "zipf:" + zipfExponent;
        }

        /** Relative weight of feature {@code i}. */
        double weight(int i) {
            return Math.pow(i + 1, -zipfExponent);
        }
    }

    /**
     * The non-zero entries of H: uniform on (low, high], written {@code uniform:LOW,HIGH} or {@code const:C}
     * (every entry C). Default {@code uniform:0,1}: the paper's values were not available to us, so we took
     * the usual toy-model choice (Elhage et al. 2022, "Toy Models of Superposition": active features uniform
     * on [0, 1]); the interval is open at low so that a feature in a row is never exactly absent.
     */
    public record Magnitudes(double low, double high) {
        public Magnitudes {
            if (!(low >= 0) || !(high >= low) || high == 0 || Double.isInfinite(high)) {
                throw new IllegalArgumentException("magnitudes need 0 <= low <= high, high finite and > 0");
            }
        }

        @JsonCreator
        public static Magnitudes parse(String spec) {
            String s = spec.strip();
            try {
                if (s.startsWith("const:")) {
                    double c = Double.parseDouble(s.substring("const:".length()));
                    return new Magnitudes(c, c);
                }
                String[] lh = s.startsWith("uniform:") ? s.substring("uniform:".length()).split(",", -1) : new String[0];
                if (lh.length == 2) {
                    return new Magnitudes(Double.parseDouble(lh[0]), Double.parseDouble(lh[1]));
                }
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
            throw new IllegalArgumentException("magnitudes '" + spec + "' is not uniform:LOW,HIGH or const:C");
        }

        @JsonValue
        @Override
        public String toString() {
            return low == high ? "const:" + low : "uniform:" + low + "," + high;
        }

        double sample(RandomGenerator rng) {
            return high - (high - low) * rng.nextDouble();
        }
    }
}
