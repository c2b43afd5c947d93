package dev.mono4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** The checkpoint folder a command reads, its first positional parameter. */
final class CheckpointFolder {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "Hugging Face checkpoint folder (config.json,"
            + " weights; tokenizer.json where the command reads or writes text).")
    Path dir;
}
