package dev.mono4j.cli;

import dev.mono4j.metrics.HookResult;
import dev.mono4j.metrics.Measure;
import dev.mono4j.metrics.MeasureConfig;
import dev.mono4j.metrics.MeasureReport;
import dev.mono4j.metrics.Measurement;
import dev.mono4j.metrics.Pool;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./mono4j measure}: monosemanticity metrics per layer for one or more models on the same texts. */
@Command(name = "measure", mixinStandardHelpOptions = true,
        description = "Measure how monosemantic models' neurons are, per layer; writes metrics.json and report.html.")
final class MeasureCommand extends CliCommand {
    private static final MeasureConfig D = MeasureConfig.DEFAULT;

    @Parameters(paramLabel = "MODEL_DIR", arity = "1..*", description = "Checkpoint folders (config.json, weights, tokenizer.json).")
    List<Path> models;

    @Mixin
    TextOptions texts;

    @Option(names = "--labels", description = "One label per line for the texts of --data (text-level concept selectivity).")
    Path labels;

    @Option(names = "--hooks", description = "Hook glob(s); default: blocks.*.mlp.hook_pre_linear (gated MLPs) or"
            + " blocks.*.mlp.hook_post (GPT-2).")
    String hooks;

    @Option(names = "--pool", description = "Pooling for FD and effective rank: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Pool pool = D.pool();

    @Mixin
    OutputFolderOptions output;

    @Option(names = "--batch-size", description = "Texts per forward pass (default ${DEFAULT-VALUE}).")
    int batchSize = D.batchSize();

    @Option(names = "--max-tokens", description = "Longer texts are cut to this many tokens (default ${DEFAULT-VALUE}).")
    int maxTokens = D.maxTokens();

    @Option(names = "--max-neurons", description = "Neurons per hook in pairwise and concept metrics (default ${DEFAULT-VALUE}).")
    int maxNeurons = D.maxNeurons();

    @Option(names = "--rank-samples", description = "Pooled vectors kept for the effective rank (default ${DEFAULT-VALUE}).")
    int rankSamples = D.rankSamples();

    @Option(names = "--zero-eps", description = "|a| below this counts as zero (default ${DEFAULT-VALUE}).")
    double zeroEps = D.zeroEpsilon();

    @Option(names = "--threshold", description = "AUROC for a neuron to be selective for a concept (default ${DEFAULT-VALUE}).")
    double threshold = D.selectivityThreshold();

    @Option(names = "--memel-window", description = "MEmeL forgetting window in tokens (default ${DEFAULT-VALUE}).")
    int memelWindow = D.memelWindow();

    @Option(names = "--memel-eps", description = "MEmeL variance compensation ε (default ${DEFAULT-VALUE}).")
    double memelEps = D.memelEpsilon();

    @Option(names = "--top", description = "Top MEmeL neurons listed per hook (default ${DEFAULT-VALUE}).")
    int top = D.topNeurons();

    @Option(names = "--seed", description = "Seed of the neuron sample and of generated ConceptWorld stories (default ${DEFAULT-VALUE}).")
    long seed = D.seed();

    @Mixin
    NonFiniteOption nonFinite;

    @Override
    public void run() {
        MeasureConfig cfg = Flags.check(() -> new MeasureConfig(hooks, pool, batchSize, maxTokens, maxNeurons, rankSamples,
                zeroEps, threshold, memelWindow, memelEps, top, seed));
        Measure.Result r = Measure.run(models, texts.open(seed, labels), cfg, output.out, output.overwrite,
                nonFinite.policy(), true);
        var o = out();
        for (Measurement.ModelResult m : r.models()) {
            o.printf("%s: %d texts, %d tokens, %d hooks; mean FD %.4f, mean |corr| %.4f, monosemantic %s%n", m.name(),
                    m.texts(), m.tokens(), m.hooks().size(),
                    MeasureReport.meanOverLayers(m, HookResult::featureDecorrelation),
                    MeasureReport.meanOverLayers(m, h -> h.neuronCorrelation().meanAbsCorrelation()),
                    m.hooks().get(0).tokenSelectivity() == null ? "– (no token labels)"
                            : String.format("%.4f", MeasureReport.meanOverLayers(m,
                                    h -> h.tokenSelectivity().monosemanticFraction())));
        }
        o.println("metrics: " + r.metrics());
        o.println("report: " + r.report());
    }
}
