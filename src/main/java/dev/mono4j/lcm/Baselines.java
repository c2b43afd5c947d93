package dev.mono4j.lcm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baselines (issue 21: "copy the last sentence, the training mean, and the next sentence of the nearest
 * training context"; /work/shared/papers/lcm.md §7), as {@link ConceptModel}s in the normalised space. A training
 * target is every position of a training document after its first (lcm.md §2: the first is never a target).
 */
public final class Baselines {
    private Baselines() {
    }

    /** Predicts the last context sentence again. */
    public static ConceptModel copyLast() {
        return new ConceptModel() {
            @Override
            public String name() {
                return "copy-last";
            }

            @Override
            public float[][] predictNext(List<float[][]> contexts, long seed) {
                return contexts.stream().map(c -> c[c.length - 1].clone()).toArray(float[][]::new);
            }
        };
    }

    /** Predicts the mean of the normalised training targets: the constant with the least squared error on them. */
    public static ConceptModel mean(ConceptCorpus corpus) {
        double[] sum = new double[corpus.dim()];
        long n = 0;
        for (ConceptCorpus.Document d : corpus.documents(ConceptCorpus.Split.TRAIN)) {
            for (int t = 1; t < d.sentences().length; t++) {
                float[] v = normalized(corpus, d.sentences()[t]);
                for (int c = 0; c < v.length; c++) {
                    sum[c] += v[c];
                }
                n++;
            }
        }
        float[] mean = new float[corpus.dim()];
        for (int c = 0; c < mean.length; c++) {
            mean[c] = (float) (sum[c] / Math.max(1, n));
        }
        return new ConceptModel() {
            @Override
            public String name() {
                return "mean";
            }

            @Override
            public float[][] predictNext(List<float[][]> contexts, long seed) {
                return contexts.stream().map(c -> mean.clone()).toArray(float[][]::new);
            }
        };
    }

    /**
     * The next sentence of the nearest training context: among the training targets, the one whose preceding
     * sentence is nearest (ℓ2, normalised space) to the context's last sentence; when several training positions
     * share that preceding sentence, the first in corpus order (our choice, deterministic).
     */
    public static ConceptModel nearestContext(ConceptCorpus corpus) {
        Map<Integer, Integer> nextOf = new LinkedHashMap<>(); // preceding sentence → its first training successor
        for (ConceptCorpus.Document d : corpus.documents(ConceptCorpus.Split.TRAIN)) {
            for (int t = 1; t < d.sentences().length; t++) {
                nextOf.putIfAbsent(d.sentences()[t - 1], d.sentences()[t]);
            }
        }
        float[][] keys = nextOf.keySet().stream().map(i -> normalized(corpus, i)).toArray(float[][]::new);
        float[][] values = nextOf.values().stream().map(i -> normalized(corpus, i)).toArray(float[][]::new);
        return new ConceptModel() {
            @Override
            public String name() {
                return "nearest-context";
            }

            @Override
            public float[][] predictNext(List<float[][]> contexts, long seed) {
                float[][] out = new float[contexts.size()][];
                for (int b = 0; b < out.length; b++) {
                    float[] last = contexts.get(b)[contexts.get(b).length - 1];
                    int best = 0;
                    double bestDistance = Double.POSITIVE_INFINITY;
                    for (int k = 0; k < keys.length; k++) {
                        double d = ConceptMetrics.l2(last, keys[k]);
                        if (d < bestDistance) {
                            bestDistance = d;
                            best = k;
                        }
                    }
                    out[b] = values[best].clone();
                }
                return out;
            }
        };
    }

    /** Bank sentence {@code i}'s embedding in the normalised space. */
    static float[] normalized(ConceptCorpus corpus, int i) {
        return corpus.normalizer().normalize(corpus.embedding(i));
    }
}
