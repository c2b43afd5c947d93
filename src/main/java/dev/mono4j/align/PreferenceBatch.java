package dev.mono4j.align;

import dev.mono4j.UserInputException;
import dev.mono4j.data.PreferencePairs.Pair;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pairs ready for one forward pass: 2B rows, the B chosen sequences (prompt + chosen) then the B rejected
 * ones, right-padded, as TRL concatenates them. {@code targetMask} {@code [2B * (T−1)]} marks the positions
 * that predict completion tokens (the prompt is context only); {@code completionLengths} counts them.
 *
 * <p>Truncation (as TRL's defaults, 128 / 256): a prompt longer than {@code maxPromptTokens} keeps its
 * last tokens (and its BOS, if any); the completion keeps its first tokens so the sequence fits in
 * {@code maxLength}. A pair whose completion would lose every token is an error naming its line. Each
 * completion ends with the tokenizer's end-of-sequence token when it has one (as TRL appends it), so
 * models learn to stop.
 */
public record PreferenceBatch(List<Pair> pairs, TokenBatch batch, float[] targetMask, float[] completionLengths,
        int truncated) {

    public static PreferenceBatch encode(Tokenizer tok, List<Pair> pairs, int maxPromptTokens, int maxLength) {
        List<long[]> rows = new ArrayList<>();
        List<int[]> spans = new ArrayList<>(); // [first completion position, completion length]
        int truncated = 0;
        for (int side = 0; side < 2; side++) {
            for (Pair p : pairs) {
                long[] prompt = tok.encode(p.prompt());
                if (prompt.length > maxPromptTokens) {
                    boolean bos = tok.bosId().isPresent() && prompt[0] == tok.bosId().getAsLong();
                    long[] tail = Arrays.copyOfRange(prompt, prompt.length - maxPromptTokens + (bos ? 1 : 0), prompt.length);
                    prompt = bos ? concat(new long[] {prompt[0]}, tail) : tail;
                    truncated += side == 0 ? 1 : 0;
                }
                long[] completion = completionIds(tok, side == 0 ? p.chosen() : p.rejected());
                int room = maxLength - prompt.length;
                if (room < 1) {
                    throw new UserInputException(p.source() + ": the prompt leaves no room for the completion"
                            + " (max length " + maxLength + ", prompt " + prompt.length + " tokens)");
                }
                if (completion.length > room) {
                    completion = Arrays.copyOf(completion, room);
                    truncated += side == 0 ? 1 : 0;
                }
                rows.add(concat(prompt, completion));
                spans.add(new int[] {prompt.length, completion.length});
            }
        }
        TokenBatch batch = TokenBatch.pad(rows, tok.padId(), TokenBatch.PadSide.RIGHT);
        int t = batch.seqLen();
        float[] mask = new float[rows.size() * (t - 1)];
        float[] lengths = new float[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            int start = spans.get(r)[0];
            int len = spans.get(r)[1];
            // Position j predicts token j + 1: completion tokens start..start+len-1 are predicted at start-1...
            Arrays.fill(mask, r * (t - 1) + start - 1, r * (t - 1) + start - 1 + len, 1f);
            lengths[r] = len;
        }
        return new PreferenceBatch(List.copyOf(pairs), batch, mask, lengths, truncated);
    }

    /** The completion's tokens without the special tokens the tokenizer adds, then EOS if there is one. */
    static long[] completionIds(Tokenizer tok, String text) {
        Tokenizer.Encoded e = tok.encodeWithOffsets(text);
        long[] ids = new long[e.ids().length + 1];
        int n = 0;
        for (int i = 0; i < e.ids().length; i++) {
            if (!e.special(i)) {
                ids[n++] = e.ids()[i];
            }
        }
        if (tok.eosId().isPresent()) {
            ids[n++] = tok.eosId().getAsLong();
        }
        return Arrays.copyOf(ids, n);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Pairs in this batch. */
    public int size() {
        return pairs.size();
    }

    /** Index of row r's last real token (where DecPO pools). */
    public int lastToken(int row) {
        return batch.lastRealIndex(row);
    }
}
