package dev.mono4j.lcm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sentence splitting, ConceptWorld labels, deduplication, the end sentence, splits, the fit's rows, the store. */
class ConceptDataTest {
    @TempDir
    Path tmp;

    /** A sentence's embedding: (its length, its count of 'a', 1): distinct enough, and known by hand. */
    static float[][] fakeEmbed(List<String> sentences) {
        return sentences.stream().map(s -> new float[] {s.length(), s.chars().filter(ch -> ch == 'a').count(), 1})
                .toArray(float[][]::new);
    }

    @Test
    void sentencesEndAfterStopsFollowedBySpace() {
        assertEquals(List.of("Hi there.", "How are you?", "Fine!", "e.g.x stays"),
                ConceptSource.sentences("  Hi there. How are you?\tFine! e.g.x stays "));
        assertEquals(List.of("the cat sat .", "dan says : hello ."), ConceptSource.sentences("the cat sat . dan says : hello ."));
    }

    @Test
    void conceptWorldSentencesTakeTheirWordsSentiment() throws Exception {
        Path f = tmp.resolve("corpus.jsonl");
        Files.writeString(f, "{\"id\":3,\"split\":\"valid\",\"dialect\":\"en\",\"domain\":\"science\","
                + "\"text\":\"a b . c d e .\",\"sentiment\":[\"neutral\",\"neutral\",\"neutral\",\"negative\","
                + "\"negative\",\"positive\",\"negative\"]}\n");
        ConceptSource.RawDocument d = ConceptSource.read(f, "text").get(0);
        assertEquals("3", d.id());
        assertEquals(ConceptCorpus.Split.VALID, d.split());
        assertEquals(List.of("a b .", "c d e ."), d.sentences());
        assertEquals(Map.of("domain", "science", "dialect", "en", "sentiment", "neutral"), d.labels().get(0));
        assertEquals("negative", d.labels().get(1).get("sentiment"), "3 of 4 words");
    }

    @Test
    void badInputIsOneLineNamingFileAndLine() throws Exception {
        Path f = tmp.resolve("x.jsonl");
        Files.writeString(f, "{\"text\":\"One. Two.\"}\n{\"body\":\"x\"}\n");
        assertMessage(() -> ConceptSource.read(f, "text"), f + ":2: no text field \"text\"");
        Files.writeString(f, "{\"text\":\"  \"}\n");
        assertMessage(() -> ConceptSource.read(f, "text"), f + ":1: empty document");
        Files.writeString(f, "{\"text\":\"a.\",\"split\":\"holdout\"}\n");
        assertMessage(() -> ConceptSource.read(f, "text"), "split \"holdout\" is not train, valid or test");
        Path txt = tmp.resolve("docs.txt");
        Files.writeString(txt, "First one. Second one.\n\n");
        assertMessage(() -> ConceptSource.read(txt, "text"), txt + ":2: empty document");
    }

    @Test
    void buildDeduplicatesAppendsTheEndAndFitsOnTrainingOccurrences() {
        List<ConceptSource.RawDocument> docs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            // every document repeats "Same here." and has a sentence of its own
            docs.add(new ConceptSource.RawDocument(String.valueOf(i), null, List.of("Same here.", "Doc " + "a".repeat(i) + "."),
                    List.of(Map.of("k", "v" + i), Map.of())));
        }
        ConceptEmbedConfig cfg = ConceptEmbedConfig.builder(Path.of("x.txt"), Path.of("enc")).validFraction(0.1)
                .testFraction(0.2).batchSize(3).normalizer(NormalizerFit.Method.ROBUST).build();
        ConceptCorpus c = ConceptEmbedding.build(docs, cfg, "fake", ConceptDataTest::fakeEmbed).corpus();
        assertEquals(22, c.sentences().size(), "1 shared + 20 own + the end sentence");
        assertEquals(ConceptSource.END_OF_TEXT, c.sentences().get(2));
        assertArrayEquals(new int[] {0, 1, 2}, c.documents().get(0).sentences());
        assertArrayEquals(new int[] {0, 3, 2}, c.documents().get(1).sentences());
        assertArrayEquals(new float[] {"Same here.".length(), 1, 1}, c.embedding(0));
        assertEquals(ConceptEmbedding.MIXED, c.labels().get(0).get("k"), "occurrences disagree");
        assertEquals(Map.of(), c.labels().get(2));
        assertEquals(4, c.documents(ConceptCorpus.Split.TEST).size());
        assertEquals(2, c.documents(ConceptCorpus.Split.VALID).size());
        assertEquals(14, c.documents(ConceptCorpus.Split.TRAIN).size());
        // The fit's rows: each training occurrence, the end sentence left out. Channel 1 ('a' count) is 1 for the
        // shared sentence (14 times) and i for document i's own: median and IQR by hand over those 28 values.
        List<Double> counts = new ArrayList<>();
        for (ConceptCorpus.Document d : c.documents(ConceptCorpus.Split.TRAIN)) {
            counts.add(1.0);
            counts.add((double) Integer.parseInt(d.id()));
        }
        double[] sorted = counts.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        assertEquals(NormalizerFit.quantile(sorted, 0.5), c.normalizer().center()[1], 1e-6);
        assertEquals(NormalizerFit.quantile(sorted, 0.75) - NormalizerFit.quantile(sorted, 0.25),
                c.normalizer().scale()[1], 1e-6);
        // the same seed draws the same split; another seed another one
        assertEquals(testIds(c), testIds(ConceptEmbedding.build(docs, cfg, "fake", ConceptDataTest::fakeEmbed).corpus()));
        ConceptEmbedConfig other = ConceptEmbedConfig.builder(Path.of("x.txt"), Path.of("enc")).validFraction(0.1)
                .testFraction(0.2).seed(2).build();
        assertTrue(!testIds(c).equals(testIds(ConceptEmbedding.build(docs, other, "fake", ConceptDataTest::fakeEmbed)
                .corpus())));
    }

    private static List<String> testIds(ConceptCorpus c) {
        return c.documents(ConceptCorpus.Split.TEST).stream().map(ConceptCorpus.Document::id).toList();
    }

    @Test
    void storeRoundTrips() throws Exception {
        ConceptCorpus c = ConceptModelsTest.corpus();
        ConceptStore.write(c, Map.of("note", "test"), tmp);
        ConceptCorpus back = ConceptStore.read(tmp);
        assertEquals(c.sentences(), back.sentences());
        assertEquals(c.labels(), back.labels());
        assertArrayEquals(c.bank(), back.bank());
        assertEquals(c.dim(), back.dim());
        assertEquals(c.documents().size(), back.documents().size());
        for (int i = 0; i < c.documents().size(); i++) {
            assertEquals(c.documents().get(i).id(), back.documents().get(i).id());
            assertEquals(c.documents().get(i).split(), back.documents().get(i).split());
            assertArrayEquals(c.documents().get(i).sentences(), back.documents().get(i).sentences());
        }
        assertArrayEquals(c.normalizer().center(), back.normalizer().center());
        assertArrayEquals(c.normalizer().scale(), back.normalizer().scale());
        assertEquals("test", back.normalizer().method());
        Files.delete(tmp.resolve(ConceptStore.SUMMARY));
        assertMessage(() -> ConceptStore.read(tmp), "not a concept folder");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable run, String part) {
        UserInputException e = assertThrows(UserInputException.class, run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
