package dev.mono4j.sae;

import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.io.TensorInfo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Ground truth and data of the synthetic superposition model ({@link SyntheticConfig}): the features V and
 * each feature's occurrence probability, and endless streams of fresh rows x = h V + noise, as the paper
 * samples fresh data at every step. Every row is drawn from its own generator, seeded by the stream's seed
 * and the row's index, so a stream is reproducible and {@link ActivationSource#skip} costs nothing.
 *
 * <p>A row's support (which features it holds) is drawn so that feature i is in it with probability
 * exactly {@code frequencies()[i]}: randomized systematic sampling (Madow 1949) with inclusion probabilities
 * π_i(s) = min(1, c·w_i), Σ π_i = s. Drawing a row costs O(n), no more than an SAE with at least n
 * neurons spends on it.
 *
 * <p>On disk (see {@link #save}): {@value #CONFIG_FILE}, the config, and {@value #FEATURES_FILE}, with
 * {@code features} F32 [n, d] (V, unit rows) and {@code frequency} F32 [n].
 */
public final class SyntheticSuperposition {
    public static final String CONFIG_FILE = "synthetic.json";
    public static final String FEATURES_FILE = "features.safetensors";
    /** What {@link #save} writes into a folder. */
    public static final List<String> OUTPUTS = List.of(CONFIG_FILE, FEATURES_FILE);

    /** Inclusion probabilities are held as integer quotas out of UNIT, so systematic sampling is exact. */
    private static final long UNIT = 1L << 32;

    private final SyntheticConfig config;
    private final float[] features;
    /** Per sparsity level: feature i's quota (its inclusion probability × UNIT); each quota list sums to s·UNIT. */
    private final long[][] quotas;
    private final float[] frequencies;

    /** Draws V from the config's seed: Gaussian rows, normalized (uniform directions on the sphere). */
    public SyntheticSuperposition(SyntheticConfig config) {
        this(config, randomUnitRows(config.n(), config.d(), new SplittableRandom(config.seed())));
    }

    private SyntheticSuperposition(SyntheticConfig config, float[] features) {
        this.config = config;
        this.features = features;
        SyntheticConfig.Sparsity sparsity = config.sparsity();
        double[] weights = IntStream.range(0, config.n()).mapToDouble(config.frequencies()::weight).toArray();
        this.quotas = new long[sparsity.values().size()][];
        double[] frequency = new double[config.n()];
        for (int level = 0; level < quotas.length; level++) {
            quotas[level] = quotas(weights, sparsity.values().get(level));
            for (int i = 0; i < frequency.length; i++) {
                frequency[i] += sparsity.shares().get(level) * quotas[level][i] / UNIT;
            }
        }
        this.frequencies = new float[config.n()];
        for (int i = 0; i < frequency.length; i++) {
            frequencies[i] = (float) frequency[i];
        }
    }

    public SyntheticConfig config() {
        return config;
    }

    /** V, row-major [n, d], unit rows (a copy). */
    public float[] features() {
        return features.clone();
    }

    /** P(feature i is in a row), for each feature (a copy); they sum to the mean sparsity E[s]. */
    public float[] frequencies() {
        return frequencies.clone();
    }

    /** One row of H, sparse: the row holds {@code magnitudes[k]} of feature {@code features[k]}, distinct, > 0. */
    public record Code(int[] features, float[] magnitudes) {
    }

    /** The row of H behind row {@code row} of {@link #source source(seed)}. */
    public Code code(long seed, long row) {
        return code(rowRandom(seed, row), identity(config.n()));
    }

    /** An endless stream of rows x = h V + noise; the same seed gives the same rows. */
    public ActivationSource source(long seed) {
        return new ActivationSource() {
            private final int[] order = new int[config.n()];
            private long row;

            @Override
            public int dIn() {
                return config.d();
            }

            @Override
            public float[] next(int rows) {
                int d = config.d();
                float[] x = new float[Math.multiplyExact(rows, d)];
                for (int r = 0; r < rows; r++, row++) {
                    SplittableRandom rng = rowRandom(seed, row);
                    Code h = code(rng, resetIdentity(order));
                    for (int k = 0; k < h.features.length; k++) {
                        int f = h.features[k] * d;
                        for (int j = 0; j < d; j++) {
                            x[r * d + j] += h.magnitudes[k] * features[f + j];
                        }
                    }
                    // Noise comes last from the row's generator, so code(seed, row) draws the same h without it.
                    if (config.noise() > 0) {
                        for (int j = 0; j < d; j++) {
                            x[r * d + j] += (float) (config.noise() * rng.nextGaussian());
                        }
                    }
                }
                return x;
            }

            @Override
            public void skip(long rows) {
                if (rows < 0) {
                    throw new IllegalArgumentException("cannot skip " + rows + " rows");
                }
                row += rows;
            }
        };
    }

    /** A row's sparsity, support and magnitudes; {@code order} holds 0..n−1 and is scratch space. */
    private Code code(SplittableRandom rng, int[] order) {
        int level = config.sparsity().sampleIndex(rng);
        int s = config.sparsity().values().get(level);
        long[] quota = quotas[level];
        // Systematic sampling: features in random order, laid end to end as intervals of length quota on
        // [0, s·UNIT); the points u, u + UNIT, ..., u + (s−1)·UNIT pick the features whose intervals hold them.
        // No interval is longer than UNIT, so each holds at most one point: s distinct features, and feature
        // i is picked with probability quota_i / UNIT. The order is shuffled only as far as it is walked.
        int[] picked = new int[s];
        long point = rng.nextLong(UNIT);
        long end = 0;
        for (int j = 0, k = 0; k < s; j++) {
            int swap = j + rng.nextInt(order.length - j);
            int i = order[swap];
            order[swap] = order[j];
            order[j] = i;
            end += quota[i];
            if (point < end) {
                picked[k++] = i;
                point += UNIT;
            }
        }
        float[] magnitudes = new float[s];
        for (int k = 0; k < s; k++) {
            magnitudes[k] = (float) config.magnitudes().sample(rng);
        }
        return new Code(picked, magnitudes);
    }

    /**
     * Quotas q_i = π_i·UNIT for π_i = min(1, c·w_i), Σ π_i = s, in integers summing to s·UNIT exactly.
     * Water-filling: the heaviest features are capped at 1 one by one until c·w fits under 1 for the rest.
     */
    private static long[] quotas(double[] weights, int s) {
        int n = weights.length;
        Integer[] heaviestFirst = IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -weights[i])).toArray(Integer[]::new);
        double rest = Arrays.stream(weights).sum();
        int capped = 0;
        while (capped < s && (s - capped) * weights[heaviestFirst[capped]] >= rest) {
            rest -= weights[heaviestFirst[capped++]];
        }
        double c = capped == s ? 0 : (s - capped) / rest;
        double[] pi = new double[n]; // in units of 1/UNIT
        for (int k = 0; k < n; k++) {
            int i = heaviestFirst[k];
            pi[i] = k < capped ? UNIT : Math.min(1, c * weights[i]) * UNIT;
        }
        long[] q = new long[n];
        long left = s * UNIT;
        for (int i = 0; i < n; i++) {
            q[i] = (long) pi[i];
            left -= q[i];
        }
        // Rounding down left fewer than n units: one each to the features that lost the most, none above UNIT.
        Integer[] byRemainder = IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> q[i] - pi[i])).toArray(Integer[]::new);
        for (int k = 0; left > 0; k++) {
            if (q[byRemainder[k]] < UNIT) {
                q[byRemainder[k]]++;
                left--;
            }
        }
        return q;
    }

    /** Writes {@value #CONFIG_FILE} and {@value #FEATURES_FILE} into {@code dir}, each file atomically. */
    public void save(Path dir) {
        AtomicFiles.writeString(dir.resolve(CONFIG_FILE), Json.write(config) + "\n");
        new SafetensorsWriter()
                .addF32("features", new long[] {config.n(), config.d()}, features)
                .addF32("frequency", new long[] {config.n()}, frequencies)
                .write(dir.resolve(FEATURES_FILE));
    }

    /** Reads a folder {@link #save} wrote; anything missing or inconsistent is a one-line user error. */
    public static SyntheticSuperposition load(Path dir) {
        SyntheticConfig config = Json.read(dir.resolve(CONFIG_FILE), SyntheticConfig.class, "synthetic data config");
        Path file = dir.resolve(FEATURES_FILE);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            float[] features = readChecked(r, "features", config.n(), config.d());
            for (int i = 0; i < config.n(); i++) {
                double sq = 0;
                for (int j = 0; j < config.d(); j++) {
                    sq += (double) features[i * config.d() + j] * features[i * config.d() + j];
                }
                if (!(Math.abs(Math.sqrt(sq) - 1) < 1e-4)) {
                    throw new UserInputException(file + ": tensor 'features' row " + i + " has norm " + Math.sqrt(sq)
                            + "; feature directions are unit vectors");
                }
            }
            SyntheticSuperposition model = new SyntheticSuperposition(config, features);
            float[] frequency = readChecked(r, "frequency", config.n());
            for (int i = 0; i < frequency.length; i++) {
                if (!(Math.abs(frequency[i] - model.frequencies[i]) < 1e-6)) {
                    throw new UserInputException(file + ": tensor 'frequency' gives feature " + i + " " + frequency[i]
                            + ", but " + CONFIG_FILE + "'s sparsity and frequencies give " + model.frequencies[i]);
                }
            }
            return model;
        }
    }

    private static float[] readChecked(SafetensorsReader r, String name, long... shape) {
        TensorInfo t = r.info(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new UserInputException(r.path() + ": tensor '" + name + "' has shape " + t.shapeString() + ", "
                    + CONFIG_FILE + " needs " + Arrays.toString(shape));
        }
        return r.readFloats(name);
    }

    private static float[] randomUnitRows(int n, int d, SplittableRandom rng) {
        float[] v = new float[n * d];
        for (int i = 0; i < n; i++) {
            double[] g = new double[d];
            double sq = 0;
            for (int j = 0; j < d; j++) {
                g[j] = rng.nextGaussian();
                sq += g[j] * g[j];
            }
            for (int j = 0; j < d; j++) {
                v[i * d + j] = (float) (g[j] / Math.sqrt(sq));
            }
        }
        return v;
    }

    /**
     * Each row's own generator: seeded by a hash of (stream seed, row), so rows can be drawn in any order
     * and distinct rows get unrelated sequences. The hash is the finalizer of SplittableRandom (Stafford's
     * mix13), whose every output bit depends on every input bit.
     */
    private static SplittableRandom rowRandom(long seed, long row) {
        return new SplittableRandom(mix(seed ^ mix(row + 0x9E3779B97F4A7C15L)));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static int[] identity(int n) {
        return resetIdentity(new int[n]);
    }

    private static int[] resetIdentity(int[] order) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return order;
    }
}
