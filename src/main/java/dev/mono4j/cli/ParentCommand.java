package dev.mono4j.cli;

/** A command that only groups subcommands ({@code data}, {@code bench}, ...): on its own it prints its usage. */
abstract class ParentCommand extends CliCommand {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }
}
