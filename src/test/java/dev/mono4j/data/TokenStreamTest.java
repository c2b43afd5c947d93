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
            assertArrayEquals(new long[] {1, 4, 5, 2, 1, 6, 2}, s.tokens());
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
            long[] stream = s.tokens();
            for (int r = 0; r < 4; r++) {
                long[] row = b.row(r);
                assertTrue(indexOf(stream, row) >= 0, "row " + r + " is a window of the stream");
            }
        }
    }

    /** Validation rows are whole documents (BOS through EOS), spread evenly, padded and masked. */
    @Test
    void validationUsesWholeDocumentsSpreadEvenly() throws Exception {
        Path text = Files.writeString(tmp.resolve("t.txt"), "w0 w1\nw2\nw3 w4 w5\nw6\nw7 w8\n");
        try (Tokenizer tok = Tokenizer.load(WordLevelTokenizers.write(tmp.resolve("tokenizer.json"),
                WordLevelTokenizers.words(20)))) {
            TokenStream s = TokenStream.read(text, tok, 2);
            List<TokenBatch> batches = s.documentBatches(3, 3, 16);
            assertEquals(1, batches.size());
            TokenBatch b = batches.get(0);
            assertArrayEquals(new long[] {1, 4, 5, 2}, b.row(0), "the first document, whole");
            assertArrayEquals(new long[] {1, 7, 8, 9, 2}, b.row(1), "the middle one");
            assertArrayEquals(new long[] {1, 11, 12, 2}, b.row(2), "the last one");
            assertEquals(0, b.mask()[4], "shorter rows are padded");
            assertEquals(2, s.documentBatches(6, 3, 16).size(), "all five documents in batches of three");
            assertArrayEquals(new long[] {1, 7, 8}, s.documentBatches(3, 3, 3).get(0).row(1), "cut at seqLen only");
            assertArrayEquals(b.ids(), s.documentBatches(3, 3, 16).get(0).ids(), "the same every time");
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
