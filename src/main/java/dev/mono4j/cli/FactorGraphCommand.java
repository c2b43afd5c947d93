package dev.mono4j.cli;

import picocli.CommandLine.Command;

/** Commands on factor-graph data ({@code data factorgraph} writes it). */
@Command(name = "factorgraph", mixinStandardHelpOptions = true, description = "Evaluate a model on factor-graph data"
        + " against the exact Bayes conditional.", subcommands = {FactorGraphEvalCommand.class})
final class FactorGraphCommand extends ParentCommand {
}
