package dev.mono4j.lcm;

import dev.mono4j.UserInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code lcm generate}: continues a document sentence by sentence. Each step predicts the next concept from the
 * context, decodes it by retrieval ({@link KnnDecoder}) and appends to the context what {@link LcmGenerateConfig.Feed}
 * says. Generation stops after {@code maxSentences} or when the retrieved sentence is the end-of-document sentence:
 * our stand-in for the authors' stop on cosine similarity to an EOS vector (/work/shared/papers/lcm.md §4
 * "Inference"), since our end of document is a sentence of the bank ("End of text.", docs/lcm.md).
 */
public final class ConceptGeneration {

    /** One generated sentence: the retrieved bank sentence and its cosine to the (denormalised) prediction. */
    public record Step(int sentence, String text, double cosine) {
    }

    /**
     * A continuation next to the document's own.
     *
     * @param prompt the prompt's sentences (bank indices)
     * @param steps  the generated sentences, in order
     * @param truth  the document's true continuation after the prompt (bank indices), its end sentence included
     */
    public record Result(ConceptCorpus.Document document, String model, int[] prompt, List<Step> steps, int[] truth) {
    }

    private ConceptGeneration() {
    }

    /** The document {@code id} of {@code corpus}, or a one-line error naming {@code --document}. */
    public static ConceptCorpus.Document document(ConceptCorpus corpus, String id) {
        return corpus.documents().stream().filter(d -> d.id().equals(id)).findFirst()
                .orElseThrow(() -> new UserInputException("--document " + id + ": no such document in the concept folder"));
    }

    /** Continues {@code cfg.document()} with {@code model}; step k uses seed {@code cfg.seed() + k}. */
    public static Result generate(ConceptModel model, ConceptCorpus corpus, KnnDecoder decoder, LcmGenerateConfig cfg) {
        ConceptCorpus.Document doc = document(corpus, cfg.document());
        int[] sentences = doc.sentences();
        // the end sentence is the last one; a prompt must leave at least it to predict
        if (cfg.promptSentences() >= sentences.length) {
            throw new UserInputException("--prompt-sentences " + cfg.promptSentences() + ": document " + doc.id()
                    + " has " + (sentences.length - 1) + " sentences before its end sentence");
        }
        int[] prompt = Arrays.copyOf(sentences, cfg.promptSentences());
        int end = sentences[sentences.length - 1];
        List<float[]> context = new ArrayList<>();
        for (int s : prompt) {
            context.add(Baselines.normalized(corpus, s));
        }
        List<Step> steps = new ArrayList<>();
        for (int k = 0; k < cfg.maxSentences(); k++) {
            float[] prediction = model.predictNext(List.<float[][]>of(context.toArray(float[][]::new)), cfg.seed() + k)[0];
            int retrieved = decoder.nearest(prediction, 1)[0];
            steps.add(new Step(retrieved, corpus.sentences().get(retrieved), decoder.cosine(prediction, retrieved)));
            if (retrieved == end) {
                break;
            }
            context.add(cfg.feed() == LcmGenerateConfig.Feed.PREDICTED ? prediction
                    : Baselines.normalized(corpus, retrieved));
        }
        return new Result(doc, model.name(), prompt, steps, Arrays.copyOfRange(sentences, prompt.length, sentences.length));
    }
}
