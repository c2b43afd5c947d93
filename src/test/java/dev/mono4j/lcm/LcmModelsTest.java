package dev.mono4j.lcm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import dev.mono4j.train.RunFolder;
import dev.mono4j.train.RunListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LcmModelsTest {
    @TempDir
    Path tmp;

    @Test
    void lossMatchesPlainJavaForBothOptions() {
        float[] p = {1, 2, 3, 0.5f, -1, 4};
        float[] y = {0, 2, 1, 0.5f, 1, 1};
        float[] w = {1, 0};
        // per target: Σ_c (p − y)²: row 0 = 1 + 0 + 4 = 5; row 1 (weight 0) = 0 + 4 + 9 = 13
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pa = m.create(p, new Shape(2, 3));
            NDArray ya = m.create(y, new Shape(2, 3));
            NDArray wa = m.create(w, new Shape(2));
            assertEquals(5.0, LcmLoss.MSE_SUM.mean(m, pa, ya, wa).getFloat(), 1e-6);
            assertEquals(Math.sqrt(5 + 1e-5), LcmLoss.RMSE.mean(m, pa, ya, wa).getFloat(), 1e-6);
            NDArray both = m.create(new float[] {1, 1}, new Shape(2));
            assertEquals((Math.sqrt(5 + 1e-5) + Math.sqrt(13 + 1e-5)) / 2, LcmLoss.RMSE.mean(m, pa, ya, both).getFloat(),
                    1e-5);
        }
    }

    @Test
    void cosineZeroSnrScheduleMatchesHandFormulas() {
        NoiseSchedule s = new NoiseSchedule(100);
        double s0 = Math.cos((0.01 + 0.008) / 1.008 * Math.PI / 2);
        double c0 = Math.cos(0.008 / 1.008 * Math.PI / 2);
        // the rescale keeps √ᾱ_0 and sets ᾱ_{T−1} to 0
        assertEquals(s0 * s0 / (c0 * c0), s.alphaBar(0), 1e-12);
        assertEquals(0.0, s.alphaBar(99), 1e-15);
        // an interior value: (√ᾱ_t − √ᾱ_T)·√ᾱ_0/(√ᾱ_0 − √ᾱ_T) of the cosine ᾱ (capped β only at the end)
        double[] bar = new double[100];
        double prod = 1;
        for (int i = 0; i < 100; i++) {
            double a1 = Math.pow(Math.cos(((i + 1) / 100.0 + 0.008) / 1.008 * Math.PI / 2), 2);
            double a0 = Math.pow(Math.cos((i / 100.0 + 0.008) / 1.008 * Math.PI / 2), 2);
            prod *= 1 - Math.min(1 - a1 / a0, 0.999);
            bar[i] = prod;
        }
        double r = (Math.sqrt(bar[49]) - Math.sqrt(bar[99])) * Math.sqrt(bar[0]) / (Math.sqrt(bar[0]) - Math.sqrt(bar[99]));
        assertEquals(r * r, s.alphaBar(49), 1e-12);
        assertArrayEquals(new int[] {99, 89, 79, 69, 59, 49, 39, 29, 19, 9}, s.inferenceTimesteps(10));
        int[] forty = s.inferenceTimesteps(40);
        assertEquals(99, forty[0]);
        assertEquals(2, forty[39]);
    }

    @Test
    void ddimStepMatchesFormula() {
        NoiseSchedule s = new NoiseSchedule(100);
        double xt = 0.7;
        double x0 = -0.3;
        int t = 59;
        int prev = 49;
        double eps = (xt - Math.sqrt(s.alphaBar(t)) * x0) / Math.sqrt(1 - s.alphaBar(t));
        assertEquals(eps, s.epsilon(xt, x0, t), 1e-12);
        assertEquals(Math.sqrt(s.alphaBar(prev)) * x0 + Math.sqrt(1 - s.alphaBar(prev)) * eps, s.ddimStep(x0, eps, prev),
                1e-12);
        assertEquals(x0, s.ddimStep(x0, eps, -1), 1e-12); // ᾱ_prev = 1 after the last step
        assertEquals(x0, s.sampleFromEpsilon(xt, eps, t), 1e-12);
        // zero terminal SNR: x_T is pure noise, so ε = x_T whatever x₀ is
        assertEquals(xt, s.epsilon(xt, x0, 99), 1e-12);
    }

    @Test
    void zeroInitialisedAdaLnMakesEveryLayerTheIdentity() {
        int dim = 3;
        int d = 8;
        try (NDManager m = NDManager.newBaseManager()) {
            Denoiser den = Denoiser.random(dim, d, 2, 2, 7, m);
            float[] x = {0.5f, -1, 2, 1, 0, -0.5f};
            NDArray context = m.randomNormal(new Shape(1, 2, d));
            NDArray bias = Denoiser.CrossMask.training(m, 1, 2, new long[] {1, 1}, new boolean[2]);
            float[] out = den.forward(m, m.create(x, new Shape(1, 2, dim)), new int[] {3, 90}, context, bias).toFloatArray();
            // expected: out_proj(RMSNorm(in_proj(x))) with unit norm scales, in plain Java
            Map<String, NDArray> w = den.parameters();
            float[] win = w.get("in_proj.weight").toFloatArray();
            float[] wout = w.get("out_proj.weight").toFloatArray();
            for (int t = 0; t < 2; t++) {
                double[] h = new double[d];
                double ms = 0;
                for (int i = 0; i < d; i++) {
                    for (int c = 0; c < dim; c++) {
                        h[i] += win[i * dim + c] * x[t * dim + c];
                    }
                    ms += h[i] * h[i] / d;
                }
                for (int o = 0; o < dim; o++) {
                    double y = 0;
                    for (int i = 0; i < d; i++) {
                        y += wout[o * d + i] * h[i] / Math.sqrt(ms + 1e-5);
                    }
                    assertEquals(y, out[t * dim + o], 1e-5);
                }
            }
        }
    }

    @Test
    void crossAttentionSeesOnlyEarlierContextAndDroppedRowsOnlyTheZeroVector() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] bias = Denoiser.CrossMask.training(m, 1, 3, new long[] {1, 1, 0}, new boolean[] {false, true, false})
                    .toFloatArray();
            // rows: query 0..2; keys: zero vector, context 0, 1, 2 (context 2 is padding)
            boolean[] seen = new boolean[bias.length];
            for (int i = 0; i < bias.length; i++) {
                seen[i] = bias[i] == 0;
            }
            assertArrayEquals(new boolean[] {true, false, false, false, true, false, false, false, true, true, true, false},
                    seen);
        }
    }

    /** Documents of unit vectors where each next sentence is a fixed rotation of the last (identity normaliser). */
    static ConceptCorpus rotationCorpus(int dim, int docs, int length, long seed) {
        Random rng = new Random(seed);
        List<float[]> bank = new ArrayList<>();
        List<ConceptCorpus.Document> documents = new ArrayList<>();
        for (int doc = 0; doc < docs; doc++) {
            double angle = rng.nextDouble() * 2 * Math.PI;
            int[] ids = new int[length];
            for (int i = 0; i < length; i++) {
                float[] v = new float[dim];
                double a = angle + i * Math.PI / 3; // rotate by 60° in the first plane per sentence
                v[0] = (float) Math.cos(a);
                v[1] = (float) Math.sin(a);
                ids[i] = bank.size();
                bank.add(v);
            }
            ConceptCorpus.Split split = doc % 5 == 4 ? ConceptCorpus.Split.VALID : ConceptCorpus.Split.TRAIN;
            documents.add(new ConceptCorpus.Document("d" + doc, split, ids));
        }
        float[] flat = new float[bank.size() * dim];
        List<String> sentences = new ArrayList<>();
        for (int i = 0; i < bank.size(); i++) {
            System.arraycopy(bank.get(i), 0, flat, i * dim, dim);
            sentences.add("s" + i);
        }
        return new ConceptCorpus("toy", dim, flat, sentences, List.of(), documents, Normalizer.identity(dim));
    }

    static LcmTrainConfig.Builder small() {
        return LcmTrainConfig.builder().dModel(32).layers(1).heads(2).denoiserLayers(1).context(4).batchSize(8)
                .lr(3e-3).warmup(10).evalEvery(0).checkpointEvery(0).seed(3);
    }

    private static final RunListener<LcmStepLog> QUIET = r -> { };

    @Test
    void baseLcmLearnsARotationAndItsSavedModelPredictsTheSame() {
        ConceptCorpus corpus = rotationCorpus(4, 40, 8, 1);
        Path out = tmp.resolve("run");
        LcmStepLog last = LcmTrainer.run(small().steps(300).build(), corpus, tmp.resolve("concepts"), out, false, QUIET);
        LcmStepLog first = firstLine(out);
        assertTrue(last.validLoss() < 0.05 && last.validLoss() < first.loss() / 10,
                "valid loss " + last.validLoss() + " after a first loss of " + first.loss());
        List<float[][]> contexts = List.<float[][]>of(new float[][] {{1, 0, 0, 0}}, new float[][] {{0, 1, 0, 0}, {-0.8660254f, 0.5f, 0, 0}});
        try (ConceptModel model = LcmModels.load(out.resolve(RunFolder.FINAL))) {
            float[][] next = model.predictNext(contexts, 0);
            assertEquals(0.5, next[0][0], 0.15); // cos 60°
            assertEquals(0.866, next[0][1], 0.15);
            try (ConceptModel again = LcmModels.load(out.resolve(RunFolder.FINAL))) {
                assertArrayEquals(next[1], again.predictNext(contexts, 5)[1], 0f);
            }
        }
        assertEquals("toy", LcmModels.settings(out.resolve(RunFolder.FINAL)).encoder());
    }

    @Test
    void resumeIsBitExact() throws Exception {
        ConceptCorpus corpus = rotationCorpus(4, 20, 6, 2);
        LcmTrainConfig cfg = small().model(LcmSettings.TWO_TOWER).steps(6).warmup(2).checkpointEvery(3).build();
        Path whole = tmp.resolve("whole");
        LcmTrainer.run(cfg, corpus, tmp.resolve("c"), whole, false, QUIET);
        Path killed = tmp.resolve("killed");
        RunListener<LcmStepLog> killAt4 = r -> {
            if (r.step() == 4) {
                throw new IllegalStateException("killed");
            }
        };
        assertThrows(IllegalStateException.class, () -> LcmTrainer.run(cfg, corpus, tmp.resolve("c"), killed, false, killAt4));
        LcmTrainer.resume(killed, dir -> corpus, QUIET);
        for (String file : List.of("model.safetensors", TwoTowerLcm.DENOISER_FILE)) {
            assertArrayEquals(Files.readAllBytes(whole.resolve("final").resolve(file)),
                    Files.readAllBytes(killed.resolve("final").resolve(file)), file);
        }
    }

    @Test
    void twoTowerTrainedOnARotationSamplesNearTheTruth() {
        ConceptCorpus corpus = rotationCorpus(4, 40, 8, 1);
        Path out = tmp.resolve("tt");
        LcmTrainer.run(small().model(LcmSettings.TWO_TOWER).steps(400).inferenceSteps(10).build(), corpus,
                tmp.resolve("concepts"), out, false, QUIET);
        try (ConceptModel model = LcmModels.load(out.resolve(RunFolder.FINAL))) {
            float[][] next = model.predictNext(List.<float[][]>of(new float[][] {{0, 1, 0, 0}, {-0.8660254f, 0.5f, 0, 0}}), 11);
            // truth: the rotation of (−0.866, 0.5) by 60°, (−0.866, −0.5)
            double dist = Math.hypot(next[0][0] + 0.866, next[0][1] + 0.5);
            assertTrue(dist < 0.5, "sample " + java.util.Arrays.toString(next[0]) + " is " + dist + " from the truth");
        }
    }

    @Test
    void badConfigIsOneLineUserError() {
        assertThrows(UserInputException.class, () -> small().heads(3).build());
        assertThrows(UserInputException.class, () -> small().inferenceSteps(200).build());
    }

    private static LcmStepLog firstLine(Path out) throws RuntimeException {
        try {
            return LcmStepLog.fromJson(Json.parseLine(Files.readAllLines(out.resolve(RunFolder.LOG)).get(0), "log"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
