package dev.mono4j.bench;

import dev.mono4j.io.Json;
import dev.mono4j.sae.ActivationSource;
import dev.mono4j.sae.SaeConfig;
import dev.mono4j.sae.SaeStepLog;
import dev.mono4j.sae.SaeTrainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * SAE training throughput: rows (tokens) per second of full training steps on the run loop (forward, backward, the
 * gradient norm, Adam, decoder renormalisation) on random rows, for each run's config, as each step's log line times
 * it ({@link SaeStepLog#rowsPerS}). The FLOP rate counts a dense step's five d_in × d_sae
 * GEMMs (encode, decode, and the decoder's and encoder's gradients), 10·d_in·d_sae FLOPs per row, so a sparse
 * step's "fraction of GEMM" is the dense-equivalent rate it reaches.
 *
 * @param dIn       width of the random rows
 * @param dSae      latents (as in every run's config)
 * @param k         active latents per row of TopK/BatchTopK (as in every run's config)
 * @param batchSize rows per step (as in every run's config)
 * @param steps     timed steps per run
 * @param runs      what to time, in order
 */
public record SaeBench(int dIn, int dSae, int k, int batchSize, int steps, List<Run> runs) {
    /** Untimed steps before the timed ones: a run's config trains for this many steps more than {@link #steps}. */
    public static final int WARM_UP_STEPS = 2;

    /** One row of the table: its name, the architecture and decoding it reports, and the config that trains. */
    public record Run(String name, String architecture, boolean sparseDecode, SaeConfig config) {
    }

    public SaeBench {
        if (steps < 1 || dIn < 1 || dSae < 1 || k < 1 || k > dSae || batchSize < 1) {
            throw new IllegalArgumentException("need steps, d_in, d_sae, batch size >= 1 and 1 <= k <= d_sae");
        }
        runs = List.copyOf(runs);
    }

    /** Prints the table to {@code out} and returns the report (the JSON a run may also write). */
    public Map<String, Object> run(PrintWriter out) {
        double gemm = Throughput.gemmFlops();
        double flopsPerRow = 10.0 * dIn * dSae;
        List<Map<String, Object>> results = new ArrayList<>();
        out.printf("d_in %d, d_sae %d, k %d, batch %d%n%-18s %12s %12s%n", dIn, dSae, k, batchSize, "run", "tokens/s",
                "of GEMM");
        for (Run run : runs) {
            double seconds = Throughput.inTempFolder(tmp -> secondsPerStep(run.config(), tmp));
            double tokens = batchSize / seconds;
            gemm = Math.max(gemm, Throughput.gemmFlops());
            double fraction = tokens * flopsPerRow / gemm;
            out.printf("%-18s %12.0f %11.0f%%%n", run.name(), tokens, 100 * fraction);
            results.add(Json.object("run", run.name(), "architecture", run.architecture(), "sparse_decode",
                    run.sparseDecode(), "tokens_per_s", tokens, "seconds_per_step", seconds,
                    "dense_equivalent_fraction_of_gemm", fraction));
        }
        out.printf("fp32 GEMM %s, best of the run: %.1f GFLOP/s%n", Throughput.gemmShape(), gemm / 1e9);
        return Json.object("threads", Runtime.getRuntime().availableProcessors(), "d_in", dIn, "d_sae", dSae, "k", k,
                "batch_size", batchSize, "gemm_gflops", gemm / 1e9, "results", results);
    }

    /**
     * The mean time of the timed steps of a run of {@code cfg} trained into {@code dir}: every step logs, and its line
     * gives the step's rows per second (what the loop timed: neither the log line nor the checkpoint is in it).
     */
    private double secondsPerStep(SaeConfig cfg, Path dir) {
        List<Double> seconds = new ArrayList<>();
        SaeTrainer.RunInfo info = new SaeTrainer.RunInfo(Json.MAPPER.createObjectNode(), Json.MAPPER.createObjectNode());
        SaeTrainer.train(cfg.toBuilder().logEvery(1).build(), new RandomRows(dIn, batchSize), info, dir, false,
                (SaeStepLog line) -> {
                    if (line.step() > WARM_UP_STEPS) {
                        seconds.add(batchSize / line.rowsPerS());
                    }
                });
        return seconds.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /** A few fixed batches of Gaussian rows, handed out in turn (generating rows would be timed with the step). */
    private static final class RandomRows implements ActivationSource {
        private final int dIn;
        private final float[][] batches = new float[3][];
        private int next;

        RandomRows(int dIn, int rows) {
            this.dIn = dIn;
            Random r = new Random(1);
            for (int b = 0; b < batches.length; b++) {
                batches[b] = new float[rows * dIn];
                for (int i = 0; i < batches[b].length; i++) {
                    batches[b][i] = (float) r.nextGaussian();
                }
            }
        }

        @Override
        public int dIn() {
            return dIn;
        }

        @Override
        public float[] next(int rows) {
            float[] b = batches[next++ % batches.length];
            if (rows * dIn != b.length) {
                throw new IllegalArgumentException("fixed batch size");
            }
            return b;
        }
    }
}
