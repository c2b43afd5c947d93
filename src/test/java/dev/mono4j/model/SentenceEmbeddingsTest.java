package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long texts are cut as sentence-transformers cuts them, instead of failing the encoder's position limit. */
class SentenceEmbeddingsTest {
    @TempDir
    Path tmp;

    @Test
    void aLongTextIsCutToItsFirstTokensKeepingAClosingSpecialToken() {
        Tokenizer.Encoded withSep = new Tokenizer.Encoded(new long[] {1, 5, 6, 7, 8, 2}, new int[] {-1, 0, 2, 4, 6, -1});
        assertArrayEquals(new long[] {1, 5, 6, 2}, SentenceEmbeddings.cut(withSep, 4));
        Tokenizer.Encoded open = new Tokenizer.Encoded(new long[] {1, 5, 6, 7, 8}, new int[] {-1, 0, 2, 4, 6});
        assertArrayEquals(new long[] {1, 5, 6, 7}, SentenceEmbeddings.cut(open, 4));
        assertArrayEquals(open.ids(), SentenceEmbeddings.cut(open, 5));
    }

    @Test
    void embeddingALongTextEqualsEmbeddingItsFirstWords() {
        Path tokenizer = WordLevelTokenizers.write(tmp.resolve("tokenizer.json"), WordLevelTokenizers.words(36));
        // 12 positions; the word-level tokenizer adds BOS only, so a cut keeps BOS and the first 11 words.
        try (TransformerEncoder model = TransformerEncoder.random(ModelConfig.bert(40, 16, 2, 2, 32, 12, 2, 1e-12), 3);
                Tokenizer tok = Tokenizer.load(tokenizer)) {
            String words = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11";
            String longer = words + " w12 w13 w14 w15 w16 w17 w18 w19 w20";
            for (SentenceEmbeddings.Pooling p : SentenceEmbeddings.Pooling.values()) {
                float[][] e = SentenceEmbeddings.embed(model, tok, List.of(longer, words), p, true, 2);
                assertArrayEquals(e[1], e[0], 1e-6f, p.name());
                float[][] four = SentenceEmbeddings.embed(model, tok, List.of(longer, "w1 w2 w3"), p, true, 2, 4);
                assertArrayEquals(four[1], four[0], 1e-6f, p.name() + " with a limit of 4 tokens");
            }
            assertEquals(16, SentenceEmbeddings.embed(model, tok, List.of(longer), SentenceEmbeddings.Pooling.MEAN, false, 1)[0]
                    .length);
        }
    }
}
