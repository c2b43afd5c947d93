package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticSuperpositionTest {
    @TempDir
    Path tmp;

    static SyntheticConfig config(int n, int d, String sparsity, String frequencies, String magnitudes, double noise) {
        return new SyntheticConfig(n, d, SyntheticConfig.Sparsity.parse(sparsity),
                SyntheticConfig.Frequencies.parse(frequencies), SyntheticConfig.Magnitudes.parse(magnitudes), noise, 5);
    }

    /** h V in double, from a row of H and the features. */
    static double[] mix(SyntheticSuperposition.Code h, float[] v, int d) {
        double[] x = new double[d];
        for (int k = 0; k < h.features().length; k++) {
            for (int j = 0; j < d; j++) {
                x[j] += h.magnitudes()[k] * (double) v[h.features()[k] * d + j];
            }
        }
        return x;
    }

    @Test
    void featuresAreSeededUnitRows() {
        SyntheticConfig c = config(40, 6, "2", "uniform", "uniform:0,1", 0);
        float[] v = new SyntheticSuperposition(c).features();
        assertEquals(40 * 6, v.length);
        for (int i = 0; i < 40; i++) {
            double sq = 0;
            for (int j = 0; j < 6; j++) {
                sq += v[i * 6 + j] * v[i * 6 + j];
            }
            assertEquals(1, sq, 1e-5, "row " + i);
        }
        assertArrayEquals(v, new SyntheticSuperposition(c).features(), "same seed, same features");
        SyntheticConfig other = new SyntheticConfig(40, 6, c.sparsity(), c.frequencies(), c.magnitudes(), 0, 6);
        assertFalse(Arrays.equals(v, new SyntheticSuperposition(other).features()));
    }

    @Test
    void rowsAreExactNonNegativeCombinationsOfAtMostSFeatures() {
        SyntheticConfig c = config(12, 5, "1-3", "uniform", "uniform:0.5,2", 0);
        SyntheticSuperposition model = new SyntheticSuperposition(c);
        float[] v = model.features();
        float[] x = model.source(11).next(500);
        for (int r = 0; r < 500; r++) {
            SyntheticSuperposition.Code h = model.code(11, r);
            int s = h.features().length;
            assertTrue(s >= 1 && s <= 3, "row " + r + " mixes " + s);
            assertEquals(s, Arrays.stream(h.features()).distinct().count(), "distinct features");
            for (int k = 0; k < s; k++) {
                assertTrue(h.features()[k] >= 0 && h.features()[k] < 12);
                assertTrue(h.magnitudes()[k] > 0.5 && h.magnitudes()[k] <= 2, "magnitude " + h.magnitudes()[k]);
            }
            double[] expected = mix(h, v, 5);
            for (int j = 0; j < 5; j++) {
                assertEquals(expected[j], x[r * 5 + j], 1e-5, "row " + r + " coordinate " + j);
            }
        }
    }

    @Test
    void noiseIsGaussianWithTheConfiguredSigma() {
        SyntheticConfig c = config(32, 16, "2-4", "uniform", "uniform:0,1", 0.1);
        SyntheticSuperposition model = new SyntheticSuperposition(c);
        float[] v = model.features();
        float[] x = model.source(2).next(2000);
        double sq = 0;
        for (int r = 0; r < 2000; r++) {
            double[] clean = mix(model.code(2, r), v, 16);
            for (int j = 0; j < 16; j++) {
                sq += (x[r * 16 + j] - clean[j]) * (x[r * 16 + j] - clean[j]);
            }
        }
        assertEquals(0.1, Math.sqrt(sq / (2000 * 16)), 0.003);
    }

    @Test
    void sparsityAndFeatureFrequenciesMatchTheConfig() {
        // Zipf 1 over 64 features: the most frequent features are capped at probability 1 when s = 6.
        SyntheticConfig c = config(64, 8, "2-6", "zipf:1.0", "uniform:0,1", 0);
        SyntheticSuperposition model = new SyntheticSuperposition(c);
        float[] f = model.frequencies();
        double total = 0;
        for (int i = 0; i < 64; i++) {
            total += f[i];
            assertTrue(i == 0 || f[i] <= f[i - 1], "feature 0 is the most frequent");
        }
        assertEquals(4.0, total, 1e-5, "frequencies sum to E[s]");
        int rows = 100_000;
        long[] count = new long[64];
        long features = 0;
        for (int r = 0; r < rows; r++) {
            int[] support = model.code(1, r).features();
            features += support.length;
            for (int i : support) {
                count[i]++;
            }
        }
        assertEquals(4.0, (double) features / rows, 0.02, "mean s");
        for (int i = 0; i < 64; i++) {
            double sd = Math.sqrt(f[i] * (1 - f[i]) / rows);
            assertEquals(f[i], (double) count[i] / rows, 5 * sd + 1e-9, "feature " + i);
        }
        float[] uniform = new SyntheticSuperposition(config(64, 8, "2-6", "uniform", "uniform:0,1", 0)).frequencies();
        for (float x : uniform) {
            assertEquals(4.0 / 64, x, 1e-7);
        }
    }

    @Test
    void aFeatureCappedAtProbabilityOneIsInEveryRow() {
        SyntheticSuperposition model = new SyntheticSuperposition(config(10, 4, "5", "zipf:3", "uniform:0,1", 0));
        assertEquals(1f, model.frequencies()[0]);
        for (int r = 0; r < 200; r++) {
            assertTrue(Arrays.stream(model.code(0, r).features()).anyMatch(i -> i == 0), "row " + r);
        }
        SyntheticSuperposition all = new SyntheticSuperposition(config(5, 3, "5", "zipf:1", "uniform:0,1", 0));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, Arrays.stream(all.code(0, 7).features()).sorted().toArray());
    }

    @Test
    void aMixtureSpecGivesItsShares() {
        SyntheticSuperposition model = new SyntheticSuperposition(config(128, 42, "3:0.25,20:0.75", "uniform",
                "uniform:0,1", 0));
        int rows = 20_000;
        int three = 0;
        for (int r = 0; r < rows; r++) {
            int s = model.code(4, r).features().length;
            assertTrue(s == 3 || s == 20, "s = " + s);
            three += s == 3 ? 1 : 0;
        }
        assertEquals(0.25, (double) three / rows, 0.015);
    }

    /**
     * The paper's imbalanced toy (gba.md §6: n = 128, d = 42, half the rows s = 3, half s = 20, every feature in
     * ≈ 9% of rows), as `sae synth --n 128 --d 42 --sparsity 3:0.5,20:0.5` makes it: each row mixes exactly 3 or
     * exactly 20 distinct features with positive magnitudes, x = hV exactly, each half holds about half the rows
     * (per row, so in expectation: 5σ of a binomial), and each feature's frequency is (3 + 20)/2/128.
     */
    @Test
    void theImbalancedToyHasHalfItsRowsAtThreeFeaturesAndHalfAtTwenty() {
        SyntheticSuperposition model = new SyntheticSuperposition(config(128, 42, "3:0.5,20:0.5", "uniform",
                "uniform:0,1", 0));
        for (float f : model.frequencies()) {
            assertEquals(11.5 / 128, f, 1e-7);
        }
        int rows = 4_000;
        float[] x = model.source(9).next(rows);
        float[] v = model.features();
        int[] perHalf = new int[21];
        for (int r = 0; r < rows; r++) {
            SyntheticSuperposition.Code h = model.code(9, r);
            int s = h.features().length;
            assertTrue(s == 3 || s == 20, "row " + r + " mixes " + s);
            assertEquals(s, Arrays.stream(h.features()).distinct().count(), "row " + r + ": distinct features");
            for (float a : h.magnitudes()) {
                assertTrue(a > 0 && a <= 1, "row " + r + ": magnitude " + a);
            }
            double[] expected = mix(h, v, 42);
            for (int j = 0; j < 42; j++) {
                assertEquals(expected[j], x[r * 42 + j], 1e-5, "row " + r);
            }
            perHalf[s]++;
        }
        double sd = Math.sqrt(rows * 0.25);
        assertEquals(rows / 2.0, perHalf[3], 5 * sd, "rows with s = 3");
        assertEquals(rows / 2.0, perHalf[20], 5 * sd, "rows with s = 20");
    }

    @Test
    void streamsAreDeterministicAndSkipIsNext() {
        SyntheticSuperposition model = new SyntheticSuperposition(config(50, 7, "2-5", "zipf:0.5", "uniform:0,1", 0.05));
        float[] all = model.source(7).next(50);
        assertArrayEquals(all, model.source(7).next(50), "same seed, same rows");
        ActivationSource parts = model.source(7);
        float[] first = parts.next(30);
        float[] rest = parts.next(20);
        assertArrayEquals(Arrays.copyOfRange(all, 0, 30 * 7), first);
        assertArrayEquals(Arrays.copyOfRange(all, 30 * 7, 50 * 7), rest, "next in parts is next at once");
        ActivationSource skipped = model.source(7);
        skipped.skip(30);
        assertArrayEquals(rest, skipped.next(20), "skip + next == next");
        assertEquals(7, skipped.dIn());
        assertFalse(Arrays.equals(all, model.source(8).next(50)), "another seed, other rows");
    }

    @Test
    void saveAndLoadRoundTrip() throws Exception {
        SyntheticSuperposition model = new SyntheticSuperposition(config(30, 6, "3:0.5,5:0.5", "zipf:1.2",
                "const:1", 0.01));
        model.save(tmp);
        assertEquals(
                java.util.Set.copyOf(SyntheticSuperposition.OUTPUTS),
                java.util.Set.copyOf(Files.list(tmp).map(p -> p.getFileName().toString()).toList()));
        try (SafetensorsReader r = SafetensorsReader.open(tmp.resolve(SyntheticSuperposition.FEATURES_FILE))) {
            assertEquals("[30, 6]", r.info("features").shapeString());
            assertArrayEquals(model.frequencies(), r.readFloats("frequency"));
        }
        SyntheticSuperposition loaded = SyntheticSuperposition.load(tmp);
        assertEquals(model.config(), loaded.config());
        assertArrayEquals(model.features(), loaded.features());
        assertArrayEquals(model.frequencies(), loaded.frequencies());
        assertArrayEquals(model.source(3).next(40), loaded.source(3).next(40));
    }

    /** Saves a small model, lets {@code damage} change the folder, and returns load's error. */
    private String loadError(Consumer<Path> damage) {
        Path dir = tmp.resolve("m" + System.nanoTime());
        new SyntheticSuperposition(config(8, 3, "2", "uniform", "uniform:0,1", 0)).save(dir);
        damage.accept(dir);
        String message = assertThrows(UserInputException.class, () -> SyntheticSuperposition.load(dir)).getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }

    private static void rewrite(Path file, String from, String to) {
        try {
            Files.writeString(file, Files.readString(file).replace(from, to));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void writeFeatures(Path dir, long[] shape, float[] features, float[] frequency) {
        new SafetensorsWriter().addF32("features", shape, features).addF32("frequency", new long[] {8}, frequency)
                .write(dir.resolve(SyntheticSuperposition.FEATURES_FILE));
    }

    @Test
    void loadErrorsNameTheFileAndTheProblem() {
        String json = SyntheticSuperposition.CONFIG_FILE;
        String features = SyntheticSuperposition.FEATURES_FILE;
        assertContains(loadError(dir -> rewrite(dir.resolve(json), "\"n\"", "\"nn\"")), json, "synthetic data config");
        assertContains(loadError(dir -> rewrite(dir.resolve(json), "}", "")), json, "invalid JSON");
        assertContains(loadError(dir -> rewrite(dir.resolve(json), "\"n\" : 8", "\"n\" : 1")), json,
                "only n = 1");
        assertContains(loadError(dir -> rewrite(dir.resolve(json), "\"2\"", "\"2-x\"")), json, "sparsity '2-x'");
        assertContains(loadError(dir -> rewrite(dir.resolve(json), "\"d\" : 3", "\"d\" : 4")), features,
                "tensor 'features' has shape [8, 3]", "[8, 4]");
        assertContains(loadError(dir -> {
            float[] v = SyntheticSuperposition.load(dir).features();
            v[2 * 3] *= 2;
            writeFeatures(dir, new long[] {8, 3}, v, SyntheticSuperposition.load(dir).frequencies());
        }), features, "row 2 has norm");
        assertContains(loadError(dir -> {
            float[] f = SyntheticSuperposition.load(dir).frequencies();
            f[5] = 0.5f;
            writeFeatures(dir, new long[] {8, 3}, SyntheticSuperposition.load(dir).features(), f);
        }), features, "'frequency' gives feature 5 0.5", "give 0.25");
        assertContains(loadError(dir -> {
            try {
                Files.delete(dir.resolve(features));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), features, "file not found");
    }

    private static void assertContains(String message, String... fragments) {
        for (String f : fragments) {
            assertTrue(message.contains(f), "'" + f + "' missing from: " + message);
        }
    }
}
