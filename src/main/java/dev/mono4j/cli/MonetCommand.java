package dev.mono4j.cli;

import picocli.CommandLine.Command;

/** {@code ./mono4j monet ...}: Monet's experts per label, and their resection. */
@Command(name = "monet", mixinStandardHelpOptions = true, description = "Monet experts: per-label routing statistics and"
        + " knowledge resection (masking experts).", subcommands = {MonetExpertsCommand.class, MonetResectCommand.class})
final class MonetCommand extends ParentCommand {
}
