package dev.mono4j.lcm;

import dev.mono4j.UserInputException;
import dev.mono4j.console.Progress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lcm eval}: every position of a document in the split after its first is a target (lcm.md §2), predicted
 * from the sentences before it (at most {@code maxContext}); predictions are scored in the normalised space (ℓ2,
 * contrastive accuracy, spread), decoded by {@link KnnDecoder} (R@1, R@5, ℓ2-r, label agreement) and compared with
 * the context in the encoder's space (PAR).
 */
public final class ConceptEval {
    /** Retrieval depth for R@5. */
    static final int K = 5;

    /**
     * One model's scores, means over targets.
     *
     * @param l2          ‖prediction − truth‖ in the normalised space
     * @param contrastive contrastive accuracy (0.5 chance)
     * @param retrievable share of targets whose true sentence is in the retrieval bank; R@k are over those
     * @param recall1     R@1: the top retrieved sentence is the true one
     * @param recall5     R@5
     * @param l2Retrieved ℓ2-r: ‖normalised retrieved embedding − truth‖, over all targets
     * @param paraphrase  PAR: max cosine of the (denormalised) prediction to the context's sentences
     * @param spread      {@link ConceptMetrics#spreadRatio} of predictions to truths
     * @param agreement   per label: the share of targets whose retrieved sentence has the true sentence's label,
     *                    over targets whose true sentence has one value of it (not {@link ConceptEmbedding#MIXED})
     */
    public record Scores(String model, int targets, double l2, double contrastive, double retrievable, double recall1,
            double recall5, double l2Retrieved, double paraphrase, double spread, Map<String, Double> agreement) {
    }

    private ConceptEval() {
    }

    /** Scores {@code model} on {@code corpus}'s {@code cfg.split()} documents. */
    public static Scores evaluate(ConceptModel model, ConceptCorpus corpus, KnnDecoder decoder, ConceptEvalConfig cfg) {
        List<ConceptCorpus.Document> docs = corpus.documents(cfg.split()).stream()
                .filter(d -> d.sentences().length > 1).toList();
        if (docs.isEmpty()) {
            throw new UserInputException("--split " + cfg.split().name().toLowerCase(java.util.Locale.ROOT)
                    + ": the concept folder has no documents there with two sentences or more");
        }
        Totals t = new Totals();
        List<float[]> allPredictions = new ArrayList<>();
        List<float[]> allTruths = new ArrayList<>();
        long targets = docs.stream().mapToLong(d -> d.sentences().length - 1).sum();
        Progress progress = new Progress("eval " + model.name(), targets, "targets");
        for (int start = 0, batch = 0; start < docs.size(); start += cfg.batchSize(), batch++) {
            List<ConceptCorpus.Document> part = docs.subList(start, Math.min(docs.size(), start + cfg.batchSize()));
            List<float[][]> contexts = new ArrayList<>();
            List<int[]> contextIds = new ArrayList<>();
            List<Integer> truthIds = new ArrayList<>();
            List<Integer> groups = new ArrayList<>();
            for (int g = 0; g < part.size(); g++) {
                int[] s = part.get(g).sentences();
                for (int pos = 1; pos < s.length; pos++) {
                    int[] ctx = Arrays.copyOfRange(s, Math.max(0, pos - cfg.maxContext()), pos);
                    contextIds.add(ctx);
                    contexts.add(Arrays.stream(ctx).mapToObj(i -> Baselines.normalized(corpus, i)).toArray(float[][]::new));
                    truthIds.add(s[pos]);
                    groups.add(g);
                }
            }
            float[][] predictions = model.predictNext(contexts, cfg.seed() + batch);
            if (predictions.length != contexts.size()) {
                throw new IllegalStateException(model.name() + " gave " + predictions.length + " predictions for "
                        + contexts.size() + " contexts");
            }
            float[][] truths = truthIds.stream().map(i -> Baselines.normalized(corpus, i)).toArray(float[][]::new);
            double[] ca = ConceptMetrics.contrastiveAccuracy(predictions, truths,
                    groups.stream().mapToInt(Integer::intValue).toArray());
            for (int i = 0; i < predictions.length; i++) {
                t.add(corpus, decoder, predictions[i], truths[i], truthIds.get(i), contextIds.get(i), ca[i]);
                allPredictions.add(predictions[i]);
                allTruths.add(truths[i]);
            }
            progress.step(predictions.length);
        }
        double spread = ConceptMetrics.spreadRatio(allPredictions.toArray(float[][]::new),
                allTruths.toArray(float[][]::new));
        return t.scores(model.name(), spread);
    }

    /** Running sums over targets. */
    private static final class Totals {
        int n;
        double l2;
        double ca;
        int caCount;
        int retrievable;
        int hits1;
        int hits5;
        double l2Retrieved;
        double paraphrase;
        final Map<String, int[]> agree = new LinkedHashMap<>(); // label → {agreeing, counted}

        void add(ConceptCorpus corpus, KnnDecoder decoder, float[] prediction, float[] truth, int truthId,
                int[] contextIds, double contrastive) {
            n++;
            l2 += ConceptMetrics.l2(prediction, truth);
            if (!Double.isNaN(contrastive)) {
                ca += contrastive;
                caCount++;
            }
            int[] retrieved = decoder.nearest(prediction, K);
            if (decoder.retrievable(truthId)) {
                retrievable++;
                hits1 += ConceptMetrics.hit(retrieved, truthId, 1) ? 1 : 0;
                hits5 += ConceptMetrics.hit(retrieved, truthId, K) ? 1 : 0;
            }
            l2Retrieved += ConceptMetrics.l2(Baselines.normalized(corpus, retrieved[0]), truth);
            float[][] context = Arrays.stream(contextIds).mapToObj(corpus::embedding).toArray(float[][]::new);
            paraphrase += ConceptMetrics.paraphrase(corpus.normalizer().denormalize(prediction), context);
            Map<String, String> want = corpus.labels().isEmpty() ? Map.of() : corpus.labels().get(truthId);
            Map<String, String> got = corpus.labels().isEmpty() ? Map.of() : corpus.labels().get(retrieved[0]);
            want.forEach((label, value) -> {
                if (!value.equals(ConceptEmbedding.MIXED)) {
                    int[] c = agree.computeIfAbsent(label, k -> new int[2]);
                    c[0] += value.equals(got.get(label)) ? 1 : 0;
                    c[1]++;
                }
            });
        }

        Scores scores(String model, double spread) {
            Map<String, Double> agreement = new LinkedHashMap<>();
            agree.forEach((label, c) -> agreement.put(label, (double) c[0] / c[1]));
            return new Scores(model, n, l2 / n, caCount == 0 ? Double.NaN : ca / caCount, (double) retrievable / n,
                    retrievable == 0 ? Double.NaN : (double) hits1 / retrievable,
                    retrievable == 0 ? Double.NaN : (double) hits5 / retrievable, l2Retrieved / n, paraphrase / n, spread,
                    agreement);
        }
    }
}
