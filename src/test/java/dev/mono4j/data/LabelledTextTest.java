package dev.mono4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.tokenize.Tokenizer;
import org.junit.jupiter.api.Test;

class LabelledTextTest {
    //                                  0123456789012345
    private static final String TEXT = "the bat flew by";
    private static final List<String> CONCEPTS = Arrays.asList(null, "animals:bat", "motion", null);

    @Test
    void wordsAreSplitAtSingleSpaces() {
        assertArrayEquals(new String[] {"the", "bat", "flew", "by"}, LabelledText.words(TEXT));
        assertArrayEquals(new String[] {"a", "", "b"}, LabelledText.words("a  b"));
        assertArrayEquals(new String[] {"a", ""}, LabelledText.words("a "));
    }

    @Test
    void conceptsMustMatchTheWordCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LabelledText("x.jsonl:3", TEXT, null, List.of("a", "b")));
        assertTrue(e.getMessage().contains("x.jsonl:3") && e.getMessage().contains("2 concepts for 4 words"),
                e.getMessage());
    }

    /** Offsets inside a word map to that word: word-level tokens and sub-word pieces alike. */
    @Test
    void offsetsInsideAWordMapToThatWord() {
        LabelledText t = new LabelledText("s", TEXT, null, CONCEPTS);
        // "the", "bat", "fl", "ew", "by"
        assertArrayEquals(new String[] {null, "animals:bat", "motion", "motion", null},
                t.tokenConcepts(new int[] {0, 4, 8, 10, 13}));
        assertArrayEquals(new String[] {"animals:bat", "animals:bat", "motion"}, t.tokenConcepts(new int[] {5, 6, 11}));
    }

    @Test
    void specialTokensHaveNoConcept() {
        LabelledText t = new LabelledText("s", TEXT, null, Arrays.asList("x", "y", "z", "w"));
        assertArrayEquals(new String[] {null, "x", "y", null}, t.tokenConcepts(new int[] {-1, 0, 4, -1}));
    }

    @Test
    void withoutConceptsEveryTokenIsNull() {
        LabelledText t = LabelledText.plain("s", TEXT);
        assertArrayEquals(new String[3], t.tokenConcepts(new int[] {0, 4, -1}));
        LabelledText labelled = new LabelledText("s", TEXT, "positive", null);
        assertArrayEquals(new String[2], labelled.tokenConcepts(new int[] {0, 8}));
    }

    /**
     * Byte-level tokenizers (GPT-2) split "the bat flew by" as "the", " bat", " flew", " by": the tokens
     * start on the spaces at offsets 3, 7 and 12. The documented rule: a token starting on a space gets the
     * concept of the next word.
     */
    @Test
    void offsetsOnASpaceMapToTheNextWord() {
        LabelledText t = new LabelledText("s", TEXT, null, CONCEPTS);
        assertArrayEquals(new String[] {null, "animals:bat", "motion", null}, t.tokenConcepts(new int[] {0, 3, 7, 12}));
    }

    /**
     * The same with GPT-2's real tokenizer (the fixture's tokenizer.json): it reports token starts 0, 3, 7, 12
     * for "the", " bat", " flew", " by", so each word's concept must land on its own token (a bug once
     * put every concept one token late).
     */
    @Test
    void gpt2TokensGetTheirOwnWordsConcept() {
        try (Tokenizer tok = Tokenizer.load(Fixtures.dir("gpt2-tokenizer").resolve("tokenizer.json"))) {
            Tokenizer.Encoded e = tok.encodeWithOffsets(TEXT);
            assertArrayEquals(new int[] {0, 3, 7, 12}, e.charStarts(), "one token per word, starting on the space");
            LabelledText t = new LabelledText("s", TEXT, null, CONCEPTS);
            assertArrayEquals(new String[] {null, "animals:bat", "motion", null}, t.tokenConcepts(e.charStarts()));
        }
    }

    /** Two spaces in a row: the empty word between them keeps its own concept slot. */
    @Test
    void emptyWordsBetweenDoubleSpacesKeepTheirSlot() {
        LabelledText t = new LabelledText("s", "a  b", null, Arrays.asList("A", "gap", "B"));
        assertArrayEquals(new String[] {"A", "B"}, t.tokenConcepts(new int[] {0, 3}));
    }
}
