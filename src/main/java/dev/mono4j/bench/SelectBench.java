package dev.mono4j.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.mono4j.data.EncodedTexts;
import dev.mono4j.data.LabelledText;
import dev.mono4j.data.TextSource;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.data.conceptworld.Lexicon;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.ParameterLayout;
import dev.mono4j.model.Transformer;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.sae.SparseAutoencoder;
import dev.mono4j.select.SelectConfig;
import dev.mono4j.select.SelectMethod;
import dev.mono4j.select.Selection;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.tokenize.WordLevelTokenizer;
import dev.mono4j.train.ModelPresets;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What data selection ({@code select}, MoNA) costs, per method, against the bare forward pass over the same pool and
 * the fp32 GEMM timed in the same run. MoNA's authors released no code, so there is no peer to time alternately.
 *
 * <p>Per size preset: a random-weight Llama-layout model saved as a checkpoint folder (with a word-level tokenizer
 * over ConceptWorld's words), a TopK SAE with random weights on its penultimate block's residual stream, a pool of
 * ConceptWorld stories and {@value #TARGETS} target stories as JSONL, all in a temp folder deleted afterwards. Each
 * {@link Kind} runs once untimed (warm-up; it also fills the vector cache the cached kind reads), then
 * all kinds alternate {@code repeats} times, each keeping its best pass (the host's speed drifts, so every kind sees
 * the same conditions); the GEMM is re-timed after each round and the best rate of the run is the bar.
 *
 * @param presets size presets of {@link ModelPresets} for the selection model
 * @param pool    ConceptWorld stories in the pool
 * @param repeats timed passes of each kind (the best is kept)
 */
public record SelectBench(List<String> presets, int pool, int repeats) {
    /** Target stories: the fact sheet's small-scale analogue (/work/shared/papers/mona.md §6: 20 documents). */
    static final int TARGETS = 20;
    /** d_sae = 16 × d_model and k = 32: the fact sheet's analogue (mona.md §6; the paper's SAE is 32×, K = 192). */
    static final int SAE_EXPANSION = 16;
    static final int SAE_K = 32;
    /** ConceptWorld in 2 dialects, as the fact sheet's analogue pool (mona.md §6). */
    static final int DIALECTS = 2;

    /** What is timed, in the order of each round; the names are the table's rows and the report's keys. */
    enum Kind {
        FORWARD("forward", "forward"),
        JACCARD("jaccard", "jaccard"),
        JACCARD_CACHED("jaccard (cached vectors)", "jaccard_cached_vectors"),
        BM25("bm25", "bm25"),
        RANDOM("random", "random");

        final String label;
        final String key;

        Kind(String label, String key) {
            this.label = label;
            this.key = key;
        }
    }

    public SelectBench {
        if (presets.isEmpty()) {
            throw new IllegalArgumentException("--presets names no preset");
        }
        for (String p : presets) {
            try {
                ModelPresets.shape(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--presets: " + e.getMessage());
            }
        }
        if (pool < 2) {
            throw new IllegalArgumentException("--pool must be at least 2 stories, not " + pool);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, not " + repeats);
        }
        presets = List.copyOf(presets);
    }

    /** Prints the table to {@code out} and returns the report (the JSON a run may also write). */
    public Map<String, Object> run(PrintWriter out) {
        return Throughput.inTempFolder(tmp -> {
            Path tokenizer = tmp.resolve("tokenizer.json");
            WordLevelTokenizer.write(tokenizer, Lexicon.allWords());
            List<LabelledText> stories = stories(pool, 1);
            Path poolFile = writeJsonl(tmp.resolve("pool.jsonl"), stories);
            Path targetsFile = writeJsonl(tmp.resolve("targets.jsonl"), stories(TARGETS, 2));
            double gemm = Throughput.gemmFlops();
            List<Map<String, Object>> results = new ArrayList<>();
            out.printf("pool %,d ConceptWorld stories, %d targets, batch %d; samples/s over the whole pass%n", pool, TARGETS,
                    SelectConfig.DEFAULT_BATCH_SIZE);
            out.printf("%-6s %-26s %12s %12s%n", "preset", "kind", "samples/s", "x forward");
            for (String preset : presets) {
                Path dir = tmp.resolve(preset);
                ModelConfig config = saveModel(preset, tokenizer, dir.resolve("model"));
                String hook = HookPoint.residPost(config.numLayers() - 2);
                int dSae = SAE_EXPANSION * config.hiddenSize();
                saveSae(config.hiddenSize(), dSae, hook, dir.resolve("sae"));
                SelectConfig jaccard = SelectConfig.builder(poolFile, targetsFile, SelectMethod.JACCARD)
                        .model(dir.resolve("model")).sae(dir.resolve("sae")).build();
                SelectConfig jaccardCached = SelectConfig.builder(poolFile, targetsFile, SelectMethod.JACCARD)
                        .model(dir.resolve("model")).sae(dir.resolve("sae")).vectors(dir.resolve("vectors")).build();
                Map<Kind, Runnable> passes = new LinkedHashMap<>();
                Work work;
                double[] best = new double[Kind.values().length];
                Arrays.fill(best, Double.MAX_VALUE);
                try (Transformer model = Checkpoint.load(dir.resolve("model"));
                        Tokenizer tok = Tokenizer.load(dir.resolve("model"))) {
                    int maxTokens = model.config().tokenLimit(SelectConfig.DEFAULT_MAX_TOKENS);
                    work = work(config, tok, stories, maxTokens);
                    passes.put(Kind.FORWARD, () -> forwardOnly(model, tok, stories, maxTokens));
                    passes.put(Kind.JACCARD, () -> select(jaccard, dir.resolve("jaccard")));
                    passes.put(Kind.JACCARD_CACHED, () -> select(jaccardCached, dir.resolve("jaccard-cached")));
                    passes.put(Kind.BM25, () -> select(SelectConfig.builder(poolFile, targetsFile, SelectMethod.BM25).build(),
                            dir.resolve("bm25")));
                    passes.put(Kind.RANDOM, () -> select(SelectConfig.builder(poolFile, targetsFile, SelectMethod.RANDOM)
                            .build(), dir.resolve("random")));
                    // Warm-up of every kind (JIT, allocator, page cache); the cached kind's warm-up fills the cache.
                    passes.values().forEach(Runnable::run);
                    for (int r = 0; r < repeats; r++) {
                        for (Kind k : Kind.values()) {
                            long t0 = System.nanoTime();
                            passes.get(k).run();
                            best[k.ordinal()] = Math.min(best[k.ordinal()], (System.nanoTime() - t0) / 1e9);
                        }
                        gemm = Math.max(gemm, Throughput.gemmFlops());
                    }
                }
                double forward = best[Kind.FORWARD.ordinal()];
                Map<String, Object> rates = new LinkedHashMap<>();
                for (Kind k : Kind.values()) {
                    double seconds = best[k.ordinal()];
                    rates.put(k.key, pool / seconds);
                    out.printf("%-6s %-26s %,12.0f %12.2f%n", preset, k.label, pool / seconds, seconds / forward);
                }
                double overhead = best[Kind.JACCARD.ordinal()] / forward - 1;
                double fraction = work.flops() / forward / gemm;
                out.printf("%-6s forward pass at %.1f%% of the GEMM (%,d padded tokens); jaccard adds %.0f%% to it%n",
                        preset, 100 * fraction, work.paddedTokens(), 100 * overhead);
                results.add(Json.object("preset", preset, "d_model", config.hiddenSize(), "layers", config.numLayers(),
                        "parameters", ParameterLayout.count(config), "hook", hook, "d_sae", dSae, "k", SAE_K, "pool", pool,
                        "targets", TARGETS, "padded_tokens", work.paddedTokens(), "samples_per_s", rates,
                        "jaccard_overhead", overhead, "forward_gflops", work.flops() / forward / 1e9,
                        "forward_fraction_of_gemm", fraction));
            }
            out.printf("fp32 GEMM %s, best of the run: %.1f GFLOP/s; %d PyTorch threads%n", Throughput.gemmShape(),
                    gemm / 1e9, JniUtils.getNumThreads());
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("threads", JniUtils.getNumThreads());
            report.put("gemm_gflops", gemm / 1e9);
            report.put("results", results);
            return report;
        });
    }

    /** {@code n} ConceptWorld stories of generator seed {@code seed} (the pool and the targets use different seeds). */
    private static List<LabelledText> stories(int n, long seed) {
        List<LabelledText> texts = new ArrayList<>();
        TextSource.conceptWorld(n, seed, DIALECTS).iterator().forEachRemaining(texts::add);
        return texts;
    }

    /** The texts as JSONL, one {@code {"text": ...}} per line, as {@code select} reads its pool and targets. */
    private static Path writeJsonl(Path file, List<LabelledText> texts) {
        try {
            Files.write(file, texts.stream().map(t -> Json.line(Json.object("text", t.text()))).toList());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A random-weight Llama of the preset over the tokenizer's vocabulary, saved as a checkpoint folder (select loads
     * one). Its context is select's default token limit, so the model cuts no sample select would keep (our choice).
     */
    private static ModelConfig saveModel(String preset, Path tokenizer, Path dir) {
        int vocab;
        try (Tokenizer tok = Tokenizer.load(tokenizer)) {
            vocab = tok.vocabSize();
        }
        ModelConfig config = ModelPresets.presetConfig(preset, "llama", vocab, SelectConfig.DEFAULT_MAX_TOKENS);
        try (TransformerLM lm = TransformerLM.random(config, 0)) {
            Checkpoint.save(lm, dir, tokenizer, false);
        }
        return config;
    }

    /**
     * A TopK SAE with random weights on {@code hook}, saved in SAELens' layout. Speed does not depend on the values
     * (our choice: W_enc ~ N(0, 1/d_in), W_dec its transpose, zero biases; a TopK SAE's codes are non-negative, as
     * Jaccard needs).
     */
    private static void saveSae(int dIn, int dSae, String hook, Path dir) {
        Random rng = new Random(0);
        float[] wEnc = new float[dIn * dSae];
        float[] wDec = new float[dSae * dIn];
        for (int i = 0; i < dIn; i++) {
            for (int j = 0; j < dSae; j++) {
                float w = (float) (rng.nextGaussian() / Math.sqrt(dIn));
                wEnc[i * dSae + j] = w;
                wDec[j * dIn + i] = w;
            }
        }
        try (NDManager m = NDManager.newBaseManager();
                SparseAutoencoder sae = new SparseAutoencoder(SparseAutoencoder.Kind.TOPK, SAE_K, wEnc, wDec, new float[dSae],
                        new float[dIn], null, dIn, dSae, Json.MAPPER.createObjectNode().put("hook_name", hook), m)) {
            sae.save(dir, false);
        }
    }

    /** One selection into {@code out}, replacing the previous pass's. */
    private static void select(SelectConfig cfg, Path out) {
        Selection.run(cfg, out, true, false, NonFinite.REFUSE, false);
    }

    /** The padded tokens the pool's batches hold and the forward pass's FLOPs over them. */
    private record Work(long paddedTokens, double flops) {
    }

    /**
     * The forward pass's work in select's batches: each batch counts its padded tokens at the attention length it
     * really has ({@link Throughput#forwardFlopsPerToken}), as {@code bench measure} counts padded tokens.
     */
    private static Work work(ModelConfig config, Tokenizer tok, List<LabelledText> stories, int maxTokens) {
        long padded = 0;
        double flops = 0;
        for (int i = 0; i < stories.size(); i += SelectConfig.DEFAULT_BATCH_SIZE) {
            TokenBatch b = batch(tok, stories, i, maxTokens);
            long tokens = (long) b.batchSize() * b.seqLen();
            padded += tokens;
            flops += tokens * Throughput.forwardFlopsPerToken(config, b.seqLen());
        }
        return new Work(padded, flops);
    }

    /** The bare forward pass over the pool in select's batches (encoded as select encodes them), with no hooks. */
    private static void forwardOnly(Transformer model, Tokenizer tok, List<LabelledText> stories, int maxTokens) {
        for (int i = 0; i < stories.size(); i += SelectConfig.DEFAULT_BATCH_SIZE) {
            TokenBatch b = batch(tok, stories, i, maxTokens);
            try (NDManager step = model.manager().newSubManager()) {
                model.forward(step, b, Hooks.none()).getFloat(0, 0, 0);
            }
        }
    }

    /** The batch of select's batch size starting at story {@code first}, padded on the right as select pads it. */
    private static TokenBatch batch(Tokenizer tok, List<LabelledText> stories, int first, int maxTokens) {
        int end = Math.min(stories.size(), first + SelectConfig.DEFAULT_BATCH_SIZE);
        return EncodedTexts.encode(tok, stories.subList(first, end), maxTokens).batch();
    }
}
