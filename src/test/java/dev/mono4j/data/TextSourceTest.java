package dev.mono4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import dev.mono4j.data.conceptworld.Lexicon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextSourceTest {
    @TempDir
    Path tmp;

    private Path write(String name, String content) throws Exception {
        return Files.writeString(tmp.resolve(name), content);
    }

    private static List<LabelledText> all(TextSource s) {
        List<LabelledText> out = new ArrayList<>();
        s.iterator().forEachRemaining(out::add);
        return out;
    }

    /** Reads texts until the one that fails, and returns the failure's message. */
    private static String failure(TextSource s) {
        Iterator<LabelledText> it = s.iterator();
        return assertThrows(UserInputException.class, () -> {
            while (it.hasNext()) {
                it.next();
            }
        }).getMessage();
    }

    @Test
    void plainTextIsOneTextPerLine() throws Exception {
        Path f = write("t.txt", "the cat sat\nthe bat flew\r\nby night\n");
        TextSource s = TextSource.file(f, null, Integer.MAX_VALUE);
        assertEquals("t.txt", s.name());
        assertEquals(3, s.size());
        assertTrue(s.senses().isEmpty());
        List<LabelledText> texts = all(s);
        assertEquals(List.of("the cat sat", "the bat flew", "by night"), texts.stream().map(LabelledText::text).toList());
        assertEquals(f + ":2", texts.get(1).source());
        assertNull(texts.get(0).label());
        assertNull(texts.get(0).wordConcepts());
        assertEquals(texts, all(s), "each iterator is a fresh pass");
    }

    @Test
    void iteratorEndsAfterTheLastText() throws Exception {
        Iterator<LabelledText> it = TextSource.file(write("t.txt", "one\n"), null, 10).iterator();
        assertTrue(it.hasNext());
        it.next();
        assertFalse(it.hasNext());
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void jsonlCarriesLabelsAndWordConcepts() throws Exception {
        Path f = write("d.jsonl", String.join("\n",
                "{\"text\": \"hello world\", \"label\": \"greeting\"}",
                "{\"text\": \"the bat\", \"concepts\": [null, \"animals:bat\"]}",
                "{\"text\": \"seven\", \"label\": 7}",
                "{\"text\": \"no label\", \"label\": null}") + "\n");
        List<LabelledText> texts = all(TextSource.file(f, null, 100));
        assertEquals(4, texts.size());
        assertEquals("greeting", texts.get(0).label());
        assertNull(texts.get(0).wordConcepts());
        assertEquals(Arrays.asList(null, "animals:bat"), texts.get(1).wordConcepts());
        assertNull(texts.get(1).label());
        assertEquals("7", texts.get(2).label(), "numbers are labels too");
        assertNull(texts.get(3).label());
        assertEquals(f + ":3", texts.get(2).source());
    }

    @Test
    void malformedJsonlNamesFileAndLine() throws Exception {
        String good = "{\"text\": \"fine\"}";
        Path bad = write("bad.jsonl", good + "\n{\"text\": \"broken\"\n");
        String m = failure(TextSource.file(bad, null, 100));
        assertTrue(m.startsWith(bad + ":2: not a JSON object"), m);

        Path missing = write("missing.jsonl", good + "\n" + good + "\n{\"label\": \"x\"}\n");
        m = failure(TextSource.file(missing, null, 100));
        assertTrue(m.startsWith(missing + ":3: expected a JSON object with a string field \"text\""), m);

        Path notString = write("num.jsonl", "{\"text\": 5}\n");
        m = failure(TextSource.file(notString, null, 100));
        assertTrue(m.startsWith(notString + ":1: expected a JSON object"), m);

        Path mismatch = write("mismatch.jsonl", "{\"text\": \"a b c\", \"concepts\": [\"x\", \"y\"]}\n");
        m = failure(TextSource.file(mismatch, null, 100));
        assertTrue(m.startsWith(mismatch + ":1: \"concepts\" has 2 entries but the text has 3 space-separated words"), m);

        Path conceptsNotList = write("cnl.jsonl", "{\"text\": \"a\", \"concepts\": \"x\"}\n");
        m = failure(TextSource.file(conceptsNotList, null, 100));
        assertTrue(m.startsWith(conceptsNotList + ":1: \"concepts\" must be a list"), m);

        Path labelObject = write("lo.jsonl", "{\"text\": \"a\", \"label\": {\"k\": 1}}\n");
        m = failure(TextSource.file(labelObject, null, 100));
        assertTrue(m.startsWith(labelObject + ":1: \"label\" must be a string or a number"), m);

        Path emptyLine = write("empty.jsonl", good + "\n\n" + good + "\n");
        m = failure(TextSource.file(emptyLine, null, 100));
        assertTrue(m.startsWith(emptyLine + ":2: "), m);

        Path emptyText = write("et.jsonl", "{\"text\": \"  \"}\n");
        m = failure(TextSource.file(emptyText, null, 100));
        assertEquals(emptyText + ":1: empty text", m);
    }

    @Test
    void emptyLineInPlainTextNamesFileAndLine() throws Exception {
        Path f = write("t.txt", "one\ntwo\n   \nfour\n");
        assertEquals(f + ":3: empty text", failure(TextSource.file(f, null, 100)));
    }

    @Test
    void missingOrEmptyFilesAreRefusedUpFront() throws Exception {
        Path nowhere = tmp.resolve("nope.txt");
        assertTrue(assertThrows(UserInputException.class, () -> TextSource.file(nowhere, null, 10)).getMessage()
                .contains("nope.txt: file not found"));
        Path empty = write("empty.txt", "");
        assertTrue(assertThrows(UserInputException.class, () -> TextSource.file(empty, null, 10)).getMessage()
                .contains("no texts"));
        Path data = write("d.txt", "a\n");
        Path noLabels = tmp.resolve("labels-missing.txt");
        assertTrue(assertThrows(UserInputException.class, () -> TextSource.file(data, noLabels, 10)).getMessage()
                .contains("labels-missing.txt: file not found"));
    }

    @Test
    void labelFileGivesOneLabelPerText() throws Exception {
        Path data = write("d.jsonl", "{\"text\": \"a\", \"label\": \"json\"}\n{\"text\": \"b\"}\n");
        Path labels = write("l.txt", "  pos \nneg\n");
        List<LabelledText> texts = all(TextSource.file(data, labels, 10));
        assertEquals("pos", texts.get(0).label(), "stripped, and the label file wins over the JSON label");
        assertEquals("neg", texts.get(1).label());
    }

    @Test
    void labelFileWithAnotherLineCountIsRefusedNamingBothFiles() throws Exception {
        Path data = write("texts.txt", "a\nb\nc\n");
        Path labels = write("labels.txt", "x\ny\n");
        String m = assertThrows(UserInputException.class, () -> TextSource.file(data, labels, 10)).getMessage();
        assertTrue(m.contains(labels.toString()) && m.contains(data.toString()), m);
        assertTrue(m.contains("2 labels for 3 texts"), m);
        // the check counts all lines, even when fewer texts are asked for
        assertThrows(UserInputException.class, () -> TextSource.file(data, labels, 1));
    }

    @Test
    void emptyLabelNamesTheLabelFileAndLine() throws Exception {
        Path data = write("texts.txt", "a\nb\n");
        Path labels = write("labels.txt", "x\n  \n");
        assertEquals(labels + ":2: empty label", failure(TextSource.file(data, labels, 10)));
    }

    @Test
    void sensesComeFromWordsSeenWithSeveralConcepts() throws Exception {
        Path f = write("cw.jsonl", String.join("\n",
                "{\"text\": \"the bat flew\", \"concepts\": [null, \"animals:bat\", null]}",
                "{\"text\": \"a cat\", \"concepts\": [null, \"animals:cat\"]}",
                "{\"text\": \"swing the bat\", \"concepts\": [null, null, \"sports:bat\"]}",
                "{\"text\": \"the cat\", \"concepts\": [null, \"animals:cat\"]}",
                "{\"text\": \"a club\", \"concepts\": [null, \"sports:club\"]}",
                "{\"text\": \"the club\", \"concepts\": [null, \"tools:club\"]}",
                "{\"text\": \"a club\", \"concepts\": [null, \"music:club\"]}",
                "{\"text\": \"plain\", \"concepts\": [\"colour\"]}") + "\n");
        TextSource s = TextSource.file(f, null, 100);
        assertEquals(Map.of("bat", List.of("animals", "sports"), "club", List.of("music", "sports", "tools")),
                s.senses());
        assertEquals(List.of("bat", "club"), List.copyOf(s.senses().keySet()), "sorted by word");
    }

    @Test
    void samplesLimitTakesTheFirstTexts() throws Exception {
        Path f = write("t.txt", "one\ntwo\nthree\n\nfive\n");
        TextSource s = TextSource.file(f, null, 2);
        assertEquals(2, s.size());
        assertEquals(List.of("one", "two"), all(s).stream().map(LabelledText::text).toList(),
                "the empty line 4 is never reached");
        assertEquals(5, TextSource.file(write("u.txt", "1\n2\n3\n4\n5\n"), null, 99).size());
    }

    @Test
    void conceptWorldStoriesCarryWordConceptsAndSenses() {
        TextSource s = TextSource.conceptWorld(3, 1, 1);
        assertEquals(3, s.size());
        assertEquals(Lexicon.polysemousNouns(), s.senses());
        List<LabelledText> texts = all(s);
        assertEquals(3, texts.size());
        for (LabelledText t : texts) {
            assertEquals(LabelledText.words(t.text()).length, t.wordConcepts().size());
            assertTrue(t.wordConcepts().stream().anyMatch(c -> c != null && c.contains(":")), t.source());
        }
        assertEquals(texts, all(s), "generation is deterministic");
    }

    /** Whether texts carry labels or concepts is read from the fields of the measured lines, not their text. */
    @Test
    void labelsAndConceptsAreFieldsNotWordsInTheText() throws Exception {
        Path f = tmp.resolve("quoted.jsonl");
        Files.write(f, List.of("{\"text\":\"he said \\\"label\\\": yes and \\\"concepts\\\"\"}",
                "{\"text\":\"w1\",\"label\":\"a\",\"concepts\":[\"x:w1\"]}"));
        TextSource first = TextSource.file(f, null, 1);
        assertFalse(first.labelled(), "the first line only quotes the word label");
        assertFalse(first.withConcepts());
        TextSource both = TextSource.file(f, null, 2);
        assertTrue(both.labelled());
        assertTrue(both.withConcepts());
    }
}
