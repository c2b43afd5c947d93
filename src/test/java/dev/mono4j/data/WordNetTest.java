package dev.mono4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WordNet's data.noun format (wndb(5WN)) on lines written here in that format, with made-up synsets. */
class WordNetTest {
    @TempDir
    Path tmp;

    // The licence header (two leading spaces), then synsets. Lines end in two spaces, as in the real file.
    private static final String HEADER = "  1 A made-up licence header line  \n  2   \n";
    /** noun.food (13), two words, one pointer, a gloss with two examples after "; ". */
    private static final String CHERRY = "00000100 13 n 02 sour_cherry 0 morello 1 001 @ 00000300 n 0000"
            + " | a small tart red fruit, cooked before eating; \"she baked a pie of sour cherries\";"
            + " \"morellos keep well in jars\"  ";
    /** noun.animal (05), ten words: w_cnt is hexadecimal "0a"; no pointers; no examples. */
    private static final String TEN = "00000200 05 n 0a w_a 0 w_b 0 w_c 0 w_d 0 w_e 0 w_f 0 w_g 0 w_h 0 w_i 0 w_j 0 000"
            + " | an animal known by ten names in ten valleys  ";
    /** noun.time (28), example after ": " and an attribution, the short definition left out at --min-words 4. */
    private static final String DUSK = "00000300 28 n 01 dusk 0 002 @ 00000100 n 0000 ~ 00000200 n 0000"
            + " | late evening: \"the lamps were lit at dusk every single day\" - A. Writer  ";

    private Path write(String content) throws Exception {
        return Files.writeString(tmp.resolve("data.noun"), content);
    }

    private static List<WordNet.Synset> read(Path file) {
        List<WordNet.Synset> out = new ArrayList<>();
        assertEquals(3, WordNet.forEach(file, out::add));
        return out;
    }

    @Test
    void synsetLinesGiveOffsetSupersenseLemmasDefinitionAndExamples() throws Exception {
        List<WordNet.Synset> s = read(write(HEADER + CHERRY + "\n" + TEN + "\n" + DUSK + "\n"));
        assertEquals(new WordNet.Synset("00000100", "noun.food", List.of("sour cherry", "morello"),
                "a small tart red fruit, cooked before eating",
                List.of("she baked a pie of sour cherries", "morellos keep well in jars")), s.get(0));
        assertEquals(new WordNet.Synset("00000200", "noun.animal", List.of("w a", "w b", "w c", "w d", "w e", "w f",
                "w g", "w h", "w i", "w j"), "an animal known by ten names in ten valleys", List.of()), s.get(1));
        assertEquals(new WordNet.Synset("00000300", "noun.time", List.of("dusk"), "late evening",
                List.of("the lamps were lit at dusk every single day")), s.get(2));
    }

    @Test
    void lexicographerFilesAreLexnamesNouns() {
        // lexnames(5WN): 03 noun.Tops ... 28 noun.time; checked at a few numbers against the manual page.
        assertEquals(26, WordNet.NOUN_SUPERSENSES.size());
        assertEquals("noun.Tops", WordNet.NOUN_SUPERSENSES.get(3 - 3));
        assertEquals("noun.animal", WordNet.NOUN_SUPERSENSES.get(5 - 3));
        assertEquals("noun.communication", WordNet.NOUN_SUPERSENSES.get(10 - 3));
        assertEquals("noun.food", WordNet.NOUN_SUPERSENSES.get(13 - 3));
        assertEquals("noun.person", WordNet.NOUN_SUPERSENSES.get(18 - 3));
        assertEquals("noun.time", WordNet.NOUN_SUPERSENSES.get(28 - 3));
    }

    @Test
    void quotedSpansIncludeAnUnclosedLastOne() {
        assertEquals(List.of("one two", "three"), WordNet.quoted("\"one two\"; \"three\" - Someone"));
        assertEquals(List.of("a notice of sale"), WordNet.quoted("\"\"; \"a notice of sale  "));
    }

    @Test
    void textsFileHasOneLinePerDefinitionAndExampleInFileOrder() throws Exception {
        Path file = write(HEADER + CHERRY + "\n" + TEN + "\n" + DUSK + "\n");
        WordNet.Summary s = WordNet.writeTexts(file, 4, tmp.resolve("out"));
        String expected = """
                {"text":"a small tart red fruit, cooked before eating","supersense":"noun.food","synset":"00000100","kind":"definition","lemma":"sour cherry"}
                {"text":"she baked a pie of sour cherries","supersense":"noun.food","synset":"00000100","kind":"example","lemma":"sour cherry"}
                {"text":"morellos keep well in jars","supersense":"noun.food","synset":"00000100","kind":"example","lemma":"sour cherry"}
                {"text":"an animal known by ten names in ten valleys","supersense":"noun.animal","synset":"00000200","kind":"definition","lemma":"w a"}
                {"text":"the lamps were lit at dusk every single day","supersense":"noun.time","synset":"00000300","kind":"example","lemma":"dusk"}
                """;
        assertEquals(expected, Files.readString(tmp.resolve("out").resolve(WordNet.TEXTS_FILE)));
        assertEquals(new WordNet.Summary(3, 2, 3, 1, 3), s); // "late evening" (2 words) left out
    }

    @Test
    void malformedLinesNameFileAndLine() throws Exception {
        String decimalCount = TEN.replace(" 0a ", " 10 "); // hexadecimal 10 = 16 words: more than the line holds
        String wrongPointers = CHERRY.replace(" 001 @", " 002 @");
        String verbFile = CHERRY.replace(" 13 n ", " 29 n ");
        for (String bad : List.of(decimalCount, wrongPointers, verbFile, "00000400 13 n 01", "not a synset line at all")) {
            Path file = write(HEADER + CHERRY + "\n" + bad + "\n");
            String msg = assertThrows(UserInputException.class, () -> WordNet.forEach(file, s -> { })).getMessage();
            assertTrue(msg.startsWith(file + ":4: not a WordNet data.noun synset line"), msg);
        }
    }

    @Test
    void aMissingFileNamesTheDebianPackage() {
        Path missing = tmp.resolve("nowhere/data.noun");
        String msg = assertThrows(UserInputException.class, () -> WordNet.forEach(missing, s -> { })).getMessage();
        assertTrue(msg.startsWith(missing + ": file not found; install the Debian package wordnet-base"), msg);
    }
}
