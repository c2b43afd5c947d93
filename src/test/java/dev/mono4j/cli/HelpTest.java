package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** Every command's {@code --help}: rendered without picocli's warnings, every option and parameter described. */
class HelpTest {
    /** Each command's path below {@code mono4j}, e.g. [align, eval], parents before their subcommands. */
    static List<List<String>> commandPaths() {
        List<List<String>> paths = new ArrayList<>();
        collect(new CommandLine(new Main()), List.of(), paths);
        return paths;
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> paths) {
        paths.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) { // aliases name the same command again
                collect(sub, Stream.concat(path.stream(), Stream.of(name)).toList(), paths);
            }
        });
    }

    @Test
    void everyCommandsHelpRendersWithoutWarnings() {
        // picocli prints "Could not format" (an unescaped % in a description) through its tracer, on System.err.
        PrintStream original = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        List<List<String>> paths = commandPaths();
        assertTrue(paths.contains(List.of("align", "eval")), paths.toString());
        try {
            System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
            for (List<String> path : paths) {
                CliTest.Run r = cli(Stream.concat(path.stream(), Stream.of("--help")).toArray());
                String command = "mono4j " + String.join(" ", path);
                assertEquals(0, r.code(), command + ": " + r.err());
                assertTrue(r.out().startsWith("Usage: " + command), command + ": " + r.out());
                assertFalse(r.out().contains("Could not format"), command + ": " + r.out());
                assertEquals("", r.err(), command);
                assertEquals("", warnings.toString(StandardCharsets.UTF_8), command);
            }
        } finally {
            System.setErr(original);
        }
    }

    @Test
    void everyOptionAndParameterHasADescription() {
        List<String> undescribed = new ArrayList<>();
        for (List<String> path : commandPaths()) {
            CommandSpec spec = commandAt(path);
            for (ArgSpec arg : spec.args()) {
                boolean described = Stream.of(arg.description()).anyMatch(line -> !line.isBlank());
                if (!described) {
                    undescribed.add("mono4j " + String.join(" ", path) + " " + arg.paramLabel()
                            + (arg.isOption() ? " " + List.of(((CommandLine.Model.OptionSpec) arg).names()) : ""));
                }
            }
        }
        assertEquals(List.of(), undescribed);
    }

    private static CommandSpec commandAt(List<String> path) {
        CommandLine cl = new CommandLine(new Main());
        for (String name : path) {
            cl = cl.getSubcommands().get(name);
        }
        return cl.getCommandSpec();
    }
}
