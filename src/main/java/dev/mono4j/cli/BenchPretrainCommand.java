package dev.mono4j.cli;

import dev.mono4j.bench.PretrainBench;
import dev.mono4j.train.PretrainConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j bench pretrain}: {@link PretrainBench} for each architecture and size preset. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, description = "Pretraining and inference tokens/s and peak memory per preset vs. an fp32 GEMM.")
final class BenchPretrainCommand extends CliCommand {
    @Option(names = "--presets", split = ",", defaultValue = "xs,s,m,l",
            description = "Size presets to run (default ${DEFAULT-VALUE}).")
    List<String> presets;

    @Option(names = "--archs", split = ",", defaultValue = "llama,gpt2",
            description = "Architectures to run: llama, gpt2, monet-vd, monet-hd (default ${DEFAULT-VALUE}).")
    List<String> archs;

    @Option(names = "--steps", defaultValue = "20", description = "Timed optimizer steps per preset.")
    int steps;

    @Option(names = "--batch-size", defaultValue = "16", description = "Sequences per step (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seq-len", defaultValue = "128", description = "Tokens per sequence (default ${DEFAULT-VALUE}).")
    int seqLen;

    @Mixin
    JsonReportOption json;

    @Override
    public void run() {
        List<PretrainBench.Run> runs = new ArrayList<>();
        for (String arch : archs) {
            for (String preset : presets) {
                PretrainConfig cfg = Flags.check(() -> PretrainConfig.builder().arch(arch).preset(preset).steps(steps)
                        .batchSize(batchSize).seqLen(seqLen).evalEvery(0).evalBatches(1).checkpointEvery(0).build());
                runs.add(new PretrainBench.Run(arch, preset, cfg));
            }
        }
        json.write(new PretrainBench(runs).run(out()));
    }
}
