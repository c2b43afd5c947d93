package dev.mono4j.cli;

import dev.mono4j.data.factorgraph.FactorGraphConfig;
import dev.mono4j.data.factorgraph.FactorGraphSplit;
import dev.mono4j.data.factorgraph.FactorGraphWriter;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j data factorgraph --out DIR}: samples of a random sparse Bayesian network with exact conditionals. */
@Command(name = "factorgraph", mixinStandardHelpOptions = true, description = "Lines of (variable, value) tokens from a"
        + " random sparse DAG, one variable masked, with its exact Bayes conditional; train, valid and an OOD split whose"
        + " root marginals are re-drawn (docs/factorgraph.md).")
final class FactorGraphDataCommand extends CliCommand {
    @Mixin
    OutputFolderOptions output;

    @Option(names = "--variables", description = "Variables V (default ${DEFAULT-VALUE}).")
    int variables = FactorGraphConfig.DEFAULT_VARIABLES;

    @Option(names = "--values", description = "Values per variable K (default ${DEFAULT-VALUE}).")
    int values = FactorGraphConfig.DEFAULT_VALUES;

    @Option(names = "--max-parents", description = "At most this many parents per variable (default ${DEFAULT-VALUE}).")
    int maxParents = FactorGraphConfig.DEFAULT_MAX_PARENTS;

    @Option(names = "--alpha", description = "Dirichlet concentration of the conditional tables (default ${DEFAULT-VALUE}).")
    double alpha = FactorGraphConfig.DEFAULT_ALPHA;

    @Option(names = "--samples", description = "Training lines (default ${DEFAULT-VALUE}).")
    int samples = FactorGraphConfig.DEFAULT_SAMPLES;

    @Option(names = "--valid", description = "In-distribution validation lines (default ${DEFAULT-VALUE}).")
    int valid = FactorGraphConfig.DEFAULT_VALID;

    @Option(names = "--ood", description = "Out-of-distribution lines (default ${DEFAULT-VALUE}).")
    int ood = FactorGraphConfig.DEFAULT_OOD;

    @Option(names = "--seed", description = "Same seed, byte-identical output (default ${DEFAULT-VALUE}).")
    long seed = FactorGraphConfig.DEFAULT_SEED;

    @Override
    public void run() {
        FactorGraphConfig cfg = Flags.check(() -> FactorGraphConfig.builder().variables(variables).values(values)
                .maxParents(maxParents).alpha(alpha).samples(samples).valid(valid).ood(ood).seed(seed).build());
        output.prepare(FactorGraphWriter.OUTPUTS);
        Map<FactorGraphSplit, FactorGraphWriter.SplitStats> stats = FactorGraphWriter.write(cfg, output.out);
        out().printf("wrote %s: %d variables x %d values%n", output.out, cfg.variables(), cfg.values());
        stats.forEach((split, s) -> out().printf(Locale.ROOT, "  %-5s %,7d lines (%,d masked roots), Bayes NLL %.4f"
                + " (roots %.4f, non-roots %.4f) nats%n", split.name().toLowerCase(Locale.ROOT), s.lines(), s.rootLines(),
                s.bayesNll(), s.bayesNllRoots(), s.bayesNllNonRoots()));
    }
}
