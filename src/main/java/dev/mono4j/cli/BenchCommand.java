package dev.mono4j.cli;

import picocli.CommandLine.Command;

/** Throughput benchmarks, each reported as a ratio to a GEMM measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (throughput relative to an fp32 GEMM measured in the same run).",
        subcommands = {BenchForwardCommand.class, BenchPretrainCommand.class, BenchMeasureCommand.class,
            BenchAlignCommand.class, BenchSaeCommand.class, BenchSelectCommand.class})
final class BenchCommand extends ParentCommand {
}
