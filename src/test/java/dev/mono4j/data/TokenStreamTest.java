package dev.mono4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStreamTest {
    @TempDir
    Path tmp;

    @Test
    void wordLevelTokenizerJsonLoadsInDjl() {
        try (Tokenizer tok = Tokenizer.load(WordLevelTokenizers.write(tmp.resolve("tokenizer.json"),
                WordLevelTokenizers.words(10)))) {
            assertArrayEquals(new long[] {1, 4, 5, 3}, tok.encode("w0 w1 unknown"), "<bos> added, <unk> for new words");
            assertEquals(14, tok.vocabSize());
            assertEquals(2, tok.eosId().getAsLong());
            assertEquals(1, tok.bosId().getAsLong());
            assertEquals(0, tok.padId());
        }
    }

    /** Each document: the tokenizer's own encoding (here with a BOS), then the EOS id; blank lines are skipped. */
    @Test
    void documentsAreEncodedAndSeparatedByEos() throws Exception {
        Path text = Files.writeString(tmp.resolve("t.txt"), "w0 w1\n\n   \nw2\n");
        try (Tokenizer tok = Tokenizer.load(WordLevelTokenizers.write(tmp.resolve("tokenizer.json"),
                WordLevelTokenizers.words(10)))) {
            TokenStream s = TokenStream.read(text, tok, 2);
            assertEquals(7, s.size());
            TokenBatch all = s.evenBatches(1, 1, 7).get(0);
            assertArrayEquals(new long[] {1, 4, 5, 2, 1, 6, 2}, all.ids());
            assertThrows(UserInputException.class, () -> s.requireWindow(8));
            assertThrows(UserInputException.class, () -> TokenStream.read(tmp.resolve("missing.txt"), tok, 2));
        }
    }

    /** Training batches are pure functions of (seed, step, micro): resuming needs no random state. */
    @Test
    void batchesAreWindowsChosenBySeedStepAndMicroBatch() throws Exception {
        Path text = Files.writeString(tmp.resolve("t.txt"), WordLevelTokenizers.text(WordLevelTokenizers.words(50), 100, 1));
        try (Tokenizer tok = Tokenizer.load(WordLevelTokenizers.write(tmp.resolve("tokenizer.json"),
                WordLevelTokenizers.words(50)))) {
            TokenStream s = TokenStream.read(text, tok, 2);
            TokenBatch b = s.batch(7, 3, 1, 4, 16);
            assertArrayEquals(b.ids(), s.batch(7, 3, 1, 4, 16).ids());
            assertFalse(Arrays.equals(b.ids(), s.batch(7, 4, 1, 4, 16).ids()), "another step");
            assertFalse(Arrays.equals(b.ids(), s.batch(7, 3, 0, 4, 16).ids()), "another micro-batch");
            assertFalse(Arrays.equals(b.ids(), s.batch(8, 3, 1, 4, 16).ids()), "another seed");
            // Every row is a contiguous piece of the stream.
            long[] stream = s.evenBatches(1, 1, s.size()).get(0).ids();
            for (int r = 0; r < 4; r++) {
                long[] row = b.row(r);
                assertTrue(indexOf(stream, row) >= 0, "row " + r + " is a window of the stream");
            }
        }
    }

    @Test
    void validationWindowsSpanTheStreamEvenly() throws Exception {
        Path text = Files.writeString(tmp.resolve("t.txt"), WordLevelTokenizers.text(WordLevelTokenizers.words(50), 40, 2));
        try (Tokenizer tok = Tokenizer.load(WordLevelTokenizers.write(tmp.resolve("tokenizer.json"),
                WordLevelTokenizers.words(50)))) {
            TokenStream s = TokenStream.read(text, tok, 2);
            long[] stream = s.evenBatches(1, 1, s.size()).get(0).ids();
            List<TokenBatch> batches = s.evenBatches(3, 2, 10);
            assertEquals(3, batches.size());
            assertArrayEquals(Arrays.copyOfRange(stream, 0, 10), batches.get(0).row(0), "first window at the start");
            // Windows begin at a document start, or every 10 tokens (the window length) inside a document.
            List<Long> all = Arrays.stream(stream).boxed().toList();
            for (TokenBatch batch : batches) {
                for (int r = 0; r < batch.batchSize(); r++) {
                    int start = Collections.indexOfSubList(all, Arrays.stream(batch.row(r)).boxed().toList());
                    int docStart = start;
                    while (docStart > 0 && stream[docStart - 1] != WordLevelTokenizers.EOS) {
                        docStart--;
                    }
                    assertEquals(0, (start - docStart) % 10, "window at " + start + ", document at " + docStart);
                }
            }
            int lastStart = Collections.indexOfSubList(all, Arrays.stream(batches.get(2).row(1)).boxed().toList());
            assertTrue(lastStart > stream.length - 20, "the last window is the last one that fits: " + lastStart);
            assertArrayEquals(batches.get(1).ids(), s.evenBatches(3, 2, 10).get(1).ids(), "the same every time");
        }
    }

    private static int indexOf(long[] haystack, long[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
