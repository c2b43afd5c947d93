package dev.mono4j.cli;

import dev.mono4j.bench.MeasureBench;
import dev.mono4j.bench.ModelShape;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j bench measure}: {@link MeasureBench}, measure's metrics against the bare forward pass. */
@Command(name = "measure", mixinStandardHelpOptions = true, description = "Overhead of measure's metrics over the forward pass.")
final class BenchMeasureCommand extends CliCommand {
    @Option(names = "--models", split = ",", defaultValue = "gpt2-small,smollm-135m",
            description = "Shapes to run: ${COMPLETION-CANDIDATES}.")
    List<ModelShape> models;

    @Option(names = "--texts", defaultValue = "96", description = "ConceptWorld stories per timed pass.")
    int texts;

    @Option(names = "--hooks", description = "Hook glob(s) to measure (default: measure's default per model).")
    String hooks;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed passes of each kind (best is kept).")
    int repeats;

    @Mixin
    JsonReportOption json;

    @Override
    public void run() {
        MeasureBench bench = Flags.check(() -> new MeasureBench(models, texts, hooks, repeats));
        json.write(bench.run(out()));
    }
}
