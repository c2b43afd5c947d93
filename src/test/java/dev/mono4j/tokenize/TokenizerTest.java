package dev.mono4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.io.Json;
import dev.mono4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GPT-2's real byte-level BPE against ids from an independent encoder (npm gpt-3-encoder). */
class TokenizerTest {
    private static Tokenizer tok;

    @BeforeAll
    static void load() {
        tok = Tokenizer.load(Fixtures.dir("gpt2-tokenizer"));
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void matchesReferenceIdsAndRoundTrips() {
        Path expected = Fixtures.dir("gpt2-tokenizer").resolve("expected.json");
        JsonNode cases = Json.read(expected).get("cases");
        assertTrue(cases.size() >= 9);
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            long[] want = new long[c.get("ids").size()];
            for (int i = 0; i < want.length; i++) {
                want[i] = c.get("ids").get(i).asLong();
            }
            long[] got = tok.encode(text);
            assertArrayEquals(want, got, "ids of " + text);
            assertEquals(text, tok.decode(got), "decode of " + text);
        }
    }

    @Test
    void specialTokenTextMapsToItsId() {
        long[] ids = tok.encode("Hello<|endoftext|>");
        assertEquals(50256, ids[ids.length - 1]);
        assertEquals(50256, tok.padId(), "GPT-2 has no pad token: <|endoftext|> pads");
    }

    @Test
    void continuationsKeepTheirLeadingSpace() {
        long[] prompt = tok.encode("Hello");
        long[] more = tok.encode(" world, again");
        assertEquals(" world, again", tok.decodeContinuation(prompt, more));
    }

    @Test
    void padsOnEitherSide() {
        List<String> texts = List.of("Hello world", "The quick brown fox");
        TokenBatch right = TokenBatch.encode(tok, texts, TokenBatch.PadSide.RIGHT);
        TokenBatch left = TokenBatch.encode(tok, texts, TokenBatch.PadSide.LEFT);
        assertEquals(4, right.seqLen());
        assertArrayEquals(new long[] {15496, 995, 50256, 50256, 464, 2068, 7586, 21831}, right.ids());
        assertArrayEquals(new long[] {1, 1, 0, 0, 1, 1, 1, 1}, right.mask());
        assertArrayEquals(new long[] {50256, 50256, 15496, 995, 464, 2068, 7586, 21831}, left.ids());
        assertArrayEquals(new long[] {0, 0, 1, 1, 1, 1, 1, 1}, left.mask());
        assertArrayEquals(right.row(0), left.row(0));
        assertEquals(1, right.lastRealIndex(0));
        assertEquals(3, left.lastRealIndex(0));
    }
}
