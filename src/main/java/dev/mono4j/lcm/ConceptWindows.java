package dev.mono4j.lcm;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training sequences of one split: each document's normalised sentences (the end-of-document concept last),
 * cut into windows of {@code context + 1} that overlap by one sentence, so every sentence after a document's first
 * is a Base-LCM target exactly once (our choice; theirs wraps sequences at {@code len_to_wrap_long_seq=128}).
 * Documents of one sentence give no window.
 */
final class ConceptWindows {
    private final List<float[][]> windows;
    private final int dim;

    ConceptWindows(ConceptCorpus corpus, ConceptCorpus.Split split, int context) {
        this.dim = corpus.dim();
        this.windows = new ArrayList<>();
        for (ConceptCorpus.Document doc : corpus.documents(split)) {
            int n = doc.sentences().length;
            float[][] seq = new float[n][];
            for (int i = 0; i < n; i++) {
                seq[i] = corpus.normalizer().normalize(corpus.embedding(doc.sentences()[i]));
            }
            for (int start = 0; start + 1 < n; start += context) {
                windows.add(java.util.Arrays.copyOfRange(seq, start, Math.min(n, start + context + 1)));
            }
        }
    }

    int size() {
        return windows.size();
    }

    /** Training batch of step {@code step}: {@code size} windows drawn uniformly, a pure function of (seed, step). */
    ConceptBatch batch(long seed, int step, int size) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        List<float[][]> picked = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            picked.add(windows.get(rng.nextInt(windows.size())));
        }
        return ConceptBatch.of(picked, dim);
    }

    /** All windows, in order, in batches of {@code size}. */
    List<ConceptBatch> all(int size) {
        List<ConceptBatch> out = new ArrayList<>();
        for (int i = 0; i < windows.size(); i += size) {
            out.add(ConceptBatch.of(windows.subList(i, Math.min(windows.size(), i + size)), dim));
        }
        return out;
    }
}
