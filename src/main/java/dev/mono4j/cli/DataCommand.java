package dev.mono4j.cli;

import picocli.CommandLine.Command;

/** Data sets mono4j generates or converts, and target/pool splits of them. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Generate or convert data sets; split one into"
        + " targets and a pool.", subcommands = {ConceptWorldCommand.class, FactorGraphDataCommand.class, WordNetCommand.class,
            TargetsCommand.class})
final class DataCommand extends ParentCommand {
}
