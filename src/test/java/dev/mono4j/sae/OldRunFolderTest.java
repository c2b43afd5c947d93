package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mono4j.io.Json;
import dev.mono4j.train.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run folders written before SAE architectures became types (issue 15), and before SAE training ran on the shared
 * run loop (sae_log.jsonl, checkpoint/sae_state.json), still resume, under today's names. Each folder under
 * src/test/resources/sae/old-runs was made by the code of commit f367e16: a 30-step run (d_in 16, d_sae 64, batch
 * 32, checkpoint every 10 steps) on the synthetic model in old-runs/synth, killed at step 16, so its checkpoint is
 * step 10's and its sae_state.json holds the flat config of that time. The expected numbers are the final loss and
 * a decoder checksum of the same run left uninterrupted, by that code: resuming must reach them.
 */
class OldRunFolderTest {
    private static final Path OLD_RUNS = Path.of("src/test/resources/sae/old-runs");

    @TempDir
    Path tmp;

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    @ParameterizedTest
    @CsvSource({
        "relu, 106.04055786132812, 2.0270302701974288",
        "topk, 6.96962833404541, 7.629803186064237",
        "batchtopk, 10.157072067260742, 5.427964609669289",
        "jumprelu, 45.12261199951172, 2.099868695338955",
        "gba, 7.745230674743652, 11.286964851315133",
        "ba, 4.682482719421387, 5.941150043334346",
    })
    void resumesToTheUninterruptedRunsResult(String architecture, double loss, double checksum) throws IOException {
        Path synth = copy(OLD_RUNS.resolve("synth"), tmp.resolve("synth"));
        Path run = copy(OLD_RUNS.resolve(architecture), tmp.resolve(architecture));
        // The folder was written with its synthetic data elsewhere; point the saved data description here.
        Path checkpoint = run.resolve(RunFolder.CHECKPOINT);
        Path state = checkpoint.resolve(SaeTrainer.OLD_NAMES.state());
        Files.writeString(state, Files.readString(state).replace("SYNTH_DIR", synth.toAbsolutePath().toString()));
        SaeTrainer.Summary s;
        try (ActivationSource source = SaeData.synthetic(synth, 7).open()) {
            s = SaeTrainer.resume(run, source, line -> { });
        }
        assertEquals(30, s.steps());
        // Relative 1e-6, not bit for bit: the numbers were recorded with two PyTorch threads, and another thread
        // count sums in another order (BatchTopK's decoder moves by 1e-7 at one thread).
        assertEquals(loss, ((Number) s.last().get("loss")).doubleValue(), 1e-6 * Math.abs(loss), "final loss");
        assertEquals(checksum, checksum(run.resolve(RunFolder.FINAL)), 1e-6 * Math.abs(checksum), "decoder checksum");
        // The run continued under today's names (RunFolder), the old files renamed.
        assertTrue(Files.isRegularFile(checkpoint.resolve(RunFolder.STATE)) && Files.isRegularFile(run.resolve(RunFolder.LOG)));
        assertFalse(Files.exists(state) || Files.exists(run.resolve(SaeTrainer.OLD_NAMES.log())));
        assertEquals(30, Json.read(checkpoint.resolve(RunFolder.STATE)).get("step").asInt());
    }

    /** Σ wᵢ·(1 + i mod 7) over the saved decoder's values, in float products summed as doubles (as recorded). */
    private static double checksum(Path finalDir) {
        try (NDManager m = NDManager.newBaseManager(); SparseAutoencoder s = SparseAutoencoder.load(finalDir, m)) {
            double sum = 0;
            int i = 0;
            for (float v : s.decoderRows()) {
                sum += v * (1 + (i++ % 7));
            }
            return sum;
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
        return to;
    }
}
