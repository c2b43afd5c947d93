package dev.mono4j.cli;

import dev.mono4j.align.AlignConfig;
import dev.mono4j.bench.AlignBench;
import dev.mono4j.model.LoraConfig;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.train.PretrainConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j bench align}: {@link AlignBench} for every method, a live reference and LoRA. */
@Command(name = "align", mixinStandardHelpOptions = true, description = "Alignment ms/step and tokens/s per method vs."
        + " the bare forward+backward pass and an fp32 GEMM.")
final class BenchAlignCommand extends CliCommand {
    @Option(names = "--preset", defaultValue = "m", description = "Model size (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--steps", defaultValue = "30", description = "Timed steps per variant (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "8", description = "Pairs per step (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    JsonReportOption json;

    @Override
    public void run() {
        PretrainConfig model = Flags.check(() -> PretrainConfig.builder().preset(preset).build());
        AlignBench bench = new AlignBench(preset, model, this::variants,
                timed(AlignConfig.builder(AlignConfig.Method.DPO)).steps(5).build(),
                timed(AlignConfig.builder(AlignConfig.Method.DPO)).build());
        json.write(bench.run(out()));
    }

    /** Every method, then DPO with a live reference and DPO with LoRA (its targets follow the model). */
    private List<AlignBench.Variant> variants(ModelConfig mc) {
        List<AlignBench.Variant> variants = new ArrayList<>();
        for (AlignConfig.Method method : List.of(AlignConfig.Method.SFT, AlignConfig.Method.DPO, AlignConfig.Method.SIMPO,
                AlignConfig.Method.L1, AlignConfig.Method.DECPO, AlignConfig.Method.MEMEL)) {
            variants.add(new AlignBench.Variant(method.id(), timed(AlignConfig.builder(method).memelBatches(1)).build()));
        }
        variants.add(new AlignBench.Variant("dpo, live reference", timed(AlignConfig.builder(AlignConfig.Method.DPO))
                .reference(AlignConfig.Reference.LIVE).build()));
        variants.add(new AlignBench.Variant("dpo, LoRA r=8", timed(AlignConfig.builder(AlignConfig.Method.DPO))
                .lora(new LoraConfig(8, 16, 0, LoraConfig.defaultTargets(mc), 0, -1)).build()));
        return variants;
    }

    /** Timed steps only: held-out metrics and FD come once, after the last step, outside the step timing. */
    private AlignConfig.Builder timed(AlignConfig.Builder b) {
        return b.lr(1e-3).steps(steps).batchSize(batchSize).evalEvery(0).fdEvery(0).checkpointEvery(0);
    }
}
