package dev.mono4j.lcm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Baselines, kNN decoding and evaluation on a hand-built corpus of six 2-d sentences. */
class ConceptModelsTest {
    // s0 (1,0)  s1 (0,1)  s2 (−1,0)  s3 (0,−1)  s4 (0.6,0.8) the end sentence  s5 (0.8,0.6) only in the test document
    static final float[] BANK = {1, 0, 0, 1, -1, 0, 0, -1, 0.6f, 0.8f, 0.8f, 0.6f};
    /** Shifts channel 0 by 1: a decoder that forgot to denormalise would retrieve the wrong sentences. */
    static final Normalizer NORM = new Normalizer("test", new float[] {1, 0}, new float[] {1, 1});

    static ConceptCorpus corpus() {
        List<Map<String, String>> labels = List.of(Map.of("domain", "b"), Map.of("domain", "a"), Map.of(), Map.of(),
                Map.of(), Map.of("domain", "a"));
        return new ConceptCorpus("test", 2, BANK, List.of("s0", "s1", "s2", "s3", "s4", "s5"), labels, List.of(
                new ConceptCorpus.Document("A", ConceptCorpus.Split.TRAIN, new int[] {0, 1, 4}),
                new ConceptCorpus.Document("B", ConceptCorpus.Split.TRAIN, new int[] {2, 3, 4}),
                new ConceptCorpus.Document("C", ConceptCorpus.Split.TEST, new int[] {5, 1, 4})), NORM);
    }

    static float[] n(int sentence) {
        return NORM.normalize(java.util.Arrays.copyOfRange(BANK, 2 * sentence, 2 * sentence + 2));
    }

    @Test
    void decoderDenormalisesAndRetrievesOnlyTrainingSentences() {
        KnnDecoder knn = new KnnDecoder(corpus());
        assertEquals(5, knn.size());
        assertFalse(knn.retrievable(5), "the test-only sentence is kept out");
        // cosines to s5 = (0.8, 0.6): s4 0.96, s0 0.8, s1 0.6; s5 itself is not a candidate
        assertArrayEquals(new int[] {4, 0, 1}, knn.nearest(n(5), 3));
        assertArrayEquals(new int[] {1}, knn.nearest(n(1), 1));
        // a longer vector in the same direction decodes the same (renormalised): 3·s2 in the encoder's space
        assertArrayEquals(new int[] {2}, knn.nearest(NORM.normalize(new float[] {-3, 0}), 1));
    }

    @Test
    void baselinesByHand() {
        ConceptCorpus c = corpus();
        List<float[][]> contexts = java.util.Collections.singletonList(new float[][] {n(0), n(5)});
        assertArrayEquals(n(5), Baselines.copyLast().predictNext(contexts, 1)[0]);
        // training targets (positions after the first): s1, s4, s3, s4 → mean (0.3, 0.4) in the encoder's space
        assertArrayEquals(NORM.normalize(new float[] {0.3f, 0.4f}), Baselines.mean(c).predictNext(contexts, 1)[0], 1e-6f);
        // training (previous → next): s0→s1, s1→s4, s2→s3, s3→s4. The last context sentence s5 is nearest to s0
        // (distance 0.632; s1 0.894), so the prediction is s0's successor s1.
        assertArrayEquals(n(1), Baselines.nearestContext(c).predictNext(contexts, 1)[0]);
        // from s3 itself: its successor s4
        assertArrayEquals(n(4), Baselines.nearestContext(c)
                .predictNext(java.util.Collections.singletonList(new float[][] {n(3)}), 1)[0]);
    }

    @Test
    void evaluationOfCopyLastByHand() {
        ConceptCorpus c = corpus();
        ConceptEvalConfig cfg = ConceptEvalConfig.builder(Path.of("."), List.of("copy-last"))
                .maxContext(10).batchSize(2).build();
        ConceptEval.Scores s = ConceptEval.evaluate(Baselines.copyLast(), c, new KnnDecoder(c), cfg);
        // document C = s5, s1, s4: targets s1 (context s5) and s4 (context s5, s1); copy-last predicts s5 and s1
        assertEquals(2, s.targets());
        assertEquals((Math.sqrt(0.8) + Math.sqrt(0.4)) / 2, s.l2(), 1e-6);
        // retrieved: s4 for s5 (truth s1: miss), s1 for s1 (truth s4: miss); both truths are within the top 5
        assertEquals(1, s.retrievable());
        assertEquals(0, s.recall1());
        assertEquals(1, s.recall5());
        assertEquals(Math.sqrt(0.4), s.l2Retrieved(), 1e-6);
        assertEquals(1, s.paraphrase(), 1e-6, "copying the context is a paraphrase rate of 1");
        // truth s1 has domain a, the retrieved s4 none: 0 of 1; truth s4 has no domain and is not counted
        assertEquals(Map.of("domain", 0.0), s.agreement());
        assertTrue(Double.isNaN(s.contrastive()), "one document: no distractors");
    }

    @Test
    void registryOpensBaselinesAndRefusesUnknownNames() {
        assertEquals("mean", ConceptModels.open("mean", corpus()).name());
        UserInputException e = assertThrows(UserInputException.class, () -> ConceptModels.open("nope", corpus()));
        assertTrue(e.getMessage().contains("neither a baseline"), e.getMessage());
    }
}
