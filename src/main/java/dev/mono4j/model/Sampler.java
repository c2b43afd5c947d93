package dev.mono4j.model;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Picks a token from next-token logits: greedy, or sampled with temperature, top-k and top-p. */
public final class Sampler {
    private Sampler() {
    }

    public static long sample(float[] logits, GenerationConfig cfg, SplittableRandom rng) {
        if (cfg.temperature() == 0) {
            return argMax(logits);
        }
        Integer[] order = IntStream.range(0, logits.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> -logits[i]));
        int keep = cfg.topK() > 0 ? Math.min(cfg.topK(), order.length) : order.length;
        double max = logits[order[0]] / cfg.temperature();
        double[] p = new double[keep];
        double total = 0;
        for (int r = 0; r < keep; r++) {
            p[r] = Math.exp(logits[order[r]] / cfg.temperature() - max);
            total += p[r];
        }
        if (cfg.topP() < 1) {
            // Smallest prefix of the sorted tokens whose probability reaches top-p (the top token always stays).
            double cum = 0;
            int n = 0;
            while (n < keep && cum < cfg.topP() * total) {
                cum += p[n++];
            }
            keep = n;
            total = cum;
        }
        double u = rng.nextDouble() * total;
        for (int r = 0; r < keep; r++) {
            u -= p[r];
            if (u < 0) {
                return order[r];
            }
        }
        return order[keep - 1];
    }

    static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
