package dev.mono4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.mono4j.console.Progress;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.train.Gradients;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Tokens/s of forward and forward+backward for real models' shapes with random weights, and their FLOP rate
 * as a fraction of an fp32 GEMM timed in the same run. FLOPs count the matrix products: 2 per weight per token
 * (lm_head included, embedding lookups not), plus attention's 4·T·d per token per layer (the full T×T score
 * matrix is computed); forward+backward is 3× forward.
 *
 * @param batch rows per step
 * @param seq   tokens per row
 * @param steps timed steps per measurement (after one warm-up)
 */
public record ForwardBench(List<ModelShape> models, int batch, int seq, int steps) {
    public ForwardBench {
        if (batch < 1 || seq < 2 || steps < 1) {
            throw new IllegalArgumentException("need batch >= 1, seq >= 2, steps >= 1");
        }
    }

    /** Prints the table to {@code out} and returns the report (the JSON a run may also write). */
    public Map<String, Object> run(PrintWriter out) {
        // The machine's speed drifts (shared hosts), so the GEMM is re-timed between passes and every
        // ratio uses the best GEMM rate seen in the run: the conservative choice.
        double gemm = Throughput.gemmFlops();
        record Row(String model, String pass, double tokensPerSec, double flops, long params) {
        }
        List<Row> rows = new ArrayList<>();
        for (ModelShape s : models) {
            try (TransformerLM model = TransformerLM.random(s.config, 0)) {
                TokenBatch tokens = randomTokens(s.config.vocabSize());
                double flopsPerToken = Throughput.forwardFlopsPerToken(s.config, seq);
                for (boolean backward : new boolean[] {false, true}) {
                    double secs = time(model, tokens, backward, s + (backward ? " fwd+bwd" : " forward"));
                    double tokPerSec = batch * seq / secs;
                    rows.add(new Row(s.toString(), backward ? "forward+backward" : "forward", tokPerSec,
                            tokPerSec * flopsPerToken * (backward ? 3 : 1), model.parameterCount()));
                    gemm = Math.max(gemm, Throughput.gemmFlops());
                }
            }
        }
        out.printf("fp32 GEMM %s, best of the run: %.1f GFLOP/s%n", Throughput.gemmShape(), gemm / 1e9);
        out.printf("%-12s %-16s %12s %12s %10s%n", "model", "pass", "tokens/s", "GFLOP/s", "of GEMM");
        List<Map<String, Object>> results = new ArrayList<>();
        for (Row r : rows) {
            out.printf("%-12s %-16s %12.0f %12.1f %9.0f%%%n", r.model, r.pass, r.tokensPerSec, r.flops / 1e9,
                    100 * r.flops / gemm);
            results.add(Json.object("model", r.model, "pass", r.pass, "tokens_per_s", r.tokensPerSec, "gflops", r.flops / 1e9,
                    "fraction_of_gemm", r.flops / gemm, "parameters", r.params));
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("threads", Runtime.getRuntime().availableProcessors());
        report.put("batch", batch);
        report.put("seq", seq);
        report.put("gemm_gflops", gemm / 1e9);
        report.put("results", results);
        return report;
    }

    /** Mean seconds per step over {@link #steps} timed steps, after one untimed warm-up step. */
    private double time(TransformerLM model, TokenBatch tokens, boolean backward, String label) {
        model.setTrainable(k -> backward);
        Progress progress = new Progress(label, steps + 1, "steps");
        long start = 0;
        for (int i = 0; i <= steps; i++) {
            if (i == 1) {
                start = System.nanoTime();
            }
            try (NDManager step = model.manager().newSubManager()) {
                if (backward) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = model.forward(step, tokens, Hooks.none());
                        NDArray loss = LogProbs.sequence(LogProbs.nextToken(logits, tokens),
                                LogProbs.defaultTargetMask(tokens)).neg().mean();
                        gc.backward(loss);
                    }
                    Gradients.zero(model.parameters().values());
                } else {
                    model.forward(step, tokens, Hooks.none()).getFloat(0, 0, 0);
                }
            }
            progress.step(1);
        }
        model.setTrainable(k -> false);
        return (System.nanoTime() - start) / 1e9 / steps;
    }

    private TokenBatch randomTokens(int vocab) {
        SplittableRandom rng = new SplittableRandom(1);
        long[] ids = new long[batch * seq];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(vocab);
        }
        return TokenBatch.of(batch, seq, ids);
    }
}
