package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.bench.SaeBench;
import dev.mono4j.sae.ArchitectureConfig;
import dev.mono4j.sae.BatchTopKConfig;
import dev.mono4j.sae.SaeArchitectures;
import dev.mono4j.sae.TopKConfig;
import dev.mono4j.sae.SaeConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j bench sae}: {@link SaeBench} for each architecture, and for TopK's dense and sparse paths. */
@Command(name = "sae", mixinStandardHelpOptions = true, description = "SAE training throughput (tokens/s) against an fp32 GEMM.")
final class BenchSaeCommand extends CliCommand {
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

    @Mixin
    JsonReportOption json;

    @Override
    public void run() {
        List<SaeBench.Run> timed = new ArrayList<>();
        for (String run : runs) {
            String[] parts = run.split("-", 2);
            ArchitectureConfig d = Flags.check(() -> SaeArchitectures.defaults(parts[0]));
            boolean sparse = parts.length < 2 || parts[1].equals("sparse");
            if (parts.length == 2 && !parts[1].matches("sparse|dense")) {
                throw new UserInputException("--runs: '" + run + "' should end in -dense or -sparse");
            }
            // --k and the -dense/-sparse suffix set the TopK family's fields; other architectures run their defaults.
            ArchitectureConfig a = d instanceof TopKConfig t ? new TopKConfig(k, t.auxK(), t.auxCoefficient(), sparse)
                    : d instanceof BatchTopKConfig b ? new BatchTopKConfig(k, b.auxK(), b.auxCoefficient(), sparse) : d;
            SaeConfig cfg = Flags.check(() -> SaeConfig.DEFAULT.toBuilder().architecture(a).dSae(dSae)
                    .batchSize(batchSize).steps(SaeBench.WARM_UP_STEPS + steps).seed(1)
                    .checkpointEvery(1_000_000).build()); // SaeBench makes every step log: its line times it
            timed.add(new SaeBench.Run(run, a.architecture(), sparse, cfg));
        }
        SaeBench bench = Flags.check(() -> new SaeBench(dIn, dSae, k, batchSize, steps, timed));
        json.write(bench.run(out()));
    }
}
