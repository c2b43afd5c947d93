package dev.mono4j.sae;

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
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.Transformer;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * {@code sae cache}: runs a model over texts batch by batch, captures one hook and hands each text's rows (its
 * text tokens; special tokens and padding left out) to an {@link ActivationStoreWriter}. Memory holds one batch
 * and at most one shard's rows, however many texts there are. A stopped cache resumes after its complete shards,
 * once the data shows the same texts in them.
 */
public final class ActivationCacher {
    private ActivationCacher() {
    }

    /**
     * Caches {@code cfg.hook()} of the checkpoint in {@code modelDir} over {@code texts} into {@code out}.
     * {@code nonFinite} decides both whether NaN or ±Inf weights load and whether such activations are written.
     */
    public static ActivationStore cache(Path modelDir, TextSource texts, ActivationStoreConfig cfg, Path out,
            boolean overwrite, boolean resume, NonFinite nonFinite, boolean showProgress) {
        if (!resume) { // a bad --out fails before the model loads
            ActivationStoreWriter.checkOut(out, overwrite);
        }
        try (Transformer model = Checkpoint.load(modelDir, nonFinite); Tokenizer tok = Tokenizer.load(modelDir)) {
            return cache(model, tok, modelDir.toAbsolutePath().normalize().toString(), texts, cfg, out, overwrite, resume,
                    nonFinite, showProgress);
        }
    }

    /**
     * Caches a loaded model's hook. Without {@code resume}, {@code out} must be new or empty, or an earlier store
     * to replace with {@code overwrite}; with {@code resume}, {@code out} holds a store of the same model, hook,
     * data and settings, continued after its complete shards. A text whose rows hold NaN or ±Inf is refused under
     * {@link NonFinite#REFUSE}, before anything of its batch is written.
     *
     * @param modelPath the model's folder, recorded in store.json
     */
    public static ActivationStore cache(Transformer model, Tokenizer tok, String modelPath, TextSource texts,
            ActivationStoreConfig cfg, Path out, boolean overwrite, boolean resume, NonFinite nonFinite,
            boolean showProgress) {
        ActivationStore.Manifest planned = plan(model.config(), modelPath, texts, cfg, overwrite, resume);
        ActivationStoreWriter w = resume ? ActivationStoreWriter.resume(out, planned)
                : ActivationStoreWriter.create(out, planned, overwrite);
        if (w.complete()) {
            return ActivationStore.open(out);
        }
        Iterator<LabelledText> it = texts.iterator();
        skipCachedTexts(w, it, texts.name(), out);
        int maxTokens = planned.maxTokens();
        Progress progress = showProgress ? new Progress("sae cache", texts.size() - w.texts(), "texts") : null;
        while (it.hasNext()) {
            List<LabelledText> batch = EncodedTexts.nextBatch(it, cfg.batchSize());
            for (TextRows t : captureBatch(model, tok, batch, cfg.hook(), maxTokens, nonFinite)) {
                w.add(t);
            }
            if (progress != null) {
                progress.step(batch.size(), w.rows() + " rows");
            }
        }
        return w.finish();
    }

    /**
     * One text's rows of a hook: its text tokens' activations (special tokens and padding left out), their token
     * ids, positions in the text's tokens and concepts.
     *
     * @param activations row-major, {@code tokenIds.length} rows of {@code width}
     * @param concepts    each row's concept, or null for none
     */
    record TextRows(String text, float[] activations, int width, long[] tokenIds, long[] positions,
            String[] concepts) {
    }

