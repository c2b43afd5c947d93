package dev.mono4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.UserInputException;
import dev.mono4j.console.Progress;
import dev.mono4j.data.EncodedTexts;
import dev.mono4j.data.LabelledText;
import dev.mono4j.data.TextSource;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.Gpt2Family;
import dev.mono4j.model.Transformer;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs a model over texts and measures its activations at the chosen hook points, streaming: memory
 * holds one batch and the metrics' fixed-size state, however many texts there are.
 */
public final class Measurement {

    private Measurement() {
    }

    /** Everything measured on one model. {@code weightProxy} is null for models without an MLP input bias. */
    public record ModelResult(String name, String path, String architecture, int layers, long parameters, String data,
            int texts, long tokens, int truncatedTexts, String pool, List<HookResult> hooks,
            WeightProxy.ByLayer weightProxy, double seconds) {
    }

    /** The hook glob DecPO reads for this model: the up-projection for gated MLPs, the MLP activation for GPT-2. */
    public static String defaultHooks(Transformer model) {
        return HookPoint.layerGlob(model.config().family().mlpActivationHook(0));
    }

    /** Measures the checkpoint in {@code dir} (config.json, weights, tokenizer.json). */
    public static ModelResult run(Path dir, String name, TextSource texts, MeasureConfig cfg, boolean showProgress) {
        return run(dir, name, texts, cfg, NonFinite.REFUSE, showProgress);
    }

    /** As {@link #run(Path, String, TextSource, MeasureConfig, boolean)}; {@code nonFinite}: whether bad weights load. */
    public static ModelResult run(Path dir, String name, TextSource texts, MeasureConfig cfg, NonFinite nonFinite,
            boolean showProgress) {
        try (Transformer model = Checkpoint.load(dir, nonFinite); Tokenizer tok = Tokenizer.load(dir)) {
            return run(model, tok, name, dir.toString(), texts, cfg, showProgress);
        }
    }

    public static ModelResult run(Transformer model, Tokenizer tok, String name, String path, TextSource texts,
            MeasureConfig cfg, boolean showProgress) {
        long start = System.nanoTime();
        String glob = cfg.hooks() == null ? defaultHooks(model) : cfg.hooks();
        Pattern wanted = HookPoint.glob(glob);
        // Attention patterns and scores have no vector per token to measure; every other matching hook is measured.
        List<String> hooks = model.hookNames().stream().filter(h -> wanted.matcher(h).matches())
                .filter(HookPoint::positionwise).toList();
        if (hooks.isEmpty()) {
            throw new UserInputException("--hooks '" + glob + "' matches no hook point of " + path + " (e.g. "
                    + HookPoint.mlpPost(0) + ", " + HookPoint.residPost(0) + "; ./mono4j inspect lists them)");
        }
        int maxTokens = model.config().tokenLimit(cfg.maxTokens());
        Map<String, HookMetrics> metrics = new LinkedHashMap<>();
        Progress progress = showProgress ? new Progress("measure " + name, texts.size(), "texts") : null;
        int done = 0;
        long tokens = 0;
        int truncated = 0;
        boolean anyConcept = texts.withConcepts();
        boolean anyLabel = texts.labelled();
        Iterator<LabelledText> it = texts.iterator();
        while (it.hasNext()) {
            List<LabelledText> batch = EncodedTexts.nextBatch(it, cfg.batchSize());
            EncodedTexts enc = EncodedTexts.encode(tok, batch, maxTokens);
            truncated += enc.truncated();
            if (anyLabel && batch.stream().anyMatch(t -> t.label() == null)) {
                LabelledText bad = batch.stream().filter(t -> t.label() == null).findFirst().orElseThrow();
                throw new UserInputException(bad.source() + ": no label, but other texts have one (label every"
                        + " text or none)");
            }
            model.checkTokenIds(enc.batch(), batch.get(0).source() + " (batch starting here): ");
            try (NDManager step = model.manager().newSubManager()) {
                Hooks h = Hooks.capture(String.join(",", hooks));
                model.forward(step, enc.batch(), h);
                NDArray pooling = step.create(enc.poolingMatrix(cfg.pool() == Pool.LAST ? EncodedTexts.RowPooling.LAST
                        : EncodedTexts.RowPooling.MEAN), new ai.djl.ndarray.types.Shape(batch.size(), enc.rows().length));
                String[] labels = batch.stream().map(LabelledText::label).toArray(String[]::new);
                for (Map.Entry<String, NDArray> e : h.captured().entrySet()) {
                    NDArray a = Hooks.positionRows(e.getKey(), e.getValue());
                    int width = Math.toIntExact(a.getShape().get(2));
                    HookMetrics m = metrics.computeIfAbsent(e.getKey(), k -> new HookMetrics(k, width, cfg, texts.senses()));
                    // Padding and special tokens are dropped in torch; the metrics reduce there too.
                    NDArray tokenRows = enc.textRows(a, step);
                    checkFinite(tokenRows, e.getKey(), batch.get(0).source(), path);
                    m.add(tokenRows, enc.concepts(), pooling, labels, anyConcept, anyLabel);
                }
            }
            done += batch.size();
            tokens += enc.rows().length;
            if (progress != null) {
                progress.step(batch.size(), tokens + " tokens");
            }
        }
        if (done == 0) {
            throw new UserInputException(texts.name() + ": no texts to measure");
        }
        List<HookResult> results = new ArrayList<>();
        int layers = model.config().numLayers();
        for (HookMetrics m : metrics.values()) {
            int layer = HookPoint.layer(m.hook).orElse(-1);
            double depth = layer < 0 ? Double.NaN : layers == 1 ? 0 : (double) layer / (layers - 1);
            results.add(m.result(layer, depth, anyConcept, anyLabel));
        }
        WeightProxy.ByLayer proxy = model.config().family() == Gpt2Family.GPT2 ? WeightProxy.byLayer(model) : null;
        return new ModelResult(name, path, model.config().family().toString(), layers, model.parameterCount(),
                texts.name(), done, tokens, truncated, cfg.pool().name().toLowerCase(java.util.Locale.ROOT), results,
                proxy, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Refuses activations with NaN or ±Inf, naming the hook, its layer and the batch: no metric means anything
     * over them (the effective rank's eigen decomposition fails on them). Counted in torch, copied only to report.
     */
    private static void checkFinite(NDArray rows, String hook, String batchSource, String modelPath) {
        if (rows.isNaN().logicalOr(rows.isInfinite()).countNonzero().getLong() > 0) {
            NonFinite.Tally t = new NonFinite.Tally();
            float[] values = rows.toFloatArray();
            t.add(values, 0, values.length);
            long width = rows.getShape().get(1);
            var layer = HookPoint.layer(hook);
            throw new UserInputException(batchSource + " (batch starting here): the activations of " + modelPath + " at "
                    + hook + " (layer " + (layer.isPresent() ? layer.getAsInt() : "-") + ") have "
                    + t.describe("text token " + t.firstIndex() / width + " of the batch, unit " + t.firstIndex() % width)
                    + "; no metric can be computed over them");
        }
    }

}
