package dev.mono4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.mono4j.UserInputException;
import dev.mono4j.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Texts encoded for one forward pass, as every reader of activations needs them: padded right, with the
 * flat indices {@code b * T + t} of the tokens that stand for text (special tokens such as BOS and padding are
 * left out of every measurement and cache), each one's concept, and per text the range of its rows.
 *
 * @param rows      flat indices into {@code batch} of the text tokens, text by text
 * @param concepts  per row, the token's concept or null
 * @param firstRow  per text, the index of its first row; one more entry holds the row count
 * @param truncated how many texts were cut to the token limit
 */
public record EncodedTexts(TokenBatch batch, int[] rows, String[] concepts, int[] firstRow, int truncated) {

    /** Encodes texts, cutting each to {@code maxTokens} tokens; a text that gives no text tokens is an error. */
    public static EncodedTexts encode(Tokenizer tok, List<LabelledText> texts, int maxTokens) {
        List<long[]> ids = new ArrayList<>();
        List<int[]> starts = new ArrayList<>();
        int truncated = 0;
        for (LabelledText t : texts) {
            Tokenizer.Encoded e = tok.encodeWithOffsets(t.text());
            int n = e.ids().length;
            if (n > maxTokens) {
                truncated++;
                n = maxTokens;
            }
            ids.add(Arrays.copyOf(e.ids(), n));
            starts.add(Arrays.copyOf(e.charStarts(), n));
        }
        TokenBatch batch = TokenBatch.pad(ids, tok.padId(), TokenBatch.PadSide.RIGHT);
        List<Integer> rows = new ArrayList<>();
        List<String> concepts = new ArrayList<>();
        int[] firstRow = new int[texts.size() + 1];
        for (int b = 0; b < texts.size(); b++) {
            firstRow[b] = rows.size();
            int[] s = starts.get(b);
            String[] c = texts.get(b).tokenConcepts(s);
            for (int t = 0; t < s.length; t++) {
                if (s[t] >= 0) {
                    rows.add(b * batch.seqLen() + t);
                    concepts.add(c[t]);
                }
            }
            if (rows.size() == firstRow[b]) {
                throw new UserInputException(texts.get(b).source() + ": the text gives no tokens");
            }
        }
        firstRow[texts.size()] = rows.size();
        return new EncodedTexts(batch, rows.stream().mapToInt(Integer::intValue).toArray(), concepts.toArray(String[]::new),
                firstRow, truncated);
    }

    /** The next batch of texts: up to {@code batchSize} of them, fewer at the end. */
    public static List<LabelledText> nextBatch(Iterator<LabelledText> texts, int batchSize) {
        List<LabelledText> batch = new ArrayList<>();
        while (texts.hasNext() && batch.size() < batchSize) {
            batch.add(texts.next());
        }
        return batch;
    }

    /** How many texts the batch holds. */
    public int texts() {
        return firstRow.length - 1;
    }

    /** The token id of row {@code r}. */
    public long tokenId(int r) {
        return batch.ids()[rows[r]];
    }

    /** Where row {@code r}'s token stands in its text's tokens (BOS, when the tokenizer adds one, is 0). */
    public int position(int r) {
        return rows[r] % batch.seqLen();
    }

    /**
     * The text-token rows {@code [rows, width]} of a hook's activations {@code [batch, seq, width]} over this batch:
     * padding and special tokens dropped in torch, texts one after another. Owned by {@code m}.
     */
    public NDArray textRows(NDArray acts, NDManager m) {
        long width = acts.getShape().get(2);
        return acts.reshape(-1, width).get(new NDIndex("{}", m.create(Arrays.stream(rows).asLongStream().toArray())));
    }

    /** How {@link #poolingMatrix} turns a text's token rows into one row. */
    public enum RowPooling {
        /** The text's last token. */
        LAST,
        /** The mean over its tokens. */
        MEAN,
        /** The sum over its tokens. */
        SUM
    }

    /**
     * The {@code [texts, rows]} matrix (row-major) that pools {@link #textRows} into one vector per text by a matrix
     * product: a 1 at each text's last row ({@link RowPooling#LAST}), 1/n on each of its n rows ({@code MEAN}), or 1 on
     * each ({@code SUM}).
     */
    public float[] poolingMatrix(RowPooling how) {
        int n = rows.length;
        float[] p = new float[texts() * n];
        for (int b = 0; b < texts(); b++) {
            int from = firstRow[b];
            int to = firstRow[b + 1];
            if (how == RowPooling.LAST) {
                p[b * n + to - 1] = 1;
            } else {
                Arrays.fill(p, b * n + from, b * n + to, how == RowPooling.MEAN ? 1f / (to - from) : 1f);
            }
        }
        return p;
    }
}