    /**
     * One forward pass over {@code batch} (padded right, as {@link EncodedTexts} pads it), capturing {@code hook}:
     * each text's rows, in order. The one per-batch step of both the single-machine cache and the Spark tasks
     * ({@link SparkActivationCacher}), so a text's rows depend only on the batch it is in. A text whose rows hold
     * NaN or ±Inf is refused under {@link NonFinite#REFUSE} before any row of the batch is returned.
     */
    static List<TextRows> captureBatch(Transformer model, Tokenizer tok, List<LabelledText> batch, String hook,
            int maxTokens, NonFinite nonFinite) {
        EncodedTexts enc = EncodedTexts.encode(tok, batch, maxTokens);
        model.checkTokenIds(enc.batch(), batch.get(0).source() + " (batch starting here): ");
        float[] acts;
        int width;
        try (NDManager step = model.manager().newSubManager()) {
            Hooks h = Hooks.capture(hook);
            model.forward(step, enc.batch(), h);
            NDArray a = Hooks.positionRows(hook, h.get(hook));
            width = Math.toIntExact(a.getShape().get(2));
            // Padding and special tokens are dropped in torch: only text-token rows reach the heap.
            acts = enc.textRows(a, step).toFloatArray();
        }
        for (int b = 0; b < batch.size(); b++) {
            checkFinite(nonFinite, hook, enc, b, batch.get(b).source(), acts, width);
        }
        List<TextRows> out = new ArrayList<>(batch.size());
        for (int b = 0; b < batch.size(); b++) {
            out.add(textRows(enc, b, batch.get(b).text(), acts, width));
        }
        return out;
    }

    /**
     * The store a cache of {@code cfg} will write, once the flags and the hook are good: {@code --overwrite} and
     * {@code --resume} exclude each other, and the hook must be a position-wise hook point of the model.
     */
    static ActivationStore.Manifest plan(ModelConfig config, String modelPath, TextSource texts, ActivationStoreConfig cfg,
            boolean overwrite, boolean resume) {
        if (overwrite && resume) {
            throw new UserInputException("--overwrite and --resume exclude each other: replace the store or continue it");
        }
        if (!config.hookNames().contains(cfg.hook()) || !HookPoint.positionwise(cfg.hook())) {
            int last = config.numLayers() - 1;
            throw new UserInputException("--hook '" + cfg.hook() + "' is not a hook point with a vector per position of " + modelPath + " (e.g. "
                    + HookPoint.residPost(0) + ", " + HookPoint.mlpPost(last) + "; ./mono4j inspect lists them)");
        }
        return ActivationStore.Manifest.planned(cfg.hook(), modelPath, texts.name(), texts.size(),
                config.tokenLimit(cfg.maxTokens()), cfg.shardRows(), texts.withConcepts());
    }

    /** Reads past the texts a resumed store holds, refusing data that changed under them (their checksum). */
    static void skipCachedTexts(ActivationStoreWriter w, Iterator<LabelledText> it, String data, Path out) {
        long checksum = 0;
        for (int i = 0; i < w.texts(); i++) {
            checksum = ActivationStoreWriter.checksum(checksum, it.next().text());
        }
        if (checksum != w.textsChecksum()) {
            throw new UserInputException(data + ": the first " + w.texts() + " texts differ from those cached"
                    + " in " + out + "; resuming would mix two datasets (start again with --overwrite)");
        }
    }

    /** Refuses (unless allowed) text {@code b}'s rows of the batch's activations if one of them is not finite. */
    private static void checkFinite(NonFinite nonFinite, String hook, EncodedTexts enc, int b, String source,
            float[] batchActs, int width) {
        NonFinite.Tally t = nonFinite.tally();
        int from = enc.firstRow()[b];
        int n = enc.firstRow()[b + 1] - from;
        if (t != null && t.add(batchActs, from * width, n * width).count() > 0) {
            nonFinite.refuse(source + ": the activations at " + hook + " have " + t.describe("token "
                    + enc.position(from + (int) (t.firstIndex() / width)) + ", column " + t.firstIndex() % width)
                    + ", which the store would hold");
        }
    }

    /** Text {@code b} of the batch: its rows of the batch's activations, tokens and concepts. */
    private static TextRows textRows(EncodedTexts enc, int b, String text, float[] batchActs, int width) {
        int from = enc.firstRow()[b];
        int n = enc.firstRow()[b + 1] - from;
        long[] ids = new long[n];
        long[] pos = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = enc.tokenId(from + i);
            pos[i] = enc.position(from + i);
        }
        return new TextRows(text, Arrays.copyOfRange(batchActs, from * width, (from + n) * width), width, ids, pos,
                Arrays.copyOfRange(enc.concepts(), from, from + n));
    }
}
