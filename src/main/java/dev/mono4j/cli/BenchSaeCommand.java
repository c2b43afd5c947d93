package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.sae.ActivationSource;
import dev.mono4j.sae.ArchitectureConfig;
import dev.mono4j.sae.BatchTopKConfig;
import dev.mono4j.sae.SaeArchitectures;
import dev.mono4j.sae.TopKConfig;
import dev.mono4j.sae.SaeConfig;
import dev.mono4j.sae.SaeTrainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * SAE training throughput: rows (tokens) per second of full training steps (forward, backward, Adam, decoder
 * renormalisation) on random rows, for each architecture and for TopK's dense and sparse paths. The FLOP rate
 * counts a dense step's five d_in × d_sae GEMMs (encode, decode, and the decoder's and encoder's gradients),
 * 10·d_in·d_sae FLOPs per row, so a sparse step's "fraction of GEMM" is the dense-equivalent rate it reaches.
 */
@Command(name = "sae", mixinStandardHelpOptions = true, description = "SAE training throughput (tokens/s) against an fp32 GEMM.")
final class BenchSaeCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--d-in", defaultValue = "512", description = "Input width (default ${DEFAULT-VALUE}).")
    int dIn;

    @Option(names = "--d-sae", defaultValue = "8192", description = "Latents (default ${DEFAULT-VALUE}).")
    int dSae;

    @Option(names = "--k", defaultValue = "32", description = "Active latents per row for TopK/BatchTopK (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--batch-size", defaultValue = "4096", description = "Rows per step (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--runs", split = ",", defaultValue = "topk-dense,topk-sparse,batchtopk-sparse,relu,jumprelu,gba",
            description = "What to time: architecture names, topk/batchtopk with -dense or -sparse (default ${DEFAULT-VALUE}).")
    List<String> runs;

    @Option(names = "--steps", defaultValue = "5", description = "Timed steps per run, after 2 warm-up steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--json", description = "Also write the results to this JSON file.")
    Path json;

    @Override
    public void run() {
        if (steps < 1 || dIn < 1 || dSae < 1 || k < 1 || k > dSae || batchSize < 1) {
            throw new UserInputException("need --steps, --d-in, --d-sae, --batch-size >= 1 and 1 <= --k <= --d-sae");
        }
        PrintWriter out = spec.commandLine().getOut();
        double gemm = Throughput.gemmFlops();
        double flopsPerRow = 10.0 * dIn * dSae;
        List<Map<String, Object>> results = new ArrayList<>();
        out.printf("d_in %d, d_sae %d, k %d, batch %d%n%-18s %12s %12s%n", dIn, dSae, k, batchSize, "run", "tokens/s",
                "of GEMM");
        for (String run : runs) {
            String[] parts = run.split("-", 2);
            ArchitectureConfig d = Flags.check(() -> SaeArchitectures.defaults(parts[0]));
            boolean sparse = parts.length < 2 || parts[1].equals("sparse");
            if (parts.length == 2 && !parts[1].matches("sparse|dense")) {
                throw new UserInputException("--runs: '" + run + "' should end in -dense or -sparse");
            }
            ArchitectureConfig a = d instanceof TopKConfig t ? new TopKConfig(k, t.auxK(), t.auxCoefficient(), sparse)
                    : d instanceof BatchTopKConfig b ? new BatchTopKConfig(k, b.auxK(), b.auxCoefficient(), sparse) : d;
            SaeConfig cfg = Flags.check(() -> SaeConfig.DEFAULT.toBuilder().architecture(a).dSae(dSae)
                    .batchSize(batchSize).steps(2 + steps).seed(1).logEvery(1_000_000).checkpointEvery(1_000_000).build());
            double seconds = SaeTrainer.secondsPerStep(cfg, new RandomRows(dIn, batchSize), 2, steps);
            double tokens = batchSize / seconds;
            gemm = Math.max(gemm, Throughput.gemmFlops());
            double fraction = tokens * flopsPerRow / gemm;
            out.printf("%-18s %12.0f %11.0f%%%n", run, tokens, 100 * fraction);
            results.add(Json.object("run", run, "architecture", a.architecture(), "sparse_decode", sparse, "tokens_per_s", tokens,
                    "seconds_per_step", seconds, "dense_equivalent_fraction_of_gemm", fraction));
        }
        out.printf("fp32 GEMM %s, best of the run: %.1f GFLOP/s%n", Throughput.gemmShape(), gemm / 1e9);
        if (json != null) {
            AtomicFiles.writeString(json, Json.write(Json.object("threads", Runtime.getRuntime().availableProcessors(),
                    "d_in", dIn, "d_sae", dSae, "k", k, "batch_size", batchSize, "gemm_gflops", gemm / 1e9, "results", results)));
        }
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
