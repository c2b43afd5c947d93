package dev.mono4j.bench;

import dev.mono4j.data.conceptworld.ConceptWorldConfig;
import dev.mono4j.data.conceptworld.ConceptWorldWriter;
import dev.mono4j.io.Json;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.train.PretrainConfig;
import dev.mono4j.train.PretrainSummary;
import dev.mono4j.train.Pretrainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Training throughput of model configs on ConceptWorld (generated into a temp folder): tokens/s and the FLOP
 * rate (3 × forward FLOPs per token) as a fraction of the reference GEMM timed in the same run.
 *
 * @param runs what to train, in order; all with the same steps, batch size and sequence length
 */
public record PretrainBench(List<Run> runs) {
    /** One row of the table: the architecture and preset it prints, and the config that trains. */
    public record Run(String arch, String preset, PretrainConfig config) {
    }

    public PretrainBench {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("nothing to run");
        }
        runs = List.copyOf(runs);
    }

    /** Prints the table to {@code out} and returns the report (the JSON a run may also write). */
    public Map<String, Object> run(PrintWriter out) {
        return Throughput.inTempFolder(tmp -> {
            Path data = tmp.resolve("data");
            ConceptWorldWriter.write(new ConceptWorldConfig(5000, 1, 2, 0.05), data);
            int vocab = vocabOf(data);
            double gemm = Throughput.gemmFlops();
            record Row(String arch, String preset, long params, double tokensPerS, double flops) {
            }
            List<Row> rows = new ArrayList<>();
            for (Run run : runs) {
                PretrainConfig cfg = run.config();
                PretrainSummary s = Pretrainer.run(cfg, data.resolve("train.txt"), data.resolve("valid.txt"),
                        data.resolve("tokenizer.json"), tmp.resolve(run.arch() + "-" + run.preset()), log -> { });
                double flops = s.tokensPerS() * 3 * Throughput.forwardFlopsPerToken(cfg.modelConfig(vocab), cfg.seqLen());
                rows.add(new Row(run.arch(), run.preset(), s.parameters(), s.tokensPerS(), flops));
                gemm = Math.max(gemm, Throughput.gemmFlops());
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
            PretrainConfig first = runs.get(0).config();
            return Json.object("gemm_gflops", gemm / 1e9, "steps", first.steps(), "batch_size", first.batchSize(),
                    "seq_len", first.seqLen(), "results", results);
        });
    }

    private static int vocabOf(Path data) {
        try (Tokenizer tok = Tokenizer.load(data.resolve("tokenizer.json"))) {
            return tok.vocabSize();
        }
    }
}
