package dev.mono4j.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import dev.mono4j.data.PreferencePairs;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TRL JSONL reading with line-numbered errors, and pairs turned into rows with completion masks. */
class PreferenceDataTest {
    @TempDir
    Path tmp;

    private Tokenizer tokenizer() {
        // <pad> 0, <bos> 1, <eos> 2, <unk> 3, then w0 = 4, w1 = 5, ...
        return Tokenizer.load(WordLevelTokenizers.write(tmp.resolve("tokenizer.json"), WordLevelTokenizers.words(10)));
    }

    @Test
    void rowsHoldPromptThenCompletionAndMaskOnlyTheCompletion() {
        try (Tokenizer tok = tokenizer()) {
            PreferencePairs.Pair p = new PreferencePairs.Pair("x:1", "w1 w2", "w3", "w4 w5");
            PreferenceBatch b = PreferenceBatch.encode(tok, List.of(p), 128, 256);
            assertEquals(2, b.batch().batchSize());
            assertArrayEquals(new long[] {1, 5, 6, 7, 2}, b.batch().row(0), "BOS w1 w2 | w3 EOS");
            assertArrayEquals(new long[] {1, 5, 6, 8, 9, 2}, b.batch().row(1), "BOS w1 w2 | w4 w5 EOS");
            // T = 6, so 5 predicted positions per row; position j predicts token j + 1.
            assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 1, 1}, b.targetMask());
            assertArrayEquals(new float[] {2, 3}, b.completionLengths());
            assertEquals(4, b.lastToken(0));
            assertEquals(0, b.truncated());
        }
    }

    @Test
    void longPromptsKeepTheirEndAndBosLongCompletionsTheirStart() {
        try (Tokenizer tok = tokenizer()) {
            PreferencePairs.Pair p = new PreferencePairs.Pair("x:1", "w1 w2 w3 w4", "w5 w6 w7", "w8");
            PreferenceBatch b = PreferenceBatch.encode(tok, List.of(p), 3, 5);
            assertArrayEquals(new long[] {1, 7, 8, 9, 10}, b.batch().row(0), "BOS w3 w4 | w5 w6 (cut)");
            assertArrayEquals(new long[] {1, 7, 8, 12, 2}, b.batch().row(1));
            assertEquals(2, b.truncated(), "one prompt and one completion cut");
            UserInputException e = assertThrows(UserInputException.class,
                    () -> PreferenceBatch.encode(tok, List.of(p), 5, 5));
            assertTrue(e.getMessage().startsWith("x:1: the prompt leaves no room"), e.getMessage());
        }
    }

    @Test
    void readsTrlJsonlAndNamesTheLineOfAnyProblem() throws Exception {
        Path ok = tmp.resolve("ok.jsonl");
        Files.writeString(ok, "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n\n{\"prompt\":\"q\",\"chosen\":\"c\","
                + "\"rejected\":\"d\",\"extra\":1}\n");
        List<PreferencePairs.Pair> pairs = PreferencePairs.read(ok);
        assertEquals(2, pairs.size());
        assertEquals(ok + ":3", pairs.get(1).source());

        bad("{\"prompt\":\"p\",\"chosen\":\"a\"}", ":1: missing field \"rejected\"");
        bad("{\"prompt\":\"p\",\"chosen\":\" \",\"rejected\":\"b\"}", ":1: field \"chosen\" is empty");
        bad("{\"prompt\":[{\"role\":\"user\"}],\"chosen\":\"a\",\"rejected\":\"b\"}", "must be a string");
        bad("{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"a\"}", "the same text");
        bad("{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n{oops", ":2: not a JSON object");
        bad("", "no preference pairs");
        Path latin1 = tmp.resolve("latin1.jsonl");
        Files.write(latin1, "{\"prompt\":\"caf\u00e9\",\"chosen\":\"a\",\"rejected\":\"b\"}\n".getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1));
        UserInputException e = assertThrows(UserInputException.class, () -> PreferencePairs.read(latin1));
        assertTrue(e.getMessage().contains(":1: not valid UTF-8"), e.getMessage());
    }

    private void bad(String content, String fragment) throws Exception {
        Path f = tmp.resolve("bad.jsonl");
        Files.writeString(f, content);
        UserInputException e = assertThrows(UserInputException.class, () -> PreferencePairs.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(fragment), e.getMessage());
    }
}
