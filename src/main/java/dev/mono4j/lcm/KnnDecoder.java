package dev.mono4j.lcm;

import dev.mono4j.model.SentenceEmbeddings;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Decoding without a decoder: the bank sentences nearest to a prediction by cosine similarity. The prediction is
 * denormalised into the encoder's space and renormalised to unit length, as the bank's embeddings are (both pulled
 * encoders give unit-norm sentence embeddings; /work/shared/papers/lcm.md §8 "renormalise predictions before kNN").
 * Only sentences of the training documents can be retrieved: a test sentence in the bank would be found by its own
 * embedding (lcm.md §8). Templated duplicates (the same sentence in many stories) make R@1 easier than on free text.
 */
public final class KnnDecoder {
    private final ConceptCorpus corpus;
    /** Bank indices that may be retrieved, ascending. */
    private final int[] candidates;
    /** Their unit-norm embeddings, row-major. */
    private final float[] unit;

    /** Retrieves among the sentences of {@code corpus}'s training documents. */
    public KnnDecoder(ConceptCorpus corpus) {
        this.corpus = corpus;
        BitSet inTrain = new BitSet(corpus.sentences().size());
        for (ConceptCorpus.Document d : corpus.documents(ConceptCorpus.Split.TRAIN)) {
            for (int s : d.sentences()) {
                inTrain.set(s);
            }
        }
        this.candidates = inTrain.stream().toArray();
        int dim = corpus.dim();
        this.unit = new float[candidates.length * dim];
        for (int c = 0; c < candidates.length; c++) {
            float[] v = unitLength(corpus.embedding(candidates[c]));
            System.arraycopy(v, 0, unit, c * dim, dim);
        }
    }

    /** Whether bank sentence {@code i} can be retrieved. */
    public boolean retrievable(int i) {
        return Arrays.binarySearch(candidates, i) >= 0;
    }

    /** How many sentences can be retrieved. */
    public int size() {
        return candidates.length;
    }

    /**
     * The bank indices of the {@code k} retrievable sentences most similar to {@code prediction} (normalised), most
     * similar first; ties go to the lower bank index.
     */
    public int[] nearest(float[] prediction, int k) {
        float[] q = unitLength(corpus.normalizer().denormalize(prediction));
        int dim = corpus.dim();
        int m = Math.min(k, candidates.length);
        int[] best = new int[m];
        double[] bestSim = new double[m];
        Arrays.fill(bestSim, Double.NEGATIVE_INFINITY);
        for (int c = 0; c < candidates.length; c++) {
            double sim = 0;
            for (int j = 0; j < dim; j++) {
                sim += (double) q[j] * unit[c * dim + j];
            }
            // insertion into the sorted top m; strictly greater, so an equal later candidate stays behind
            int pos = m;
            while (pos > 0 && sim > bestSim[pos - 1]) {
                pos--;
            }
            if (pos < m) {
                System.arraycopy(best, pos, best, pos + 1, m - pos - 1);
                System.arraycopy(bestSim, pos, bestSim, pos + 1, m - pos - 1);
                best[pos] = candidates[c];
                bestSim[pos] = sim;
            }
        }
        return best;
    }

    /** The cosine of {@code prediction} (normalised; denormalised here, as {@link #nearest}) to bank sentence {@code i}. */
    public double cosine(float[] prediction, int i) {
        return SentenceEmbeddings.cosine(corpus.normalizer().denormalize(prediction), corpus.embedding(i));
    }

    /** {@code v} scaled to unit L2 norm (a zero vector stays zero). */
    static float[] unitLength(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        double norm = Math.sqrt(n);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = norm > 0 ? (float) (v[i] / norm) : 0f;
        }
        return out;
    }
}
