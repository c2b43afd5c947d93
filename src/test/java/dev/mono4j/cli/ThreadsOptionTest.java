package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mono4j.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** {@code --threads} sets PyTorch's intra-op threads, before or after the subcommand; a bad count is one line. */
class ThreadsOptionTest {
    @Test
    void threadsAreSetWhereverTheFlagStands() {
        int before = Threads.current();
        try {
            assertEquals(0, cli("--threads", 1, "inspect", Fixtures.dir("gpt2-tiny")).code());
            assertEquals(1, Threads.current());
            assertEquals(0, cli("inspect", Fixtures.dir("gpt2-tiny"), "--threads", 2).code());
            assertEquals(2, Threads.current());
            assertBadInput(cli("inspect", Fixtures.dir("gpt2-tiny"), "--threads", 0), "--threads must be at least 1");
        } finally {
            Threads.use(before, "test");
        }
    }
}
