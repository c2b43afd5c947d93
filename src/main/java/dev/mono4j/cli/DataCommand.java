package dev.mono4j.cli;

import picocli.CommandLine.Command;

/** Data sets mono4j generates. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Generate data sets.", subcommands = {ConceptWorldCommand.class})
final class DataCommand extends ParentCommand {
}
