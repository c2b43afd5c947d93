package dev.mono4j.cli;

import ai.djl.ndarray.NDManager;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.sae.ActivationStore;
import dev.mono4j.sae.FeatureRecovery;
import dev.mono4j.sae.ReconstructionStats;
import dev.mono4j.sae.SaeCompare;
import dev.mono4j.sae.SaeData;
import dev.mono4j.sae.SaeEvaluation;
import dev.mono4j.sae.SparseAutoencoder;
import dev.mono4j.tokenize.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./mono4j sae eval}: SAEs on held-out rows (an activation store or synthetic data, with feature recovery
 * against the ground truth) or spliced into their model over texts (CE loss recovered, KL, concept purity,
 * top-activating contexts); with several SAEs, their consistency (mean max cosine of decoder rows).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate SAEs: reconstruction, sparsity, CE loss recovered, KL, concept purity, feature recovery, consistency. --out gets eval.json (and latents.jsonl with --model).")
final class SaeEvalCommand extends CliCommand {
    static final Set<String> OUTPUTS = Set.of("eval.json", "latents.jsonl");

    @Parameters(paramLabel = "SAE_DIR", arity = "1..*", description = "SAELens SAE folders (cfg.json, sae_weights.safetensors).")
    List<Path> saes;

    @Option(names = "--model", description = "Model the SAEs read (checkpoint folder): splice them in over --data texts.")
    Path model;

    @Option(names = "--hook", description = "Hook to splice at (default: the SAE's cfg.json hook_name).")
    String hook;

    @Mixin
    OptionalTexts texts;

    @Option(names = "--activations", description = "Activation store to evaluate reconstruction on (read in order).")
    Path activations;

    @Option(names = "--synthetic", description = "Synthetic superposition folder: fresh rows, and feature recovery (FRR).")
    Path synthetic;

    @Option(names = "--rows", description = "Rows of --activations or --synthetic to evaluate on (default ${DEFAULT-VALUE}).")
    long rows = 65_536;

    @Option(names = "--seed", description = "Seed of --synthetic rows (other than training's) and ConceptWorld texts (default ${DEFAULT-VALUE}).")
    long seed = 12_345;

    @Option(names = "--batch-size", description = "Texts (with --model) or rows per pass (default ${DEFAULT-VALUE}).")
    int batchSize = 16;

    @Option(names = "--max-tokens", description = "Longer texts are cut to this many tokens (default ${DEFAULT-VALUE}).")
    int maxTokens = 256;

    @Option(names = "--top-contexts", description = "Strongest activations kept per latent in latents.jsonl (default ${DEFAULT-VALUE}).")
    int topContexts = 5;

    @Option(names = "--dense-threshold", description = "Firing share above which a latent is dense (default ${DEFAULT-VALUE}).")
    double denseThreshold = 0.1;

    @Option(names = "--force", description = "Evaluate an SAE whose cfg.json hook_name differs from the store's hook or"
            + " --hook.")
    boolean force;

    @Mixin
    NonFiniteOption nonFinite;

    @Mixin
    OutputFolderOptions output;

    /** {@link TextOptions}' flags with {@code --data} optional (it goes with --model) and fewer texts by default. */
    static final class OptionalTexts {
        @Option(names = "--data", description = "Texts for --model: a .txt/.jsonl file or 'conceptworld'.")
        String data;

        @Option(names = "--samples", description = "Texts to use (default ${DEFAULT-VALUE}).")
        int samples = 200;

        @Option(names = "--dialects", description = "Dialects of generated ConceptWorld stories (default ${DEFAULT-VALUE}).")
        int dialects = 2;
    }

