package dev.mono4j.cli;

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
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.LoraConfig;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What one alignment step costs, per method, on a random model of a size preset with ConceptWorld's
 * toxicity pairs: ms/step, tokens/s (policy tokens, chosen and rejected), and the FLOP rate as a fraction of
 * the GEMM timed in the same run. Also timed: the bare forward + backward pass over the same batches, the
 * least a step needs, so the table shows what the method adds on top of it.
 */
@Command(name = "align", mixinStandardHelpOptions = true, description = "Alignment ms/step and tokens/s per method vs."
        + " the bare forward+backward pass and an fp32 GEMM.")
final class BenchAlignCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--preset", defaultValue = "m", description = "Model size (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--steps", defaultValue = "30", description = "Timed steps per variant (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "8", description = "Pairs per step (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--json", description = "Also write the results to this JSON file.")
    Path json;

    /** The variants timed: a name and the config. */
    private record Variant(String name, AlignConfig cfg) {
    }

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        Throughput.inTempFolder(tmp -> {
            Path data = tmp.resolve("data");
            ConceptWorldWriter.write(new ConceptWorldConfig(300, 1, 1, 0.05), data);
            Path model = tmp.resolve("model");
            ModelConfig mc;
            try (Tokenizer tok = Tokenizer.load(data.resolve("tokenizer.json"))) {
                mc = Flags.check(() -> PretrainConfig.builder().preset(preset).build()).modelConfig(tok.vocabSize())
                        .withSpecialTokens(tok.bosId().orElse(-1), List.of(tok.eosId().orElseThrow()));
            }
            long parameters;
            try (TransformerLM m = TransformerLM.random(mc, 0)) {
                Checkpoint.save(m, model, data.resolve("tokenizer.json"), false);
                parameters = m.parameterCount();
            }
            AlignData.Source source = AlignData.Source.task("toxicity", 1);
            AlignConfig.Builder base = AlignConfig.builder(AlignConfig.Method.DPO);
            List<Variant> variants = new ArrayList<>();
            for (AlignConfig.Method method : List.of(AlignConfig.Method.SFT, AlignConfig.Method.DPO, AlignConfig.Method.SIMPO,
                    AlignConfig.Method.L1, AlignConfig.Method.DECPO, AlignConfig.Method.MEMEL)) {
                variants.add(new Variant(method.id(), timed(AlignConfig.builder(method).memelWindow(1)).build()));
            }
            variants.add(new Variant("dpo, live reference", timed(base).reference(AlignConfig.Reference.LIVE).build()));
            variants.add(new Variant("dpo, LoRA r=8", timed(AlignConfig.builder(AlignConfig.Method.DPO))
                    .lora(new LoraConfig(8, 16, 0, LoraConfig.defaultTargets(mc), 0, -1)).build()));
            // An untimed run first: the JIT and PyTorch's allocator warm up on it, not on the first variant.
            AlignTrainer.run(timed(AlignConfig.builder(AlignConfig.Method.DPO)).steps(5).build(), model, source,
                    tmp.resolve("run"), true, l -> { });
            double gemm = Throughput.gemmFlops();
            double passMs = barePassMs(model, source, timed(base).build());
            record Row(String name, double ms, double tokensPerS, double flops) {
            }
            List<Row> rows = new ArrayList<>();
            for (Variant v : variants) {
                AlignTrainer.Summary s = AlignTrainer.run(v.cfg, model, source, tmp.resolve("run"), true, l -> { });
                // Policy forward + backward = 3 forward passes' FLOPs; the live reference adds a forward.
                double passes = v.cfg.reference() == AlignConfig.Reference.LIVE ? 4 : 3;
                rows.add(new Row(v.name, s.msPerStep(), s.tokensPerS(), s.tokensPerS() * passes
                        * Throughput.forwardFlopsPerToken(mc, 32)));
                gemm = Math.max(gemm, Throughput.gemmFlops());
            }
            out.printf("preset %s (%,d parameters), %d pairs per step, %d timed steps; bare forward+backward of the same"
                    + " batches: %.1f ms%n", preset, parameters, batchSize, steps, passMs);
            out.printf("fp32 GEMM %s, best of the run: %.1f GFLOP/s%n", Throughput.gemmShape(), gemm / 1e9);
            out.printf("%-22s %9s %10s %12s %9s%n", "variant", "ms/step", "x bare", "tokens/s", "of GEMM");
            List<Map<String, Object>> results = new ArrayList<>();
            for (Row r : rows) {
                out.printf("%-22s %9.1f %10.2f %,12.0f %8.1f%%%n", r.name, r.ms, r.ms / passMs, r.tokensPerS, 100 * r.flops / gemm);
                results.add(Json.object("variant", r.name, "ms_per_step", r.ms, "vs_bare_pass", r.ms / passMs,
                        "tokens_per_s", r.tokensPerS, "fraction_of_gemm", r.flops / gemm));
            }
            if (json != null) {
                AtomicFiles.writeString(json, Json.write(Json.object("preset", preset, "gemm_gflops", gemm / 1e9,
                        "bare_pass_ms", passMs, "steps", steps, "batch_size", batchSize, "results", results)));
            }
        });
    }

    /** Timed steps only: held-out metrics and FD come once, after the last step, outside the step timing. */
    private AlignConfig.Builder timed(AlignConfig.Builder b) {
        return b.lr(1e-3).steps(steps).batchSize(batchSize).evalEvery(0).fdEvery(0).checkpointEvery(0);
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
