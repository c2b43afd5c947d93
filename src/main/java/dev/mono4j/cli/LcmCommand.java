package dev.mono4j.cli;

import picocli.CommandLine.Command;

/** Large Concept Models: next-sentence prediction in a sentence-embedding space. */
@Command(name = "lcm", mixinStandardHelpOptions = true, description = "Large Concept Models: embed documents as"
        + " sentence concepts, train models, evaluate and generate next-concept predictions.",
        subcommands = {LcmEmbedCommand.class, LcmTrainCommand.class, LcmEvalCommand.class,
                LcmGenerateCommand.class})
final class LcmCommand extends ParentCommand {
}
