package dev.mono4j.data;

import dev.mono4j.UserInputException;
import dev.mono4j.io.TextLines;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * A text file as one long token sequence, for language-model pretraining. Each non-blank line is a
 * document: it is encoded with the tokenizer's special tokens (a BOS where its post-processor adds one)
 * and followed by the given end-of-sequence id, so the model learns where documents end and the next
 * begins. Training reads random windows of it; validation a fixed, evenly spaced set of whole documents.
 *
 * <p>Windows begin where a document begins (or, inside a document longer than a window, every window
 * length), so each predicted token sees its whole document, or as much of it as fits. Losses are then
 * comparable with a corpus's exact entropy floor: windows at arbitrary offsets would cut most documents'
 * beginnings off and charge the model for context it never saw.
 */
public final class TokenStream {
    private final Path source;
    private final int[] tokens;
    private final int[] docStarts;
    private int[] windowStarts = new int[0];
    private int windowStartsLen = -1;

    private TokenStream(Path source, int[] tokens, int[] docStarts) {
        this.source = source;
        this.tokens = tokens;
        this.docStarts = docStarts;
    }

    /** Reads a strict UTF-8 file ({@link TextLines}), one document per line, appending {@code eosId} after each document. */
    public static TokenStream read(Path file, Tokenizer tok, long eosId) {
        int[] buf = new int[1 << 16];
        int n = 0;
        List<Integer> starts = new ArrayList<>();
        try (TextLines in = TextLines.open(file)) {
            for (String line = in.next(); line != null; line = in.next()) {
                if (line.isBlank()) {
                    continue;
                }
                long[] ids = tok.encode(line);
                starts.add(n);
                if (n + ids.length + 1 > buf.length) {
                    buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + ids.length + 1));
                }
                for (long id : ids) {
                    buf[n++] = Math.toIntExact(id);
                }
                buf[n++] = Math.toIntExact(eosId);
            }
        }
        return new TokenStream(file, Arrays.copyOf(buf, n), starts.stream().mapToInt(Integer::intValue).toArray());
    }

    public Path source() {
        return source;
    }

    public int size() {
        return tokens.length;
    }

    /** The whole stream, for tests and tools that inspect it. */
    public long[] tokens() {
        return java.util.Arrays.stream(tokens).asLongStream().toArray();
    }

    /** CRC-32 of the tokens: a resumed run checks that its data encodes as before. */
    public long checksum() {
        CRC32 crc = new CRC32();
        java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(1 << 18);
        for (int i = 0; i < tokens.length; i += chunk.capacity() / 4) {
            int n = Math.min(chunk.capacity() / 4, tokens.length - i);
            chunk.clear();
            chunk.asIntBuffer().put(tokens, i, n);
            chunk.limit(n * 4);
            crc.update(chunk);
        }
        return crc.getValue();
    }

    /**
     * The training batch of optimizer step {@code step}, micro-batch {@code micro}: {@code batchSize}
     * windows of {@code seqLen} tokens at random window starts (see the class comment). A pure function of
     * its arguments, so a resumed run reads the same batches without saving any random state.
     */
    public TokenBatch batch(long seed, long step, int micro, int batchSize, int seqLen) {
        int[] candidates = windowStarts(seqLen);
        SplittableRandom rng = new SplittableRandom(mix(mix(mix(seed) + step) + micro));
        int[] starts = new int[batchSize];
        for (int b = 0; b < batchSize; b++) {
            starts[b] = candidates[rng.nextInt(candidates.length)];
        }
        return windows(starts, seqLen);
    }

    /** Document starts, and every {@code seqLen} tokens inside longer documents, where a whole window fits. */
    private int[] windowStarts(int seqLen) {
        requireWindow(seqLen);
        if (windowStartsLen != seqLen) {
            List<Integer> out = new ArrayList<>();
            for (int d = 0; d < docStarts.length; d++) {
                int end = d + 1 < docStarts.length ? docStarts[d + 1] : tokens.length;
                for (int s = docStarts[d]; s < end && s <= tokens.length - seqLen; s += seqLen) {
                    out.add(s);
                }
            }
            windowStarts = out.stream().mapToInt(Integer::intValue).toArray();
            windowStartsLen = seqLen;
        }
        return windowStarts;
    }

    /**
     * Validation batches: up to {@code documents} whole documents spread evenly over the stream (all of them
     * when there are fewer),
     * one per row (from its first token through its end-of-sequence token, cut at {@code seqLen} only when
     * longer), right-padded with id 0 and masked. Every predicted token sees its whole document, so the
     * loss compares with an exact entropy floor; windows cut at their end would over-represent openings.
     */
    public List<TokenBatch> documentBatches(int documents, int batchSize, int seqLen) {
        int count = Math.min(documents, docStarts.length);
        List<long[]> docs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int d = (int) (count == 1 ? 0 : (long) (docStarts.length - 1) * i / (count - 1));
            int end = d + 1 < docStarts.length ? docStarts[d + 1] : tokens.length;
            int len = Math.min(seqLen, end - docStarts[d]);
            long[] doc = new long[len];
            for (int t = 0; t < len; t++) {
                doc[t] = tokens[docStarts[d] + t];
            }
            docs.add(doc);
        }
        List<TokenBatch> out = new ArrayList<>();
        for (int from = 0; from < docs.size(); from += batchSize) {
            out.add(TokenBatch.pad(docs.subList(from, Math.min(docs.size(), from + batchSize)), 0, TokenBatch.PadSide.RIGHT));
        }
        return out;
    }

    private TokenBatch windows(int[] starts, int seqLen) {
        long[] ids = new long[starts.length * seqLen];
        for (int b = 0; b < starts.length; b++) {
            for (int t = 0; t < seqLen; t++) {
                ids[b * seqLen + t] = tokens[starts[b] + t];
            }
        }
        return TokenBatch.of(starts.length, seqLen, ids);
    }

    /** Fails, naming the file, when the stream is shorter than one window. */
    public void requireWindow(int seqLen) {
        if (tokens.length < seqLen) {
            throw new UserInputException(source + ": holds " + tokens.length + " tokens, fewer than one window of "
                    + seqLen);
        }
    }

    /** Stafford's Mix13, the finaliser SplittableRandom itself uses: nearby inputs give unrelated seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
