package dev.mono4j.bench;

import ai.djl.ndarray.NDManager;
import dev.mono4j.data.TextSource;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.data.conceptworld.Lexicon;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.metrics.MeasureConfig;
import dev.mono4j.metrics.Measurement;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.tokenize.WordLevelTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What measuring costs: the same labelled ConceptWorld texts run through a random-weight model twice,
 * once with the forward pass alone and once under {@code measure} (every metric, token concepts
 * included, at the default hooks), in the same batches. Reports both rates, the overhead, and the
 * forward pass's FLOP rate as a fraction of the fp32 GEMM timed in the same run.
 *
 * @param texts   ConceptWorld stories per timed pass
 * @param hooks   hook glob(s) to measure; null: measure's default per model
 * @param repeats timed passes of each kind (the best is kept)
 */
public record MeasureBench(List<ModelShape> models, int texts, String hooks, int repeats) {
    public MeasureBench {
        if (texts < 2 || repeats < 1) {
            throw new IllegalArgumentException("need texts >= 2 and repeats >= 1");
        }
    }

    /** Prints the table to {@code out} and returns the report (the JSON a run may also write). */
    public Map<String, Object> run(PrintWriter out) {
        MeasureConfig cfg = MeasureConfig.DEFAULT.withHooks(hooks);
        TextSource source = TextSource.conceptWorld(texts, 1, 1);
        List<String> stories = new ArrayList<>();
        source.iterator().forEachRemaining(t -> stories.add(t.text()));
        double gemm = Throughput.gemmFlops();
        List<Map<String, Object>> results = new ArrayList<>();
        out.printf("%-12s %14s %14s %9s %14s%n", "model", "forward tok/s", "measure tok/s", "overhead", "fwd of GEMM");
        Path file = tempTokenizer();
        try (Tokenizer tok = Tokenizer.load(file)) {
            for (ModelShape s : models) {
                try (TransformerLM model = TransformerLM.random(s.config, 0)) {
                    double fwd = Double.MAX_VALUE;
                    double meas = Double.MAX_VALUE;
                    long tokens = 0;
                    long padded = 0;
                    // Warm-up of both (JIT, allocator), then alternating passes: the host's speed drifts, so
                    // each kind keeps its best pass and both see the same conditions.
                    forwardOnly(model, tok, stories, cfg.batchSize());
                    Measurement.run(model, tok, s.toString(), "random weights", source, cfg, false);
                    for (int r = 0; r < repeats; r++) {
                        long t0 = System.nanoTime();
                        padded = forwardOnly(model, tok, stories, cfg.batchSize());
                        fwd = Math.min(fwd, (System.nanoTime() - t0) / 1e9);
                        t0 = System.nanoTime();
                        tokens = Measurement.run(model, tok, s.toString(), "random weights", source, cfg, false).tokens();
                        meas = Math.min(meas, (System.nanoTime() - t0) / 1e9);
                        gemm = Math.max(gemm, Throughput.gemmFlops());
                    }
                    // FLOPs of the padded batches the model really ran (stories are ~50 tokens long).
                    double flops = padded * Throughput.forwardFlopsPerToken(s.config, 64) / fwd;
                    double overhead = meas / fwd - 1;
                    out.printf("%-12s %14.0f %14.0f %8.1f%% %13.0f%%%n", s, tokens / fwd, tokens / meas, 100 * overhead,
                            100 * flops / gemm);
                    results.add(Json.object("model", s.toString(), "texts", texts, "tokens", tokens,
                            "forward_tokens_per_s", tokens / fwd, "measure_tokens_per_s", tokens / meas,
                            "overhead", overhead, "forward_fraction_of_gemm", flops / gemm));
                }
            }
        } finally {
            file.toFile().delete();
        }
        out.printf("fp32 GEMM %s, best of the run: %.1f GFLOP/s%n", Throughput.gemmShape(), gemm / 1e9);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("threads", Runtime.getRuntime().availableProcessors());
        report.put("hooks", hooks == null ? "default" : hooks);
        report.put("gemm_gflops", gemm / 1e9);
        report.put("results", results);
        return report;
    }

    /** Runs every batch with no hooks; returns the padded tokens processed. */
    private static long forwardOnly(TransformerLM model, Tokenizer tok, List<String> stories, int batchSize) {
        long padded = 0;
        for (int i = 0; i < stories.size(); i += batchSize) {
            TokenBatch b = TokenBatch.encode(tok, stories.subList(i, Math.min(stories.size(), i + batchSize)),
                    TokenBatch.PadSide.RIGHT);
            try (NDManager step = model.manager().newSubManager()) {
                model.forward(step, b, Hooks.none()).getFloat(0, 0, 0);
            }
            padded += (long) b.batchSize() * b.seqLen();
        }
        return padded;
    }

    /** A word-level tokenizer over ConceptWorld's words (ids fit both models' vocabularies). */
    private static Path tempTokenizer() {
        try {
            Path file = Files.createTempFile("mono4j-bench-measure", ".json");
            WordLevelTokenizer.write(file, Lexicon.allWords());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
