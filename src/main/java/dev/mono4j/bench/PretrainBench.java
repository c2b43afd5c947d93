package dev.mono4j.bench;

import ai.djl.ndarray.NDManager;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.data.conceptworld.ConceptWorldConfig;
import dev.mono4j.data.conceptworld.ConceptWorldWriter;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.train.PretrainConfig;
import dev.mono4j.train.PretrainSummary;
import dev.mono4j.train.Pretrainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Training throughput of model configs on ConceptWorld (generated into a temp folder): tokens/s and the FLOP
 * rate (3 × forward FLOPs per token) as a fraction of the reference GEMM timed in the same run; then the trained
 * model's inference tokens/s (forward passes of the same batch shape, in inference mode) and the peak resident
 * memory each of the two rose to above its start ({@link PeakMemory}; Linux only, else -1). Memory is reported for
 * the first run of a process only: later runs reuse what the JVM and the allocator kept from earlier ones, so
 * their rise says nothing (measured: 193 MB for a first run, 0–3 MB for the same kind of run after it); compare
 * models with one run per process.
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
            record Row(String arch, String preset, long params, double tokensPerS, double flops, double inferTokensPerS,
                    double inferFlops, long trainPeak, long inferPeak) {
            }
            List<Row> rows = new ArrayList<>();
            for (Run run : runs) {
                PretrainConfig cfg = run.config();
                boolean first = rows.isEmpty();
                PeakMemory.Mark training = PeakMemory.start();
                PretrainSummary s = Pretrainer.run(cfg, data.resolve("train.txt"), data.resolve("valid.txt"),
                        data.resolve("tokenizer.json"), tmp.resolve(run.arch() + "-" + run.preset()), log -> { });
                long trainPeak = training.riseBytes();
                double flopsPerToken = Throughput.forwardFlopsPerToken(cfg.modelConfig(vocab), cfg.seqLen());
                PeakMemory.Mark inference = PeakMemory.start();
                double inferTokensPerS = inferenceTokensPerS(s.model(), cfg);
                rows.add(new Row(run.arch(), run.preset(), s.parameters(), s.tokensPerS(), s.tokensPerS() * 3 * flopsPerToken,
                        inferTokensPerS, inferTokensPerS * flopsPerToken, first ? trainPeak : -1,
                        first ? inference.riseBytes() : -1));
                gemm = Math.max(gemm, Throughput.gemmFlops());
            }
            out.printf("fp32 GEMM %s, best of the run: %.1f GFLOP/s%n", Throughput.gemmShape(), gemm / 1e9);
            out.printf("%-8s %-6s %12s %12s %9s %10s %14s %9s %10s%n", "arch", "preset", "parameters", "tokens/s",
                    "of GEMM", "train MiB", "infer tokens/s", "of GEMM", "infer MiB");
            List<Map<String, Object>> results = new ArrayList<>();
            for (Row r : rows) {
                out.printf("%-8s %-6s %,12d %,12.0f %8.1f%% %10s %,14.0f %8.1f%% %10s%n", r.arch, r.preset, r.params,
                        r.tokensPerS, 100 * r.flops / gemm, mib(r.trainPeak), r.inferTokensPerS, 100 * r.inferFlops / gemm,
                        mib(r.inferPeak));
                results.add(Json.object("arch", r.arch, "preset", r.preset, "parameters", r.params, "tokens_per_s",
                        r.tokensPerS, "gflops", r.flops / 1e9, "fraction_of_gemm", r.flops / gemm,
                        "inference_tokens_per_s", r.inferTokensPerS, "inference_fraction_of_gemm", r.inferFlops / gemm,
                        "train_peak_rise_bytes", r.trainPeak, "inference_peak_rise_bytes", r.inferPeak));
            }
            PretrainConfig first = runs.get(0).config();
            return Json.object("gemm_gflops", gemm / 1e9, "steps", first.steps(), "batch_size", first.batchSize(),
                    "seq_len", first.seqLen(), "results", results);
        });
    }

    /** MiB, or "n/a" where not measured (not Linux, or not the process's first run). */
    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.0f", bytes / 1048576.0);
    }

    /**
     * Tokens/s of forward passes (inference mode, no gradient) over the saved model: one warm-up, then as many
     * timed passes as the run's steps, each a batch of the run's shape with seeded random ids.
     */
    private static double inferenceTokensPerS(Path model, PretrainConfig cfg) {
        try (TransformerLM m = Checkpoint.loadCausal(model, "the benchmark")) {
            SplittableRandom rng = new SplittableRandom(cfg.seed());
            long[] ids = new long[cfg.batchSize() * cfg.seqLen()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = rng.nextInt(m.config().vocabSize());
            }
            TokenBatch batch = TokenBatch.of(cfg.batchSize(), cfg.seqLen(), ids);
            long nanos = 0;
            for (int step = 0; step <= cfg.steps(); step++) {
                try (NDManager pass = m.manager().newSubManager()) {
                    long t0 = System.nanoTime();
                    m.forward(pass, batch, Hooks.none()).getFloat(0, 0, 0);
                    nanos += step == 0 ? 0 : System.nanoTime() - t0;
                }
            }
            return (double) cfg.steps() * ids.length / (nanos / 1e9);
        }
    }

    private static int vocabOf(Path data) {
        try (Tokenizer tok = Tokenizer.load(data.resolve("tokenizer.json"))) {
            return tok.vocabSize();
        }
    }
}
