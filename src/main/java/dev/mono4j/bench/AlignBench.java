package dev.mono4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.mono4j.align.AlignConfig;
import dev.mono4j.align.AlignData;
import dev.mono4j.align.AlignTrainer;
import dev.mono4j.align.PolicyLogProbs;
import dev.mono4j.align.PreferenceBatch;
import dev.mono4j.data.conceptworld.ConceptWorldConfig;
import dev.mono4j.data.conceptworld.ConceptWorldWriter;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.train.Gradients;
import dev.mono4j.train.PretrainConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What one alignment step costs, per variant, on a random model of a size preset with ConceptWorld's
 * toxicity pairs: ms/step, tokens/s (policy tokens, chosen and rejected), and the FLOP rate as a fraction of
 * the GEMM timed in the same run. Also timed: the bare forward + backward pass over the same batches, the
 * least a step needs, so the table shows what the method adds on top of it.
 *
 * @param preset   the size preset's name, as the table prints it
 * @param model    the pretraining config whose model (at ConceptWorld's vocabulary) is aligned
 * @param variants the variants timed, given the model's config (LoRA targets depend on it)
 * @param warmUp   an untimed run first: the JIT and PyTorch's allocator warm up on it, not on the first variant
 * @param barePass steps and batch size of the bare pass, and of the table's heading
 */
public record AlignBench(String preset, PretrainConfig model, Function<ModelConfig, List<Variant>> variants,
        AlignConfig warmUp, AlignConfig barePass) {
    /** A variant timed: a name and the config. */
    public record Variant(String name, AlignConfig config) {
    }

    /** Prints the table to {@code out} and returns the report (the JSON a run may also write). */
    public Map<String, Object> run(PrintWriter out) {
        return Throughput.inTempFolder(tmp -> {
            Path data = tmp.resolve("data");
            ConceptWorldWriter.write(new ConceptWorldConfig(300, 1, 1, 0.05), data);
            Path modelDir = tmp.resolve("model");
            ModelConfig mc;
            try (Tokenizer tok = Tokenizer.load(data.resolve("tokenizer.json"))) {
                mc = model.modelConfig(tok.vocabSize()).withSpecialTokens(tok.bosId().orElse(-1),
                        List.of(tok.eosId().orElseThrow()));
            }
            long parameters;
            try (TransformerLM m = TransformerLM.random(mc, 0)) {
                Checkpoint.save(m, modelDir, data.resolve("tokenizer.json"), false);
                parameters = m.parameterCount();
            }
            AlignData.Source source = AlignData.Source.task("toxicity", 1);
            List<Variant> timed = variants.apply(mc);
            AlignTrainer.run(warmUp, modelDir, source, tmp.resolve("run"), true, l -> { });
            double gemm = Throughput.gemmFlops();
            double passMs = barePassMs(modelDir, source, barePass);
            record Row(String name, double ms, double tokensPerS, double flops) {
            }
            List<Row> rows = new ArrayList<>();
            for (Variant v : timed) {
                AlignTrainer.Summary s = AlignTrainer.run(v.config, modelDir, source, tmp.resolve("run"), true, l -> { });
                // Policy forward + backward = 3 forward passes' FLOPs; the live reference adds a forward.
                double passes = v.config.reference() == AlignConfig.Reference.LIVE ? 4 : 3;
                rows.add(new Row(v.name, s.msPerStep(), s.tokensPerS(), s.tokensPerS() * passes
                        * Throughput.forwardFlopsPerToken(mc, 32)));
                gemm = Math.max(gemm, Throughput.gemmFlops());
            }
            out.printf("preset %s (%,d parameters), %d pairs per step, %d timed steps; bare forward+backward of the same"
                    + " batches: %.1f ms%n", preset, parameters, barePass.batchSize(), barePass.steps(), passMs);
            out.printf("fp32 GEMM %s, best of the run: %.1f GFLOP/s%n", Throughput.gemmShape(), gemm / 1e9);
            out.printf("%-22s %9s %10s %12s %9s%n", "variant", "ms/step", "x bare", "tokens/s", "of GEMM");
            List<Map<String, Object>> results = new ArrayList<>();
            for (Row r : rows) {
                out.printf("%-22s %9.1f %10.2f %,12.0f %8.1f%%%n", r.name, r.ms, r.ms / passMs, r.tokensPerS, 100 * r.flops / gemm);
                results.add(Json.object("variant", r.name, "ms_per_step", r.ms, "vs_bare_pass", r.ms / passMs,
                        "tokens_per_s", r.tokensPerS, "fraction_of_gemm", r.flops / gemm));
            }
            return Json.object("preset", preset, "gemm_gflops", gemm / 1e9, "bare_pass_ms", passMs, "steps",
                    barePass.steps(), "batch_size", barePass.batchSize(), "results", results);
        });
    }

    /** Mean ms of one forward + backward over batches of the training pairs, with nothing else. */
    private static double barePassMs(Path modelDir, AlignData.Source source, AlignConfig cfg) {
        AlignData data = source.load(cfg.evalShare());
        try (Tokenizer tok = Tokenizer.load(modelDir); TransformerLM model = Checkpoint.loadCausal(modelDir, "alignment")) {
            model.setTrainable(k -> true);
            long nanos = 0;
            int n = cfg.steps();
            for (int i = -2; i < n; i++) { // two warm-up passes
                PreferenceBatch b = PreferenceBatch.encode(tok, data.train().subList(i + 2, i + 2 + cfg.batchSize()),
                        cfg.maxPromptTokens(), cfg.maxLength());
                long t0 = System.nanoTime();
                try (NDManager m = model.manager().newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(PolicyLogProbs.sums(model, m, b, Hooks.none()).sum());
                }
                Gradients.zero(model.parameters().values());
                nanos += i >= 0 ? System.nanoTime() - t0 : 0;
            }
            return nanos / 1e6 / n;
        }
    }
}
