package dev.mono4j.cli;

import dev.mono4j.align.AlignConfig;
import dev.mono4j.align.DecorrelationLoss;
import dev.mono4j.reproduce.Claim;
import dev.mono4j.reproduce.ReproduceDecpo;
import dev.mono4j.reproduce.ReproduceDecpoConfig;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./mono4j reproduce decpo}: flags into a {@link ReproduceDecpoConfig} (each flag one field; unset flags keep
 * the full run's defaults, or --quick's), then {@link ReproduceDecpo#run}.
 */
@Command(name = "decpo", mixinStandardHelpOptions = true, description = "Yan et al. (EMNLP 2024) on ConceptWorld: Figures"
        + " 2-7 and Table 2 beside the paper's, verdicts per claim. Resumes where it stopped (an hour or more on 2 cores;"
        + " --quick: about a minute).")
final class ReproduceDecpoCommand extends CliCommand {
    @Option(names = "--quick", description = "The CI-sized run: preset xs, 40 pretraining steps, 300 stories, 2 seeds,"
            + " toxicity, DPO vs DecPO (samples), 4 alignment steps, Figure 7 at block 1, 20 judged prompts.")
    boolean quick;

    @Option(names = "--presets", split = ",", description = "Model sizes, smallest first (default xs,s,m).")
    List<String> presets;

    @Option(names = "--pretrain-steps", split = ",", description = "Pretraining steps per preset (default xs 800, s and"
            + " larger 1400).")
    List<Integer> pretrainSteps;

    @Option(names = "--docs", description = "ConceptWorld stories to pretrain on (default 20000).")
    Integer docs;

    @Option(names = "--seed", description = "Data and pretraining seed; alignment seeds follow it (default 1).")
    Long seed;

    @Option(names = "--seeds", description = "Alignment seeds per method (default 3).")
    Integer seeds;

    @Option(names = "--tasks", split = ",", description = "Preference tasks, the first for the figures (default"
            + " toxicity,reframe,sycophancy).")
    List<String> tasks;

    @Option(names = "--methods", split = ",", description = "Table 2's methods besides DecPO (default sft,dpo,simpo,l1,memel).")
    List<String> methods;

    @Option(names = "--decorr-modes", split = ",", description = "DecPO's regularizer forms, one Table 2 row each"
            + " (default: every mode).")
    List<String> decorrModes;

    @Option(names = "--align-steps", description = "Steps of each alignment run (default 60).")
    Integer alignSteps;

    @Option(names = "--fig7-layers", split = ",", description = "Blocks DecPO regularizes for Figure 7 (default: every block).")
    List<Integer> fig7Layers;

    @Option(names = "--judged-prompts", description = "Held-out prompts judged per model, the first ones (default 0: all 200).")
    Integer judgedPrompts;

    @Mixin
    OutputFolderOptions output;

    @Override
    public void run() {
        ReproduceDecpoConfig cfg = Flags.check(this::config);
        ReproduceDecpo.Result r = ReproduceDecpo.run(cfg, output.out, output.overwrite, System.err);
        var o = out();
        for (Claim c : r.claims()) {
            o.println(c.figure() + ": " + c.claim() + " — " + c.verdict() + " (" + c.ours() + ")");
        }
        o.println("report: " + r.report());
        o.println("results: " + r.results());
        o.println("verdicts: " + r.verdicts());
    }

    private ReproduceDecpoConfig config() {
        ReproduceDecpoConfig.Builder b = quick ? ReproduceDecpoConfig.quickBuilder() : ReproduceDecpoConfig.builder();
        if (presets != null) {
            b.presets(presets);
        }
        if (pretrainSteps != null) {
            b.pretrainSteps(pretrainSteps);
        }
        if (docs != null) {
            b.docs(docs);
        }
        if (seed != null) {
            b.seed(seed);
        }
        if (seeds != null) {
            b.seeds(seeds);
        }
        if (tasks != null) {
            b.tasks(tasks);
        }
        if (methods != null) {
            b.methods(methods.stream().map(AlignConfig.Method::parse).toList());
        }
        if (decorrModes != null) {
            b.decorrModes(decorrModes.stream().map(m -> Enums.parse(DecorrelationLoss.Mode.class, m)).toList());
        }
        if (alignSteps != null) {
            b.alignSteps(alignSteps);
        }
        if (fig7Layers != null) {
            b.fig7Layers(fig7Layers);
        }
        if (judgedPrompts != null) {
            b.judgedPrompts(judgedPrompts);
        }
        return b.build();
    }
}
