package dev.mono4j.cli;

import picocli.CommandLine.Command;

/** {@code ./mono4j convert ...}: models from other formats into Hugging Face folders. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert models from other formats into Hugging Face checkpoint folders.",
        subcommands = {ConvertOnnxCommand.class})
final class ConvertCommand extends ParentCommand {
}
