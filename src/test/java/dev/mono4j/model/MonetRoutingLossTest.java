package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Monet's uniformity and ambiguity losses ([P] Eq. 16–18) against plain double arithmetic. */
class MonetRoutingLossTest {
    private static final int B = 2;
    private static final int T = 3;
    private static final int H = 2;
    private static final int E = 4;
    /** Row 0 is real; row 1 has one real token, then two of padding. */
    private static final long[] MASK = {1, 1, 1, 1, 0, 0};

    /**
     * Four layers, a router every two: layers 0 and 2 route. Each real token selects a random set of experts per
     * head and side with softmax probabilities over it (0 elsewhere, as the threshold leaves them); padding puts
     * all its mass on one expert, which would move every number if it counted. Expert 3 of head 0, side 1 of
     * layer 0 is selected by no real token, so its ĝ is 0 and the floor applies.
     */
    @Test
    void lossesAndCountsMatchDoubleArithmeticAndIgnorePadding() {
        ModelConfig c = MonetFamily.config(20, 8, 4, 2, 2, 16, true,
                new MonetSettings(2, H, E, 1, 2, MonetSettings.Decomposition.VERTICAL));
        MonetRoutingLoss loss = new MonetRoutingLoss(c);
        assertEquals(List.of(HookPoint.moeRoute(0, 1), HookPoint.moeRoute(0, 2), HookPoint.moeRoute(2, 1),
                HookPoint.moeRoute(2, 2)), loss.hooks());
        SplittableRandom rng = new SplittableRandom(11);
        double[][][][][] g = new double[4][][][][]; // [layer 0 side 1, 0/2, 2/1, 2/2][b][t][h][i]
        for (int k = 0; k < 4; k++) {
            g[k] = routing(rng, k == 0);
        }
        TokenBatch batch = new TokenBatch(B, T, new long[B * T], MASK);
        try (NDManager m = NDManager.newBaseManager()) {
            Hooks hooks = Hooks.capture(String.join(",", loss.hooks()));
            for (int k = 0; k < 4; k++) {
                hooks.apply(loss.hooks().get(k), m.create(flat(g[k]), new Shape(B, T, H, E)));
            }
            AuxiliaryLoss.Value v = loss.compute(hooks, batch);

            double unif = 0;
            double amb = 0;
            double routes = 0;
            double experts = 0;
            double count = 4; // real tokens
            for (int layer = 0; layer < 2; layer++) {
                for (int side = 0; side < 2; side++) {
                    double[][][][] gs = g[2 * layer + side];
                    for (int h = 0; h < H; h++) {
                        for (int i = 0; i < E; i++) {
                            double mean = 0;
                            for (int b = 0; b < B; b++) {
                                for (int t = 0; t < T; t++) {
                                    mean += MASK[b * T + t] * gs[b][t][h][i] / count;
                                }
                            }
                            unif -= Math.log(Math.max(mean, MonetRoutingLoss.FLOOR)) / (2.0 * H * E);
                        }
                    }
                }
                for (int b = 0; b < B; b++) {
                    for (int t = 0; t < T; t++) {
                        if (MASK[b * T + t] == 0) {
                            continue;
                        }
                        for (int h = 0; h < H; h++) {
                            int[] on = new int[2];
                            for (int side = 0; side < 2; side++) {
                                double[] row = g[2 * layer + side][b][t][h];
                                double max = 0;
                                for (double p : row) {
                                    max = Math.max(max, p);
                                    on[side] += p > 0 ? 1 : 0;
                                }
                                amb += (1 - max) / (2.0 * H) / count;
                                routes += on[side] / (2.0 * H) / count;
                            }
                            experts += (double) on[0] * on[1] / H / count;
                        }
                    }
                }
            }
            unif /= 2; // the mean over the two router layers
            amb /= 2;
            routes /= 2;
            experts /= 2;
            assertEquals(unif, v.metrics().get("l_unif"), 1e-5 * unif);
            assertEquals(amb, v.metrics().get("l_amb"), 1e-6);
            assertEquals(routes, v.metrics().get("active_routes"), 1e-6);
            assertEquals(experts, v.metrics().get("active_experts"), 1e-6);
            assertEquals(unif + amb, v.loss().getFloat(), 1e-5 * unif);
            assertEquals(List.of("l_unif", "l_amb", "active_routes", "active_experts"), List.copyOf(v.metrics().keySet()));
        }
    }

    /** One side's probabilities {@code [B][T][H][E]}; {@code unusedExpert}: no real token of head 0 selects expert 3. */
    private static double[][][][] routing(SplittableRandom rng, boolean unusedExpert) {
        double[][][][] g = new double[B][T][H][E];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int h = 0; h < H; h++) {
                    if (MASK[b * T + t] == 0) {
                        g[b][t][h][3] = 1; // padding: one-hot on an expert
                        continue;
                    }
                    double sum = 0;
                    double[] w = new double[E];
                    for (int i = 0; i < E; i++) {
                        boolean selected = rng.nextInt(3) > 0 && !(unusedExpert && h == 0 && i == 3);
                        w[i] = selected ? Math.exp(2 * rng.nextDouble()) : 0;
                        sum += w[i];
                    }
                    if (sum == 0) { // at least one expert is always on (the threshold is at most the maximum)
                        w[0] = 1;
                        sum = 1;
                    }
                    for (int i = 0; i < E; i++) {
                        g[b][t][h][i] = (float) (w[i] / sum); // as the model's F32 tensor holds it
                    }
                }
            }
        }
        return g;
    }

    private static float[] flat(double[][][][] g) {
        float[] out = new float[B * T * H * E];
        int k = 0;
        for (double[][][] bt : g) {
            for (double[][] th : bt) {
                for (double[] hi : th) {
                    for (double p : hi) {
                        out[k++] = (float) p;
                    }
                }
            }
        }
        return out;
    }
}
