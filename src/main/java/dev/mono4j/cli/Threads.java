package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.model.TorchThreads;

/** The process's PyTorch intra-op thread count ({@code --threads}, {@code MONO4J_THREADS}). */
final class Threads {
    private Threads() {
    }

    /** Sets PyTorch's intra-op threads to {@code n} (torch.set_num_threads), loading the engine if needed. */
    static void use(int n, String source) {
        if (n < 1) {
            throw new UserInputException(source + " must be at least 1, not " + n);
        }
        TorchThreads.set(n);
    }

    /** PyTorch's intra-op threads now. */
    static int current() {
        return TorchThreads.get();
    }
}
