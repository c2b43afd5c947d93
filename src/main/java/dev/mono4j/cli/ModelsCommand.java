package dev.mono4j.cli;

import picocli.CommandLine.Command;

/** {@code ./mono4j models ...}: pretrained models mono4j knows how to fetch. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "Fetch pretrained encoders into Hugging Face folders.",
        subcommands = {ModelsPullCommand.class})
final class ModelsCommand extends ParentCommand {
}
