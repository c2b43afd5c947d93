package dev.mono4j.monet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.mono4j.data.EncodedTexts;
import dev.mono4j.data.LabelledText;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Forward passes over texts in batches, as every statistic of this package reads them. */
final class Passes {
    private Passes() {
    }

    /** One batch's pass: its texts, their encoding, the logits and the hooks it ran with, in {@code step}. */
    record Batch(List<LabelledText> texts, EncodedTexts enc, NDArray logits, Hooks hooks, NDManager step) {
        /**
         * Per label of the batch's texts (null labels are skipped), the flat indices {@code b · T + t} of its text
         * tokens (special tokens and padding left out, as {@link EncodedTexts} does).
         */
        Map<String, long[]> rowsByLabel() {
            Map<String, List<Long>> rows = new LinkedHashMap<>();
            for (int b = 0; b < texts.size(); b++) {
                String label = texts.get(b).label();
                if (label != null) {
                    List<Long> r = rows.computeIfAbsent(label, k -> new java.util.ArrayList<>());
                    for (int k = enc.firstRow()[b]; k < enc.firstRow()[b + 1]; k++) {
                        r.add((long) enc.rows()[k]);
                    }
                }
            }
            Map<String, long[]> out = new LinkedHashMap<>();
            rows.forEach((label, r) -> out.put(label, r.stream().mapToLong(Long::longValue).toArray()));
            return out;
        }

        /** The rows {@code flat} of a hook tensor {@code [B, T, ...]}: {@code [rows, ...]}. */
        NDArray rows(NDArray x, long[] flat) {
            long[] shape = x.getShape().getShape();
            long[] merged = new long[shape.length - 1];
            merged[0] = shape[0] * shape[1];
            System.arraycopy(shape, 2, merged, 1, shape.length - 2);
            return x.reshape(merged).get(new NDIndex("{}", step.create(flat)));
        }
    }

    /** Runs {@code model} over {@code texts}, {@code batchSize} at a time, each pass with fresh {@code hooks}. */
    static void run(TransformerLM model, Tokenizer tok, List<LabelledText> texts, int batchSize, int maxTokens,
            Supplier<Hooks> hooks, java.util.function.Consumer<Batch> use) {
        int limit = model.config().tokenLimit(maxTokens);
        for (int from = 0; from < texts.size(); from += batchSize) {
            List<LabelledText> batch = texts.subList(from, Math.min(texts.size(), from + batchSize));
            EncodedTexts enc = EncodedTexts.encode(tok, batch, limit);
            model.checkTokenIds(enc.batch(), batch.get(0).source() + " (batch starting here): ");
            try (NDManager step = model.manager().newSubManager()) {
                Hooks h = hooks.get();
                NDArray logits = model.forward(step, enc.batch(), h);
                use.accept(new Batch(batch, enc, logits, h, step));
            }
        }
    }
}
