package dev.mono4j.cli;

import dev.mono4j.io.NonFinite;
import picocli.CommandLine.Option;

/**
 * {@code --allow-nonfinite} of every command that loads a checkpoint, an SAE or an activation store: by default a
 * NaN or ±Inf there is refused with one line naming the file, the tensor, how many and the first.
 */
final class NonFiniteOption {
    @Option(names = NonFinite.FLAG, description = "Use weights and activations that hold NaN or ±Inf (refused by"
            + " default, naming the file and tensor).")
    boolean allow;

    NonFinite policy() {
        return NonFinite.allowIf(allow);
    }
}
