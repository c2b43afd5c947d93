package dev.mono4j.cli;

import picocli.CommandLine.Command;

/** {@code ./mono4j sae ...}: sparse autoencoders on model activations or synthetic superposition data. */
@Command(name = "sae", mixinStandardHelpOptions = true, description = "Train, evaluate and compare sparse autoencoders.",
        subcommands = {SaeCacheCommand.class, SaeSynthCommand.class, SaeTrainCommand.class, SaeEvalCommand.class,
            SaeCompareCommand.class})
final class SaeCommand extends ParentCommand {
}
