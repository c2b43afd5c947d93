package dev.mono4j.data;

import dev.mono4j.tokenize.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * A batch of token sequences padded to one length, row-major: {@code ids[b * seqLen + t]}.
 * {@code mask} is 1 for real tokens and 0 for padding. Positions are counted over real tokens only, so
 * left- and right-padded batches give the same results for the real tokens.
 */
public record TokenBatch(int batchSize, int seqLen, long[] ids, long[] mask) {

    public enum PadSide { LEFT, RIGHT }

    public TokenBatch {
        if (ids.length != (long) batchSize * seqLen || mask.length != ids.length) {
            throw new IllegalArgumentException("ids/mask length must be batchSize * seqLen");
        }
    }

    /** One unpadded sequence. */
    public static TokenBatch of(long... ids) {
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1);
        return new TokenBatch(1, ids.length, ids.clone(), mask);
    }

    /** Unpadded rows of equal length, mask all ones. */
    public static TokenBatch of(int batchSize, int seqLen, long[] ids) {
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1);
        return new TokenBatch(batchSize, seqLen, ids, mask);
    }

    /** Pads sequences of different lengths with {@code padId} on the given side. */
    public static TokenBatch pad(List<long[]> seqs, long padId, PadSide side) {
        int len = seqs.stream().mapToInt(s -> s.length).max().orElse(0);
        long[] ids = new long[seqs.size() * len];
        long[] mask = new long[ids.length];
        Arrays.fill(ids, padId);
        for (int b = 0; b < seqs.size(); b++) {
            long[] s = seqs.get(b);
            int start = b * len + (side == PadSide.LEFT ? len - s.length : 0);
            System.arraycopy(s, 0, ids, start, s.length);
            Arrays.fill(mask, start, start + s.length, 1);
        }
        return new TokenBatch(seqs.size(), len, ids, mask);
    }

    /** Encodes each text with {@code tok} and pads them with its pad id to one length on the given side. */
    public static TokenBatch encode(Tokenizer tok, List<String> texts, PadSide side) {
        return pad(tok.encodeAll(texts), tok.padId(), side);
    }

    /** The real (unpadded) tokens of row b. */
    public long[] row(int b) {
        long[] out = new long[seqLen];
        int n = 0;
        for (int t = 0; t < seqLen; t++) {
            if (mask[b * seqLen + t] != 0) {
                out[n++] = ids[b * seqLen + t];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Index of row b's last real token (where DecPO pools), or -1 for an all-padding row. */
    public int lastRealIndex(int b) {
        for (int t = seqLen - 1; t >= 0; t--) {
            if (mask[b * seqLen + t] != 0) {
                return t;
            }
        }
        return -1;
    }
}
