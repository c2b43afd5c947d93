package dev.mono4j.data.factorgraph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The graph against independent plain-Java computations: the exact conditional against the joint enumerated
 * cell by cell, the Markov blanket of a hand graph, ancestral samples against the joint (chi-square, fixed seed),
 * Gamma and Dirichlet moments, and the OOD split's promise that non-root conditionals do not change.
 */
class FactorGraphTest {
    /**
     * A hand graph: 0 → 2 ← 1, 2 → 3 ← 0, and 4 alone. Blankets by hand: MB(0) = {1, 2, 3} (children 2, 3; 2's other
     * parent 1, 3's other parent 2), MB(1) = {0, 2}, MB(2) = {0, 1, 3}, MB(3) = {0, 2}, MB(4) = {}.
     */
    static FactorGraph handGraph(int values, double alpha, long seed) {
        int[][] parents = {{}, {}, {0, 1}, {0, 2}, {}};
        SplittableRandom rng = new SplittableRandom(seed);
        double[][][] tables = new double[parents.length][][];
        for (int v = 0; v < parents.length; v++) {
            tables[v] = new double[(int) Math.pow(values, parents[v].length)][];
            for (int c = 0; c < tables[v].length; c++) {
                tables[v][c] = Dirichlet.symmetric(values, alpha, rng);
            }
        }
        return new FactorGraph(values, parents, tables, new int[] {1, 0, 4, 2, 3});
    }

    @Test
    void markovBlanketOfTheHandGraph() {
        FactorGraph g = handGraph(2, 1, 1);
        assertArrayEquals(new int[] {1, 2, 3}, g.markovBlanket(0));
        assertArrayEquals(new int[] {0, 2}, g.markovBlanket(1));
        assertArrayEquals(new int[] {0, 1, 3}, g.markovBlanket(2));
        assertArrayEquals(new int[] {0, 2}, g.markovBlanket(3));
        assertArrayEquals(new int[] {}, g.markovBlanket(4));
        assertArrayEquals(new int[] {2, 3}, g.children(0));
        assertArrayEquals(new int[] {0, 1, 4}, g.roots());
    }

    @Test
    void exactConditionalEqualsTheEnumeratedJointOnAHandGraphAndARandomOne() {
        assertConditionalsMatchJoint(handGraph(3, 0.5, 7));
        FactorGraph random = FactorGraph.random(5, 3, 2, 0.3, new SplittableRandom(11));
        assertTrue(Arrays.stream(random.roots()).count() < 5, "the random graph has edges");
        assertConditionalsMatchJoint(random);
    }

    /** p(x_i = k | x_−i) = p(x with x_i = k) / Σ_k' p(x with x_i = k') over every full assignment and every i. */
    private static void assertConditionalsMatchJoint(FactorGraph g) {
        int n = g.variables();
        int k = g.values();
        for (int cell = 0; cell < Math.pow(k, n); cell++) {
            int[] x = assignment(cell, n, k);
            for (int i = 0; i < n; i++) {
                double[] joint = new double[k];
                double sum = 0;
                for (int value = 0; value < k; value++) {
                    int[] y = x.clone();
                    y[i] = value;
                    joint[value] = joint(g, y);
                    sum += joint[value];
                }
                double[] exact = g.conditional(i, x);
                for (int value = 0; value < k; value++) {
                    assertEquals(joint[value] / sum, exact[value], 1e-12, "cell " + cell + ", variable " + i);
                }
            }
        }
    }

    /** Π_v p(x_v | pa_v), the configuration index computed here as the documented base-K number. */
    static double joint(FactorGraph g, int[] x) {
        double p = 1;
        for (int v = 0; v < g.variables(); v++) {
            int configuration = 0;
            for (int parent : g.parents(v)) {
                configuration = configuration * g.values() + x[parent];
            }
            p *= g.table(v, configuration)[x[v]];
        }
        return p;
    }

    static int[] assignment(int cell, int n, int k) {
        int[] x = new int[n];
        for (int v = n - 1; v >= 0; v--) {
            x[v] = cell % k;
            cell /= k;
        }
        return x;
    }

    @Test
    void ancestralSamplesFollowTheJoint() {
        FactorGraph g = FactorGraph.random(4, 2, 2, 1.0, new SplittableRandom(3));
        int cells = 16;
        int n = 200_000;
        long[] counts = new long[cells];
        SplittableRandom rng = new SplittableRandom(5);
        for (int s = 0; s < n; s++) {
            int[] x = g.sample(rng);
            int cell = 0;
            for (int v : x) {
                cell = cell * 2 + v;
            }
            counts[cell]++;
        }
        double chi2 = 0;
        double total = 0;
        for (int cell = 0; cell < cells; cell++) {
            double expected = n * joint(g, assignment(cell, 4, 2));
            total += expected;
            if (expected > 0) {
                chi2 += (counts[cell] - expected) * (counts[cell] - expected) / expected;
            }
        }
        assertEquals(n, total, 1e-6, "the joint sums to 1");
        // 15 degrees of freedom: P(chi2 > 37.7) = 0.001. The seed is fixed, so the test is deterministic.
        assertTrue(chi2 < 37.7, "chi-square " + chi2);
    }