    @Override
    public void run() {
        int sources = (model != null ? 1 : 0) + (activations != null ? 1 : 0) + (synthetic != null ? 1 : 0);
        if (sources != 1) {
            throw new UserInputException("give one of --model (with --data), --activations STORE or --synthetic DIR");
        }
        if ((model != null) != (texts.data != null)) {
            throw new UserInputException("--data goes with --model, and --model needs --data");
        }
        if (rows < 1 || batchSize < 1 || topContexts < 0) {
            throw new UserInputException("need --rows >= 1, --batch-size >= 1 and --top-contexts >= 0");
        }
        output.check(OUTPUTS);
        PrintWriter w = out();
        List<Map<String, Object>> results = new ArrayList<>();
        List<float[]> decoders = new ArrayList<>();
        StringBuilder latents = new StringBuilder();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Path dir : saes) {
                try (SparseAutoencoder sae = SparseAutoencoder.load(dir, manager, nonFinite.policy())) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("sae", dir.toString());
                    r.put("architecture", sae.kind().saeLensName());
                    r.put("d_in", sae.dIn());
                    r.put("d_sae", sae.dSae());
                    if (model != null) {
                        evalOnModel(sae, dir, r, latents);
                    } else {
                        evalOnRows(sae, dir, r);
                    }
                    decoders.add(sae.decoderRows());
                    results.add(r);
                    w.println(line(r));
                }
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("saes", results);
        if (saes.size() > 1) {
            report.put("consistency", consistency(decoders, saes.size(), (int) results.get(0).get("d_in")));
            w.printf("consistency (mean max cosine of decoder rows, pairwise): %.4f%n",
                    (Double) ((Map<?, ?>) report.get("consistency")).get("mean"));
        }
        output.prepare(OUTPUTS);
        AtomicFiles.writeString(output.out.resolve("eval.json"), Json.write(report));
        if (model != null) {
            AtomicFiles.writeString(output.out.resolve("latents.jsonl"), latents.toString());
        }
        w.println("wrote " + output.out.resolve("eval.json"));
    }

    private void evalOnModel(SparseAutoencoder sae, Path dir, Map<String, Object> r, StringBuilder latents) {
        String h = hook != null ? hook : sae.hookName();
        if (h == null) {
            throw new UserInputException(dir + ": cfg.json has no hook_name; pass --hook");
        }
        checkHook(sae, dir, h, "--hook");
        try (TransformerLM m = Checkpoint.loadCausal(model, "sae eval (next-token loss with the SAE spliced in)",
                nonFinite.policy());
                Tokenizer tok = Tokenizer.load(model)) {
            SaeEvaluation.ModelResult res = SaeEvaluation.onModel(sae, h, m, tok,
                    TextOptions.open(texts.data, texts.samples, texts.dialects, seed, null,
                            dev.mono4j.data.conceptworld.StoryLabel.NONE), batchSize, maxTokens,
                    topContexts, denseThreshold, true);
            r.putAll(res.toJson());
            for (var l : res.latents()) {
                latents.append(Json.line(Json.object("sae", dir.toString(), "latent", l.index(), "firings", l.firings(),
                        "concept", l.concept(), "purity", l.purity(), "top_contexts", l.topContexts()))).append('\n');
            }
        }
    }

    /** The hook of the --activations store, once read. */
    private String storeHook;

    private void evalOnRows(SparseAutoencoder sae, Path dir, Map<String, Object> r) {
        if (activations != null) {
            if (storeHook == null) { // read once for every SAE evaluated: opening checks every shard's header
                storeHook = ActivationStore.open(activations).hookName();
            }
            checkHook(sae, dir, storeHook, activations.resolve(ActivationStore.STORE_FILE) + "'s hook");
        }
        // A store's statistics do not depend on order; its shuffled reader visits each row once per epoch.
        SaeData held = activations != null ? SaeData.store(activations, seed, 1 << 16) : SaeData.synthetic(synthetic, seed);
        SaeCompare.RowsEval e = SaeCompare.evaluate(sae, held, rows, batchSize * 256, denseThreshold, nonFinite.policy());
        r.put("reconstruction", e.reconstruction());
        if (e.frr08() != null) {
            r.put("frr_0.8", e.frr08());
            r.put("frr_0.9", e.frr09());
            r.put("mean_best_cosine", e.meanBestCosine());
        }
    }

    /**
     * Refuses, unless {@code --force}, an SAE trained on another hook than the rows it is evaluated on ({@code hook},
     * from {@code source}): its FVU there measures nothing it learned (issue 17, item 4). An SAE without a
     * hook_name has nothing to compare.
     */
    private void checkHook(SparseAutoencoder sae, Path dir, String hook, String source) {
        String trained = sae.hookName();
        if (!force && trained != null && !trained.equals(hook)) {
            throw new UserInputException(dir.resolve(SparseAutoencoder.CONFIG) + ": hook_name '" + trained
                    + "' differs from " + source + " '" + hook + "'; pass --force to evaluate it there anyway");
        }
    }

    /** Mean max cosine of each SAE's decoder rows against each other's (both directions), and its mean. */
    private static Map<String, Object> consistency(List<float[]> decoders, int n, int dIn) {
        List<Map<String, Object>> pairs = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    double c = FeatureRecovery.meanMaxCosine(decoders.get(i), decoders.get(j), dIn);
                    pairs.add(Json.object("from", i, "to", j, "mean_max_cosine", c));
                    sum += c;
                }
            }
        }
        return Json.object("mean", sum / (n * (n - 1)), "pairs", pairs);
    }

    private static String line(Map<String, Object> r) {
        ReconstructionStats.Result rec = (ReconstructionStats.Result) r.get("reconstruction");
        StringBuilder s = new StringBuilder(String.format("%s: FVU %.4f, MSE %.4g, cos %.3f, L0 %.1f, dead %d, dense %d",
                r.get("sae"), rec.fvu(), rec.mse(), rec.cosine(), rec.l0(), rec.deadLatents(), rec.denseLatents()));
        if (r.containsKey("ce_loss_recovered")) {
            s.append(String.format(", CE %.4f -> %.4f (zero %.4f), recovered %.3f, KL %.4f", (Double) r.get("ce_original"),
                    (Double) r.get("ce_sae"), (Double) r.get("ce_zero_ablation"), (Double) r.get("ce_loss_recovered"),
                    (Double) r.get("kl_divergence")));
        }
        if (r.get("concept_purity") instanceof dev.mono4j.sae.LatentConcepts.Purity p) {
            s.append(String.format(", purity %.3f over %d latents (%.0f%% >= 0.9)", p.meanPurity(), p.latentsWithEvidence(),
                    100 * p.shareAbove90()));
        }
        if (r.containsKey("frr_0.9")) {
            s.append(String.format(", FRR(0.8) %.3f, FRR(0.9) %.3f", (Double) r.get("frr_0.8"), (Double) r.get("frr_0.9")));
        }
        return s.toString();
    }
}
