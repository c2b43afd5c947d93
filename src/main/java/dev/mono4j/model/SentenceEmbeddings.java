package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.tokenize.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Sentence embeddings from an encoder's last hidden state, as sentence-transformers computes them: a pooling
 * over the tokens, then (optionally) L2 normalisation. all-MiniLM-L6-v2 uses {@link Pooling#MEAN} and
 * bge-small-en-v1.5 {@link Pooling#CLS}, both normalised.
 */
public final class SentenceEmbeddings {
    /** How token states become one vector per text. */
    public enum Pooling {
        /** The first token's state ([CLS]; batches are right-padded, so it is at position 0). */
        CLS,
        /** The mean over the real tokens (special tokens included, padding left out). */
        MEAN
    }

    private SentenceEmbeddings() {
    }

    /** {@code [B, H]} from a last hidden state {@code [B, T, H]} of {@code batch}, owned by the hidden state's manager. */
    public static NDArray pool(NDArray hidden, TokenBatch batch, Pooling pooling) {
        if (pooling == Pooling.CLS) {
            return hidden.get(":, 0, :");
        }
        float[] mask = new float[batch.mask().length];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = batch.mask()[i] != 0 ? 1 : 0;
        }
        NDArray m = hidden.getManager().create(mask, new Shape(batch.batchSize(), batch.seqLen(), 1));
        // sentence-transformers divides by the token count clamped to at least 1e-9.
        return hidden.mul(m).sum(new int[] {1}).div(m.sum(new int[] {1}).maximum(1e-9f));
    }

    /** Rows scaled to unit L2 norm (a norm below 1e-12 is taken as 1e-12, as torch's F.normalize does). */
    public static NDArray normalize(NDArray x) {
        return x.div(x.norm(new int[] {-1}, true).maximum(1e-12f));
    }

    /**
     * Embeds texts with an encoder: right-padded batches of {@code batchSize}, the tokenizer's special tokens
     * added ([CLS] ... [SEP] for BERT tokenizers). One row per text; a text longer than the encoder's positions is
     * cut as {@link #embed(TransformerEncoder, Tokenizer, List, Pooling, boolean, int, int)} cuts it.
     */
    public static float[][] embed(TransformerEncoder model, Tokenizer tok, List<String> texts, Pooling pooling,
            boolean normalize, int batchSize) {
        return embed(model, tok, texts, pooling, normalize, batchSize, model.config().maxPositions());
    }

    /**
     * As {@link #embed(TransformerEncoder, Tokenizer, List, Pooling, boolean, int)}, each text cut to at most
     * {@code maxTokens} tokens (and the encoder's positions) as sentence-transformers truncates to its
     * max_seq_length: the first tokens, with a closing special token ([SEP]) kept at the end.
     */
    public static float[][] embed(TransformerEncoder model, Tokenizer tok, List<String> texts, Pooling pooling,
            boolean normalize, int batchSize, int maxTokens) {
        int limit = Math.min(maxTokens, model.config().maxPositions());
        int width = model.config().hiddenSize();
        float[][] out = new float[texts.size()][];
        for (int start = 0; start < texts.size(); start += batchSize) {
            List<String> part = texts.subList(start, Math.min(texts.size(), start + batchSize));
            List<long[]> ids = new java.util.ArrayList<>();
            for (String text : part) {
                ids.add(cut(tok.encodeWithOffsets(text), limit));
            }
            TokenBatch batch = TokenBatch.pad(ids, tok.padId(), TokenBatch.PadSide.RIGHT);
            model.checkTokenIds(batch, "texts: ");
            try (NDManager step = model.manager().newSubManager()) {
                NDArray pooled = pool(model.forward(step, batch, Hooks.none()), batch, pooling);
                float[] v = (normalize ? normalize(pooled) : pooled).toFloatArray();
                for (int i = 0; i < part.size(); i++) {
                    out[start + i] = Arrays.copyOfRange(v, i * width, (i + 1) * width);
                }
            }
        }
        return out;
    }

    /** The first {@code limit} tokens; when the last token is special ([SEP]), the first limit − 1 and it. */
    static long[] cut(Tokenizer.Encoded e, int limit) {
        long[] ids = e.ids();
        if (ids.length <= limit) {
            return ids;
        }
        long[] kept = Arrays.copyOf(ids, limit);
        if (e.special(ids.length - 1)) {
            kept[limit - 1] = ids[ids.length - 1];
        }
        return kept;
    }

    /** The cosine similarity of two vectors, in double (0 when either is zero). */
    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
