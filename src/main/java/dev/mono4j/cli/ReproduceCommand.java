package dev.mono4j.cli;

import picocli.CommandLine.Command;

/** {@code ./mono4j reproduce ...}: one command per paper, training what its claims need and judging them. */
@Command(name = "reproduce", mixinStandardHelpOptions = true, description = "Reproduce a paper's figures and tables on"
        + " ConceptWorld, with a verdict per claim.", subcommands = {ReproduceDecpoCommand.class})
final class ReproduceCommand extends ParentCommand {
}
