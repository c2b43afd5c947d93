package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mono4j.cli.Main;
import dev.mono4j.train.Gradients;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TrainableSae#overwrite}: the bits given, the same trainable parameter, and no PyTorch warning on the terminal. */
class ParameterOverwriteTest {
    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    @Test
    void writesEveryBitInPlaceAndTheParameterStillTrains() {
        SaeConfig run = SaeTrainingTest.run(ReluConfig.DEFAULT, 4, SaeConfig.DecoderBiasInit.ZERO, 3, 1);
        try (NDManager m = NDManager.newBaseManager(); TrainableSae sae = TrainableSae.create(run, 2, 10, new float[2], m)) {
            NDArray before = sae.wDec;
            float[] values = {1, -0f, 3e-39f, -2.5f, Float.MAX_VALUE, 0.125f, 7, -1e-7f};
            TrainableSae.overwrite(sae.wDec, values);
            assertTrue(before == sae.wDec && sae.parameters().containsValue(sae.wDec), "the same parameter object");
            assertEquals(new Shape(4, 2), sae.wDec.getShape());
            float[] read = sae.wDec.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(read[i]), "element " + i);
            }
            TrainableSae.overwrite(sae.bEnc, new float[] {0.5f, -1, 2, 0});
            assertArrayEquals(new float[] {0.5f, -1, 2, 0}, sae.bEnc.toFloatArray());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                TrainableSae.Forward f = sae.forward(m, m.create(new float[] {1, 2, -1, 0.5f, 3, 1}, new Shape(3, 2)), null);
                gc.backward(f.loss());
            }
            NDArray g = Gradients.of(sae.bEnc);
            assertNotNull(g, "b_enc still requires its gradient");
            assertTrue(g.abs().sum().getFloat() > 0, "and gets one");
            assertThrows(IllegalArgumentException.class, () -> TrainableSae.overwrite(sae.bEnc, new float[3]));
        }
    }

    /**
     * GBA sets b_enc at its first step and after each adaptation window. PyTorch prints its deprecation warning
     * from native code, straight to the process's stderr: only a separate JVM shows it.
     */
    @Test
    void gbaTrainingPrintsNoPyTorchWarning(@TempDir Path tmp) throws Exception {
        Path synthetic = tmp.resolve("synth");
        StringWriter synthErr = new StringWriter();
        assertEquals(0, Main.run(new String[] {"sae", "synth", "--out", synthetic.toString(), "--n", "24", "--d", "8",
            "--sparsity", "2"}, new PrintWriter(new StringWriter()), new PrintWriter(synthErr)), synthErr.toString());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", "dev.mono4j.cli.Main",
                "sae", "train", "--architecture", "gba", "--adapt-every", "1", "--synthetic", synthetic.toString(),
                "--d-sae", "32", "--batch-size", "64", "--steps", "3", "--out", tmp.resolve("gba").toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertFalse(err.contains("Warning") || err.contains("deprecated"), err);
    }
}
