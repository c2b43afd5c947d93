package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mono4j <command>}. Bad input (a file, a flag, a tensor) ends with one line on stderr naming what
 * is wrong and exit code 2; {@code --verbose} adds the stack trace.
 */
@Command(name = "mono4j", mixinStandardHelpOptions = true, version = "mono4j 0.1.0",
        description = "Monosemanticity research on Hugging Face checkpoints: decoders (GPT-2, Llama, Qwen2, Mistral) and"
                + " encoders (BERT).",
        subcommands = {InspectCommand.class, TokenizeCommand.class, GenerateCommand.class, ForwardCommand.class,
            LensCommand.class, PatchCommand.class, DataCommand.class, FactorGraphCommand.class, PretrainCommand.class,
            MeasureCommand.class, AlignCommand.class, SaeCommand.class, MonetCommand.class, SelectCommand.class,
            ConvertCommand.class, ModelsCommand.class, EmbedCommand.class, LcmCommand.class, DemoCommand.class,
            BenchCommand.class, ReproduceCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_BAD_INPUT = 2;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    /**
     * {@code --threads N}: PyTorch's intra-op threads for this process (default: PyTorch's, one per core, or
     * {@code MONO4J_THREADS}). Several mono4j processes side by side should divide the cores among them: PyTorch's
     * idle threads spin, so two processes that each use every core slow each other down many times over
     * (docs/benchmarks.md, "Processes side by side").
     */
    @Option(names = "--threads", scope = CommandLine.ScopeType.INHERIT, paramLabel = "N",
            description = "PyTorch intra-op threads (default: one per core, or the MONO4J_THREADS environment variable).")
    void threads(int n) {
        if (n < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1, not " + n);
        }
        Threads.use(n, "--threads");
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        // No command may reach the network: DJL must use the native library bundled in the class path.
        System.setProperty("ai.djl.offline", "true");
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        String fromEnv = System.getenv("MONO4J_THREADS");
        if (fromEnv != null && !fromEnv.isBlank() && !java.util.Arrays.asList(args).contains("--threads")) {
            try {
                Threads.use(Integer.parseInt(fromEnv.trim()), "MONO4J_THREADS");
            } catch (NumberFormatException | UserInputException e) {
                err.println("error: MONO4J_THREADS=" + fromEnv + " is not a positive thread count");
                return EXIT_BAD_INPUT;
            }
        }
        CommandLine cli = new CommandLine(new Main());
        Enums.registerAll(cli);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + ex.getMessage() + " (see --help)");
            return EXIT_BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (verbose) {
                ex.printStackTrace(err);
            }
            if (ex instanceof UserInputException) {
                err.println("error: " + ex.getMessage());
                return EXIT_BAD_INPUT;
            }
            if (ex instanceof UncheckedIOException) {
                err.println("error: " + ex.getMessage());
                return 1;
            }
            err.println("error: " + ex + (verbose ? "" : " (run with --verbose for details)"));
            return 1;
        });
        return cli.execute(args);
    }
}
