package dev.mono4j.lcm;

import static dev.mono4j.lcm.ConceptModelsTest.corpus;
import static dev.mono4j.lcm.ConceptModelsTest.n;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code lcm generate} on ConceptModelsTest's hand-built corpus (A: s0 s1 s4, B: s2 s3 s4, C (test): s5 s1 s4). */
class ConceptGenerationTest {
    static LcmGenerateConfig.Builder config(String document) {
        return LcmGenerateConfig.builder(Path.of("unused"), "unused", document);
    }

    static List<Integer> retrieved(ConceptGeneration.Result r) {
        return r.steps().stream().map(ConceptGeneration.Step::sentence).toList();
    }

    @Test
    void copyLastRepeatsTheLastPromptSentence() {
        ConceptCorpus c = corpus();
        ConceptGeneration.Result r = ConceptGeneration.generate(Baselines.copyLast(), c, new KnnDecoder(c),
                config("A").maxSentences(3).build());
        assertArrayEquals(new int[] {0, 1}, r.prompt());
        // by hand: the context ends in s1, copy-last predicts s1, which retrieves itself (cosine 1) and is fed back
        assertEquals(List.of(1, 1, 1), retrieved(r));
        for (ConceptGeneration.Step s : r.steps()) {
            assertEquals("s1", s.text());
            assertEquals(1, s.cosine(), 1e-6);
        }
        assertArrayEquals(new int[] {4}, r.truth(), "the true continuation: the end sentence");
    }

    @Test
    void stopsAtTheEndSentence() {
        ConceptCorpus c = corpus();
        // nearest-context from s0 predicts s1; from s1 it predicts s1's successor s4, the end sentence: stop there
        ConceptGeneration.Result r = ConceptGeneration.generate(Baselines.nearestContext(c), c, new KnnDecoder(c),
                config("A").promptSentences(1).maxSentences(8).build());
        assertEquals(List.of(1, 4), retrieved(r));
        assertArrayEquals(new int[] {1, 4}, r.truth());
    }

    @Test
    void feedAppendsThePredictionOrTheRetrievedSentence() {
        ConceptCorpus c = corpus();
        // (0.9, 0.1) in the encoder's space is no bank sentence; its nearest is s0 (cosine 0.994)
        float[] between = ConceptModelsTest.NORM.normalize(new float[] {0.9f, 0.1f});
        for (LcmGenerateConfig.Feed feed : LcmGenerateConfig.Feed.values()) {
            List<float[][]> seen = new ArrayList<>();
            List<Long> seeds = new ArrayList<>();
            ConceptModel constant = new ConceptModel() {
                @Override
                public String name() {
                    return "constant";
                }

                @Override
                public float[][] predictNext(List<float[][]> contexts, long seed) {
                    seen.add(contexts.get(0));
                    seeds.add(seed);
                    return new float[][] {between.clone()};
                }
            };
            ConceptGeneration.Result r = ConceptGeneration.generate(constant, c, new KnnDecoder(c),
                    config("C").promptSentences(2).maxSentences(2).feed(feed).seed(7).build());
            assertEquals(List.of(0, 0), retrieved(r));
            assertEquals(0.9 / Math.sqrt(0.82), r.steps().get(0).cosine(), 1e-6);
            assertEquals(List.of(7L, 8L), seeds, "step k samples with seed + k");
            float[][] second = seen.get(1);
            assertEquals(3, second.length, "the prompt's two sentences and the first generated one");
            assertArrayEquals(n(5), second[0]);
            assertArrayEquals(feed == LcmGenerateConfig.Feed.PREDICTED ? between : n(0), second[2], 1e-6f);
        }
    }

    @Test
    void badInputIsOneLine() {
        ConceptCorpus c = corpus();
        UserInputException e = assertThrows(UserInputException.class, () -> ConceptGeneration.generate(
                Baselines.copyLast(), c, new KnnDecoder(c), config("Z").build()));
        assertTrue(e.getMessage().startsWith("--document Z"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> ConceptGeneration.generate(Baselines.copyLast(), c,
                new KnnDecoder(c), config("A").promptSentences(3).build()));
        assertTrue(e.getMessage().startsWith("--prompt-sentences 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config("A").maxSentences(0).build());
    }
}
