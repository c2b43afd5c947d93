package dev.mono4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command has: its picocli spec, and the stream its results go to (the tests capture it). */
abstract class CliCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Standard output as picocli was given it ({@link Main#run}). */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
