package dev.mono4j.cli;

import dev.mono4j.bench.ForwardBench;
import dev.mono4j.bench.ModelShape;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j bench forward}: {@link ForwardBench} on real models' shapes with random weights. */
@Command(name = "forward", mixinStandardHelpOptions = true, description = "Forward and forward+backward throughput vs. an fp32 GEMM.")
final class BenchForwardCommand extends CliCommand {
    @Option(names = "--models", split = ",", defaultValue = "gpt2-small,smollm-135m",
            description = "Shapes to run: ${COMPLETION-CANDIDATES}.")
    List<ModelShape> models;

    @Option(names = "--batch", defaultValue = "4", description = "Sequences per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq", defaultValue = "128", description = "Tokens per sequence (default ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--steps", defaultValue = "3", description = "Timed steps per measurement (after one warm-up).")
    int steps;

    @Mixin
    JsonReportOption json;

    @Override
    public void run() {
        ForwardBench bench = Flags.check(() -> new ForwardBench(models, batch, seq, steps));
        json.write(bench.run(out()));
    }
}
