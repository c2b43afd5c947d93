package dev.mono4j.cli;

import dev.mono4j.data.conceptworld.ConceptWorldConfig;
import dev.mono4j.data.conceptworld.ConceptWorldWriter;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.train.PretrainConfig;
import dev.mono4j.train.PretrainSummary;
import dev.mono4j.train.Pretrainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Training throughput of each size preset on ConceptWorld (generated into a temp folder): tokens/s and
 * the FLOP rate (3 × forward FLOPs per token) as a fraction of the reference GEMM timed in the same run.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true, description = "Pretraining tokens/s per preset vs. an fp32 GEMM.")
final class BenchPretrainCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--presets", split = ",", defaultValue = "xs,s,m,l")
    List<String> presets;

    @Option(names = "--archs", split = ",", defaultValue = "llama,gpt2")
    List<String> archs;

    @Option(names = "--steps", defaultValue = "20", description = "Timed optimizer steps per preset.")
    int steps;

    @Option(names = "--batch-size", defaultValue = "16")
    int batchSize;

    @Option(names = "--seq-len", defaultValue = "128")
    int seqLen;

    @Option(names = "--json", description = "Also write the results to this JSON file.")
    Path json;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        Throughput.inTempFolder(tmp -> {
            Path data = tmp.resolve("data");
            ConceptWorldWriter.write(new ConceptWorldConfig(5000, 1, 2, 0.05), data);
            int vocab = vocabOf(data);
            double gemm = Throughput.gemmFlops();
            record Row(String arch, String preset, long params, double tokensPerS, double flops) {
            }
            List<Row> rows = new ArrayList<>();
            for (String arch : archs) {
                for (String preset : presets) {
                    PretrainConfig cfg = Flags.check(() -> PretrainConfig.builder().arch(arch).preset(preset).steps(steps)
                            .batchSize(batchSize).seqLen(seqLen).evalEvery(0).evalBatches(1).checkpointEvery(0).build());
                    PretrainSummary s = Pretrainer.run(cfg, data.resolve("train.txt"), data.resolve("valid.txt"),
                            data.resolve("tokenizer.json"), tmp.resolve(arch + "-" + preset), log -> { });
                    double flops = s.tokensPerS() * 3 * Throughput.forwardFlopsPerToken(cfg.modelConfig(vocab), seqLen);
                    rows.add(new Row(arch, preset, s.parameters(), s.tokensPerS(), flops));
                    gemm = Math.max(gemm, Throughput.gemmFlops());
                }
            }
            out.printf("fp32 GEMM %s, best of the run: %.1f GFLOP/s%n", Throughput.gemmShape(), gemm / 1e9);
            out.printf("%-6s %-6s %12s %12s %10s %9s%n", "arch", "preset", "parameters", "tokens/s", "GFLOP/s", "of GEMM");
            List<Map<String, Object>> results = new ArrayList<>();
            for (Row r : rows) {
                out.printf("%-6s %-6s %,12d %,12.0f %10.2f %8.1f%%%n", r.arch, r.preset, r.params, r.tokensPerS,
                        r.flops / 1e9, 100 * r.flops / gemm);
                results.add(Json.object("arch", r.arch, "preset", r.preset, "parameters", r.params, "tokens_per_s",
                        r.tokensPerS, "gflops", r.flops / 1e9, "fraction_of_gemm", r.flops / gemm));
            }
            if (json != null) {
                AtomicFiles.writeString(json, Json.write(Json.object("gemm_gflops", gemm / 1e9, "steps", steps,
                        "batch_size", batchSize, "seq_len", seqLen, "results", results)));
            }
        });
    }

    private static int vocabOf(Path data) {
        try (var tok = dev.mono4j.tokenize.Tokenizer.load(data.resolve("tokenizer.json"))) {
            return tok.vocabSize();
        }
    }
}
