package dev.mono4j.cli;

import dev.mono4j.bench.SelectBench;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j bench select}: {@link SelectBench}, data selection per method against the bare forward pass. */
@Command(name = "select", mixinStandardHelpOptions = true,
        description = "Data selection (MoNA) samples/s per method vs. the bare forward pass and an fp32 GEMM.")
final class BenchSelectCommand extends CliCommand {
    @Option(names = "--presets", split = ",", defaultValue = "xs,s",
            description = "Size presets of the random-weight Llama selection model (default ${DEFAULT-VALUE}).")
    List<String> presets;

    @Option(names = "--pool", defaultValue = "2000", description = "ConceptWorld stories in the pool (default ${DEFAULT-VALUE}).")
    int pool;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed passes of each kind (best is kept; default ${DEFAULT-VALUE}).")
    int repeats;

    @Mixin
    JsonReportOption json;

    @Override
    public void run() {
        SelectBench bench = Flags.check(() -> new SelectBench(presets, pool, repeats));
        json.write(bench.run(out()));
    }
}
