package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.io.Json;
import dev.mono4j.UserInputException;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.train.Gradients;
import dev.mono4j.train.RunFolder;
import dev.mono4j.train.RunListener;
import dev.mono4j.train.TensorBoardListener;
import dev.mono4j.testing.EventFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaeTrainingTest {
    /** Hears nothing: these runs show no progress. */
    private static final RunListener<SaeStepLog> QUIET = line -> { };

    @TempDir
    Path tmp;

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    static SaeConfig config(String a, int dSae, int k, int batch, int steps) {
        return run(arch(a, k, 512, true), dSae, SaeConfig.DecoderBiasInit.GEOMETRIC_MEDIAN, batch, steps);
    }

    /** Architecture {@code a}'s settings in these tests: paper defaults, TopK's and BatchTopK's k, k_aux and path set. */
    static ArchitectureConfig arch(String a, int k, int auxK, boolean sparseDecode) {
        return switch (a) {
            case "topk" -> new TopKConfig(k, auxK, 1.0 / 32, sparseDecode);
            case "batchtopk" -> new BatchTopKConfig(k, auxK, 1.0 / 32, sparseDecode);
            case "relu" -> new ReluConfig(5.0);
            case "jumprelu" -> new JumpReluConfig(1.0, 0.001, 0.001);
            case "gba" -> GbaConfig.DEFAULT;
            case "ba" -> BaConfig.of(GbaConfig.DEFAULT);
            default -> throw new IllegalArgumentException(a);
        };
    }

    /** The run settings of these tests. */
    static SaeConfig run(ArchitectureConfig a, int dSae, SaeConfig.DecoderBiasInit init, int batch, int steps) {
        return SaeConfig.builder().architecture(a).dSae(dSae).expansion(8).deadTokens(10_000_000L).denseThreshold(0.1)
                .unitNormDecoder(true).normalize(true).decoderBias(init, false).lr(3e-3).warmupSteps(5).minLrRatio(0.1)
                .batchSize(batch).steps(steps).seed(7).logEvery(5).checkpointEvery(10).build();
    }

    static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static Map<String, float[]> lossAndGradients(TrainableSae sae, float[] rows, int n, boolean[] dead) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(rows, new Shape(n, sae.dIn));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                TrainableSae.Forward f = sae.forward(m, x, dead);
                gc.backward(f.loss());
                out.put("loss", new float[] {f.loss().getFloat()});
                out.put("recon", f.recon().toFloatArray());
                out.put("firing", f.firing());
            }
            for (Map.Entry<String, NDArray> e : sae.parameters().entrySet()) {
                NDArray g = Gradients.of(e.getValue());
                out.put("grad " + e.getKey(), g == null ? new float[0] : g.toFloatArray());
            }
            Gradients.zero(sae.parameters().values());
        }
        return out;
    }

    /** The sparse TopK path (gathered rows) computes the same loss, reconstruction and gradients as the dense one. */
    @Test
    void sparseAndDenseTopKAgree() {
        for (String a : List.of("topk", "batchtopk")) {
            SaeConfig dense = run(arch(a, 4, 8, false), 48, SaeConfig.DecoderBiasInit.MEAN, 16, 1);
            SaeConfig sparse = run(arch(a, 4, 8, true), 48, SaeConfig.DecoderBiasInit.MEAN, 16, 1);
            Random r = new Random(3);
            float[] rows = random(r, 16 * 12);
            float[] bDec = random(r, 12);
            boolean[] dead = new boolean[48];
            for (int i = 0; i < 48; i += 3) {
                dead[i] = true; // AuxK takes part too
            }
            try (NDManager m = NDManager.newBaseManager(); TrainableSae s = TrainableSae.create(sparse, 12, 1, bDec, m);
                    TrainableSae d = TrainableSae.create(dense, 12, 1, bDec, m)) {
                Map<String, float[]> gs = lossAndGradients(s, rows, 16, dead);
                Map<String, float[]> gd = lossAndGradients(d, rows, 16, dead);
                for (String key : gd.keySet()) {
                    assertArrayEquals(gd.get(key), gs.get(key), 1e-4f, a + " " + key);
                }
            }
        }
    }

    /** ReLU's loss against a direct computation: Σ (x − x̂)² per row, averaged, + λ Σ fᵢ ‖W_dec,ᵢ‖. */
    @Test
    void reluLossMatchesDirectComputation() {
        int dIn = 3;
        int dSae = 5;
        int n = 4;
        SaeConfig cfg = config("relu", dSae, 1, n, 1);
        Random r = new Random(5);
        float[] rows = random(r, n * dIn);
        float[] bDec = random(r, dIn);
        try (NDManager m = NDManager.newBaseManager(); TrainableSae sae = TrainableSae.create(cfg, dIn, 1, bDec, m)) {
            float[] enc = random(r, dSae * dIn);
            float[] dec = random(r, dSae * dIn);
            float[] bEnc = random(r, dSae);
            sae.wEnc.set(enc);
            sae.wDec.set(dec);
            sae.bEnc.set(bEnc);
            double expected = 0;
            for (int row = 0; row < n; row++) {
                double[] recon = new double[dIn];
                for (int j = 0; j < dIn; j++) {
                    recon[j] = bDec[j];
                }
                for (int i = 0; i < dSae; i++) {
                    double pre = bEnc[i];
                    for (int j = 0; j < dIn; j++) {
                        pre += (rows[row * dIn + j] - bDec[j]) * enc[i * dIn + j];
                    }
                    double f = Math.max(0, pre);
                    double norm = 0;
                    for (int j = 0; j < dIn; j++) {
                        recon[j] += f * dec[i * dIn + j];
                        norm += dec[i * dIn + j] * dec[i * dIn + j];
                    }
                    expected += 5.0 * f * Math.sqrt(norm) / n;
                }
                for (int j = 0; j < dIn; j++) {
                    expected += Math.pow(rows[row * dIn + j] - recon[j], 2) / n;
                }
            }
            assertEquals(expected, lossAndGradients(sae, rows, n, null).get("loss")[0], 1e-4 * Math.abs(expected));
        }
    }

    /**
     * JumpReLU: the loss is MSE + λ·L0, and θ gets the straight-through gradient. One latent, one row, z inside
     * the kernel window above θ and a perfect reconstruction: ∂L/∂θ = λ·∂L0/∂θ = −λ/ε.
     */
    @Test
    void jumpReluThresholdGetsStraightThroughGradient() {
        int dIn = 1;
        SaeConfig cfg = config("jumprelu", 1, 1, 1, 1);
        try (NDManager m = NDManager.newBaseManager(); TrainableSae sae = TrainableSae.create(cfg, dIn, 1, new float[] {0}, m)) {
            sae.wEnc.set(new float[] {1});
            sae.wDec.set(new float[] {1});
            double theta = 0.001;
            // z = x = θ + ε/4: inside the window, above θ, so the latent fires: f = z, L0 = 1.
            float x = (float) (theta + 0.00025);
            Map<String, float[]> g = lossAndGradients(sae, new float[] {x}, 1, null);
            assertEquals(1.0 * 1 + 0, g.get("loss")[0], 1e-6, "x̂ = x, so the loss is λ·L0 = 1");
            // ∂L/∂θ = ∂mse/∂f·∂f/∂θ + λ·∂L0/∂θ = 0·… + 1·(−1/ε); ∂L/∂logθ = θ·∂L/∂θ.
            assertEquals(-theta / 0.001, g.get("grad log_threshold")[0], 1e-3);
        }
    }

    /** Removing the gradient's component along each decoder row leaves it orthogonal to the row. */
    @Test
    void decoderGradientLosesItsParallelPart() {
        SaeConfig cfg = config("relu", 6, 1, 8, 1);
        Random r = new Random(9);
        try (NDManager m = NDManager.newBaseManager(); TrainableSae sae = TrainableSae.create(cfg, 4, 1, new float[4], m)) {
            float[] rows = random(r, 8 * 4);
            try (NDManager s = NDManager.newBaseManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(sae.forward(s, s.create(rows, new Shape(8, 4)), null).loss());
            }
            sae.projectDecoderGradient();
            NDArray g = Gradients.of(sae.wDec);
            float[] dots = g.mul(sae.wDec).sum(new int[] {1}).toFloatArray();
            for (float d : dots) {
                assertEquals(0, d, 1e-5);
            }
            g.close();
        }
    }

    @Test
    void geometricMedianOfCollinearPointsIsTheMiddleOne() {
        float[] rows = {0, 0, 1, 0, 10, 0};
        float[] med = SaeTrainer.decoderBiasInit(SaeConfig.DecoderBiasInit.GEOMETRIC_MEDIAN, rows, 2);
        assertEquals(1, med[0], 1e-3);
        assertEquals(0, med[1], 1e-6);
        assertArrayEquals(new float[] {11f / 3, 0}, SaeTrainer.decoderBiasInit(SaeConfig.DecoderBiasInit.MEAN, rows, 2), 1e-6f);
    }

    /** The bias rule: too frequent → down by γ₋ r_m (floored at −R); never firing → up by γ₊ r̄_k (capped at 0). */
    @Test
    void biasAdaptationRule() {
        GbaConfig cfg = GbaConfig.builder().groups(1).htf(0.1).ltf(0.1).adaptEvery(1).gammaMinus(0.5).gammaPlus(0.25).build();
        GroupBiasAdaptation gba = new GroupBiasAdaptation(cfg, 4, 1.0, 1);
        // 10 rows: latent 0 fires 5 times (0.5 > 0.1), 1 fires once (0.1, on target), 2 never, 3 fires 9 times.
        gba.record(new float[] {5, 1, 0, 9}, new float[] {0.8f, 0.4f, 0f, 4f}, 10);
        float[] b = {-0.1f, -0.2f, -0.3f, -0.5f};
        gba.adapt(b);
        double meanPeak = (0.8 + 0.4 + 4) / 3; // latents with a positive peak
        assertArrayEquals(new float[] {-0.1f - 0.4f, -0.2f, (float) Math.min(-0.3 + 0.25 * meanPeak, 0), -1f}, b, 1e-6f);
        assertEquals(0, gba.windowRows(), "a new window starts");
    }

    @Test
    void groupTargetsAreGeometricAndPartitionIsBalanced() {
        GbaConfig cfg = GbaConfig.DEFAULT;
        assertEquals(0.1, cfg.target(0), 1e-12);
        assertEquals(0.001, cfg.target(9), 1e-12);
        assertEquals(Math.sqrt(cfg.target(3) * cfg.target(5)), cfg.target(4), 1e-12);
        int[] g = GroupBiasAdaptation.partition(1003, 10, 4);
        int[] sizes = new int[10];
        for (int x : g) {
            sizes[x]++;
        }
        for (int s : sizes) {
            assertTrue(s == 100 || s == 101);
        }
    }

    private static ObjectNode saeLensFields() {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("hook_name", "blocks.0.hook_resid_post");
        c.put("model_name", "toy");
        return c;
    }

    /** Every architecture trains, lowers its reconstruction error and saves an SAE that SAELens semantics reload. */
    @Test
    void everyArchitectureTrainsAndRoundTrips() throws Exception {
        for (String a : SaeArchitectures.names()) {
            ToyData data = new ToyData(16, 24, 2, 11);
            SaeConfig cfg = config(a, 64, 4, 128, 60);
            Path out = tmp.resolve(a.toString());
            SaeTrainer.Summary s = SaeTrainer.train(cfg, data, new SaeTrainer.RunInfo(Json.MAPPER.createObjectNode(),
                    saeLensFields()), out, false, QUIET);
            List<String> log = Files.readAllLines(out.resolve(RunFolder.LOG));
            double first = Json.MAPPER.readTree(log.get(0)).get("fvu").asDouble();
            double last = Json.MAPPER.readTree(log.get(log.size() - 1)).get("fvu").asDouble();
            assertTrue(last < first, a + ": FVU " + first + " -> " + last);
            try (NDManager m = NDManager.newBaseManager(); SparseAutoencoder sae = SparseAutoencoder.load(s.sae(), m)) {
                assertEquals(16, sae.dIn());
                assertEquals(64, sae.dSae());
                assertEquals("blocks.0.hook_resid_post", sae.hookName());
                // Raw (unnormalised) rows: reconstruction error of the saved SAE is about the training one.
                float[] rows = new ToyData(16, 24, 2, 99).next(256);
                NDArray x = m.create(rows, new Shape(256, 16));
                NDArray recon = sae.decode(sae.encode(x));
                double fvu = recon.sub(x).square().sum().getFloat()
                        / x.sub(x.mean(new int[] {0})).square().sum().getFloat();
                assertTrue(Math.abs(fvu - last) < 0.15 + last, a + ": saved SAE FVU " + fvu + " vs training " + last);
                if ("topk".equals(a)) {
                    float[] f = sae.encode(x).toFloatArray();
                    for (int r = 0; r < 256; r++) {
                        int active = 0;
                        for (int i = 0; i < 64; i++) {
                            active += f[r * 64 + i] > 0 ? 1 : 0;
                        }
                        assertTrue(active <= 4);
                    }
                }
            }
            try (SafetensorsReader r = SafetensorsReader.open(s.sae().resolve(SparseAutoencoder.WEIGHTS))) {
                assertArrayEquals(new long[] {16, 64}, r.info("W_enc").shape());
                assertArrayEquals(new long[] {64, 16}, r.info("W_dec").shape());
                assertEquals("jumprelu".equals(a) || "batchtopk".equals(a),
                        r.tensors().containsKey("threshold"));
            }
        }
    }

    /**
     * Neuron resonance end to end (Chen et al. 2025), on a superposition model small enough for a unit test (32
     * features in 16 dimensions, 1–2 a row, so each in 4.7% of rows): GBA whose highest target is the features'
     * frequency recovers every feature; BA aiming its latents at 8× that frequency recovers none.
     */
    @Test
    void gbaAtTheFeaturesFrequencyRecoversThemAndBaAwayFromItDoesNot() {
        Path dir = tmp.resolve("syn");
        new SyntheticSuperposition(new SyntheticConfig(32, 16, SyntheticConfig.Sparsity.parse("1-2"),
                SyntheticConfig.Frequencies.UNIFORM, SyntheticConfig.Magnitudes.parse("uniform:0,1"), 0, 1)).save(dir);
        SaeConfig.Builder b = SaeConfig.DEFAULT.toBuilder().dSae(128).batchSize(256).lr(3e-3).logEvery(250)
                .decoderBias(SaeConfig.DecoderBiasInit.ZERO, true);
        GbaConfig atFrequency = GbaConfig.builder().htf(0.05).build();
        SaeTrainer.Summary gba = SaeTrainer.train(b.architecture(atFrequency).steps(1500).build(),
                SaeData.synthetic(dir, 1), tmp.resolve("gba"), false, QUIET);
        assertTrue(((Number) gba.last().get("frr_0.9")).doubleValue() >= 0.95, "GBA " + gba.last());
        GbaConfig tooOften = GbaConfig.builder().groups(1).htf(0.4).ltf(0.4).build();
        SaeTrainer.Summary ba = SaeTrainer.train(b.architecture(BaConfig.of(tooOften)).steps(500).build(),
                SaeData.synthetic(dir, 1), tmp.resolve("ba"), false, QUIET);
        assertEquals(0.0, ((Number) ba.last().get("frr_0.8")).doubleValue(), "BA " + ba.last());
    }

    /** --freeze-b-dec keeps b_dec at its start (here zero) through training; by default it trains. */
    @Test
    void heldDecoderBiasStaysWhereItStarted() throws Exception {
        SaeTrainer.RunInfo info = new SaeTrainer.RunInfo(Json.MAPPER.createObjectNode(), saeLensFields());
        for (boolean freeze : new boolean[] {false, true}) {
            SaeConfig cfg = config("gba", 32, 3, 64, 30).toBuilder()
                    .decoderBias(SaeConfig.DecoderBiasInit.ZERO, freeze).build();
            Path out = tmp.resolve("b-dec-" + freeze);
            SaeTrainer.train(cfg, new ToyData(8, 12, 2, 5), info, out, false, QUIET);
            try (SafetensorsReader r = SafetensorsReader.open(out.resolve("final").resolve(SparseAutoencoder.WEIGHTS))) {
                float[] bDec = r.readFloats("b_dec");
                double norm = 0;
                for (float v : bDec) {
                    norm += v * v;
                }
                assertEquals(freeze, norm == 0, "b_dec norm² " + norm + " with freeze=" + freeze);
            }
        }
    }

    /**
     * TensorBoard: a killed run's event file stays byte for byte as it was when the run resumes, which adds a second
     * file; read as TensorBoard reads a folder (a step written again replaces the earlier one), the two hold what
     * the finished log holds. Logging every 2 steps, the killed run logged step 22, after its checkpoint (20).
     */
    @Test
    void aResumedRunAddsAnEventFileAndLeavesTheFirst() throws Exception {
        SaeConfig cfg = config("topk", 32, 3, 64, 30).toBuilder().logEvery(2).build();
        Path out = tmp.resolve("tb-run");
        Path tb = tmp.resolve("tb");
        ToyData failing = new ToyData(8, 12, 2, 5);
        failing.failAfter = 64L * 25;
        try (TensorBoardListener l = new TensorBoardListener(tb, r -> { })) {
            assertThrows(IllegalStateException.class, () -> SaeTrainer.train(cfg, failing, info(), out, false, l));
        }
        List<Path> first = EventFiles.files(tb);
        assertEquals(1, first.size());
        assertEquals(22, EventFiles.read(first.get(0)).get(11).step(), "the killed run logged past its checkpoint");
        byte[] before = Files.readAllBytes(first.get(0));
        try (TensorBoardListener l = new TensorBoardListener(tb, r -> { })) {
            SaeTrainer.resume(out, new ToyData(8, 12, 2, 5), l);
        }
        List<Path> both = EventFiles.files(tb);
        assertEquals(2, both.size());
        assertEquals(first.get(0), both.get(0), "the earlier file sorts first");
        assertArrayEquals(before, Files.readAllBytes(first.get(0)));
        Map<Long, Map<String, Float>> shown = EventFiles.scalarsByStep(tb);
        List<String> log = Files.readAllLines(out.resolve(RunFolder.LOG));
        assertEquals(15, log.size());
        for (String line : log) {
            JsonNode j = Json.MAPPER.readTree(line);
            Map<String, Float> at = shown.get(j.get("step").asLong());
            assertEquals((float) j.get("mse").asDouble(), at.get("losses/mse_loss"), line);
            assertEquals((float) j.get("aux_k").asDouble(), at.get("losses/aux_k"), line);
            assertEquals((float) (1 - j.get("fvu").asDouble()), at.get("metrics/explained_variance"), line);
        }
        assertEquals(15, shown.size());
    }

    /** A run killed after a checkpoint and resumed ends with the same weights, bit for bit, as one that was not. */
    @Test
    void resumedRunEqualsUninterruptedRun() throws Exception {
        SaeConfig held = config("gba", 32, 3, 64, 30).toBuilder()
                .decoderBias(SaeConfig.DecoderBiasInit.GEOMETRIC_MEDIAN, true).build();
        for (SaeConfig cfg : List.of(config("topk", 32, 3, 64, 30), config("gba", 32, 3, 64, 30),
                held)) {
            String a = cfg.architecture().architecture() + (cfg.freezeDecoderBias() ? "-held" : "");
            Path whole = tmp.resolve("whole-" + a);
            Path killed = killedAtStep24(cfg, tmp.resolve("killed-" + a));
            SaeTrainer.train(cfg, new ToyData(8, 12, 2, 5), info(), whole, false, QUIET);
            SaeTrainer.resume(killed, new ToyData(8, 12, 2, 5), QUIET);
            assertSameRun(whole, killed, a);
        }
    }

    /**
     * A folder with the names of the SAE trainer before the run loop (sae_log.jsonl, checkpoint/sae_state.json)
     * resumes under today's names to the weights of a run that was never stopped.
     */
    @Test
    void oldNamedRunFolderResumesToTheUninterruptedRunsWeights() throws Exception {
        SaeConfig cfg = config("gba", 32, 3, 64, 30);
        Path whole = tmp.resolve("whole");
        SaeTrainer.train(cfg, new ToyData(8, 12, 2, 5), info(), whole, false, QUIET);
        Path old = killedAtStep24(cfg, tmp.resolve("old"));
        Path checkpoint = old.resolve(RunFolder.CHECKPOINT);
        Files.move(old.resolve(RunFolder.LOG), old.resolve(SaeTrainer.OLD_NAMES.log()));
        Files.move(checkpoint.resolve(RunFolder.STATE), checkpoint.resolve(SaeTrainer.OLD_NAMES.state()));
        SaeTrainer.resume(old, new ToyData(8, 12, 2, 5), QUIET);
        assertSameRun(whole, old, "old names");
        assertFalse(Files.exists(old.resolve(SaeTrainer.OLD_NAMES.log())));
        assertFalse(Files.exists(checkpoint.resolve(SaeTrainer.OLD_NAMES.state())));
        assertTrue(Files.isRegularFile(checkpoint.resolve(RunFolder.STATE)));
    }

    /**
     * A NaN loss (here from NaN rows in step 13) stops the run before its update with one line naming the step and
     * the last good checkpoint (step 10's), which stays as it was; the log ends before the step, and there is no
     * final SAE.
     */
    @Test
    void nonFiniteLossStopsNamingTheStepAndKeepsTheCheckpoint() throws Exception {
        SaeConfig cfg = config("relu", 32, 3, 64, 30);
        Path out = tmp.resolve("nan");
        ToyData data = new ToyData(8, 12, 2, 5);
        data.nanFrom = 64L * 13; // the first sample, then 64 rows a step: rows 832.. are step 13's
        UserInputException e = assertThrows(UserInputException.class,
                () -> SaeTrainer.train(cfg, data, info(), out, false, QUIET));
        assertTrue(e.getMessage().startsWith("step 13: loss is NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("(step 10)"), e.getMessage());
        assertEquals(10, SaeTrainer.savedState(out).step());
        List<String> log = Files.readAllLines(out.resolve(RunFolder.LOG));
        assertEquals(10, Json.MAPPER.readTree(log.get(log.size() - 1)).get("step").asInt());
        assertFalse(Files.exists(out.resolve(RunFolder.FINAL)));
        try (SafetensorsReader r = SafetensorsReader.open(out.resolve(RunFolder.CHECKPOINT).resolve("sae.safetensors"))) {
            for (float v : r.readFloats("W_dec")) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    /** Issue 17 item 5: rows refused before training starts leave no empty --out behind. */
    @Test
    void rowsRefusedAtTheStartLeaveNoOutputFolder() {
        Path out = tmp.resolve("refused");
        ToyData data = new ToyData(8, 12, 2, 5);
        data.nanFrom = 0;
        UserInputException e = assertThrows(UserInputException.class,
                () -> SaeTrainer.train(config("relu", 32, 3, 64, 30), data, info(), out, false, QUIET));
        assertTrue(e.getMessage().contains("not finite"), e.getMessage());
        assertFalse(Files.exists(out), "no empty folder");
    }

    private static SaeTrainer.RunInfo info() {
        return new SaeTrainer.RunInfo(Json.MAPPER.createObjectNode(), saeLensFields());
    }

    /** A run of {@code cfg} in {@code out} killed in step 24 (its data fails), after the checkpoint of step 20. */
    private static Path killedAtStep24(SaeConfig cfg, Path out) {
        ToyData failing = new ToyData(8, 12, 2, 5);
        failing.failAfter = 64L * 25;
        assertThrows(IllegalStateException.class, () -> SaeTrainer.train(cfg, failing, info(), out, false, QUIET));
        assertEquals(20, SaeTrainer.savedState(out).step());
        return out;
    }

    /**
     * The two runs' final SAEs are equal bit for bit, and so are their logs but for each step's measured speed
     * ({@code rows_per_s}).
     */
    private static void assertSameRun(Path whole, Path resumed, String what) throws Exception {
        for (String t : List.of("W_enc", "W_dec", "b_enc", "b_dec")) {
            try (SafetensorsReader x = SafetensorsReader.open(whole.resolve(RunFolder.FINAL).resolve(SparseAutoencoder.WEIGHTS));
                    SafetensorsReader y = SafetensorsReader.open(resumed.resolve(RunFolder.FINAL).resolve(SparseAutoencoder.WEIGHTS))) {
                assertArrayEquals(x.readFloats(t), y.readFloats(t), what + " " + t);
            }
        }
        assertEquals(withoutSpeed(whole.resolve(RunFolder.LOG)), withoutSpeed(resumed.resolve(RunFolder.LOG)), what + " log");
    }

    private static List<String> withoutSpeed(Path log) throws Exception {
        List<String> lines = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            ObjectNode j = (ObjectNode) Json.MAPPER.readTree(line);
            assertTrue(j.remove("rows_per_s").isNumber(), line);
            lines.add(j.toString());
        }
        return lines;
    }
}