    @Test
    void gammaAndDirichletMoments() {
        SplittableRandom rng = new SplittableRandom(9);
        for (double shape : new double[] {0.3, 2.5}) {
            int n = 100_000;
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < n; i++) {
                double g = Dirichlet.gamma(shape, rng);
                assertTrue(g > 0);
                sum += g;
                sumSq += g * g;
            }
            double mean = sum / n;
            double var = sumSq / n - mean * mean;
            // Gamma(a, 1): mean a, variance a; 5 standard errors of the mean, and 5% on the variance.
            assertEquals(shape, mean, 5 * Math.sqrt(shape / n), "mean of Gamma(" + shape + ")");
            assertEquals(shape, var, 0.05 * shape, "variance of Gamma(" + shape + ")");
        }
        double[] mean = new double[4];
        for (int i = 0; i < 20_000; i++) {
            double[] p = Dirichlet.symmetric(4, 0.3, rng);
            assertEquals(1, Arrays.stream(p).sum(), 1e-12);
            for (int k = 0; k < 4; k++) {
                mean[k] += p[k] / 20_000;
            }
        }
        for (double m : mean) {
            assertEquals(0.25, m, 0.01, "a symmetric Dirichlet's mean is 1/K");
        }
    }

    @Test
    void randomGraphRespectsTheConfig() {
        FactorGraphWriter.Data d = FactorGraphWriter.generate(FactorGraphConfig.builder().samples(300).valid(50).ood(40).build());
        FactorGraph g = d.graph();
        assertEquals(12, g.variables());
        int[] rank = new int[g.variables()];
        int[] order = g.order();
        for (int r = 0; r < order.length; r++) {
            rank[order[r]] = r;
        }
        for (int v = 0; v < g.variables(); v++) {
            assertTrue(g.parents(v).length <= 2);
            for (int p : g.parents(v)) {
                assertTrue(rank[p] < rank[v], "parents come first in the topological order");
            }
        }
        assertTrue(g.isRoot(order[0]));
        assertEquals(List.of(300, 50, 40), List.of(d.train().size(), d.valid().size(), d.ood().size()));
        // Same config, same data; another seed, another graph.
        assertEquals(d.train().get(7).line(), FactorGraphWriter.generate(FactorGraphConfig.builder().samples(300).valid(50)
                .ood(40).build()).train().get(7).line());
        assertFalse(Arrays.equals(g.order(),
                FactorGraphWriter.generate(FactorGraphConfig.builder().samples(1).seed(2).build()).graph().order()));
    }

    @Test
    void oodRedrawsRootMarginalsAndLeavesEveryNonRootConditionalUnchanged() {
        FactorGraphWriter.Data d = FactorGraphWriter.generate(FactorGraphConfig.builder().samples(10).valid(10).ood(2000).build());
        FactorGraph g = d.graph();
        FactorGraph ood = d.oodGraph();
        assertArrayEquals(g.roots(), ood.roots());
        for (int v = 0; v < g.variables(); v++) {
            assertArrayEquals(g.parents(v), ood.parents(v));
            for (int c = 0; c < g.configurations(v); c++) {
                if (g.isRoot(v)) {
                    assertFalse(Arrays.equals(g.table(v, c), ood.table(v, c)), "root " + v + " re-drawn");
                } else {
                    assertArrayEquals(g.table(v, c), ood.table(v, c), "non-root " + v + " unchanged, bit for bit");
                }
            }
        }
        int rootLines = 0;
        int changedRootConditionals = 0;
        for (FactorGraphSample s : d.ood()) {
            double[] before = g.conditional(s.masked(), s.values());
            assertArrayEquals(ood.conditional(s.masked(), s.values()), s.conditional());
            if (s.root()) {
                rootLines++;
                changedRootConditionals += Arrays.equals(before, s.conditional()) ? 0 : 1;
            } else {
                assertArrayEquals(before, s.conditional(), "a non-root's exact conditional is the in-distribution one");
            }
        }
        assertTrue(rootLines > 0 && rootLines < d.ood().size(), rootLines + " root lines");
        assertEquals(rootLines, changedRootConditionals, "every root's conditional moves");
    }
}
