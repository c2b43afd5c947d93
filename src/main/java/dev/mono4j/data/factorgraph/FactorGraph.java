package dev.mono4j.data.factorgraph;

import dev.mono4j.data.Shuffle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A random sparse Bayesian network (a directed factor graph) over V discrete variables with K values each: the
 * data of the consciousness-prior experiment (workspace.md §5: "12 variables × 6 values from a random DAG (≤ 2
 * parents per node, Dirichlet(0.3) conditional tables)"). Immutable.
 *
 * <p>Structure (our choices, which §5 leaves open): a uniformly random topological order; the variable at rank r
 * gets a number of parents uniform on {0, …, min(P, r)}, drawn uniformly from the variables ranked before it, so
 * the first is always a root and about a third of the rest are too (at P = 2). Each parent configuration has its
 * own conditional table p(x_v | pa_v), a Dirichlet(α) draw ({@link Dirichlet}), drawn in variable order.
 *
 * <p>Parent configuration index: the parents' values in ascending variable order as a base-K number, the first
 * parent the most significant digit; a root has one configuration, 0.
 *
 * <p>The exact conditional of one variable given all the others (workspace.md §5; Pearl, "Probabilistic Reasoning
 * in Intelligent Systems", 1988, §3.3: a node is independent of the rest given its Markov blanket) is
 * p(x_i | x_−i) ∝ p(x_i | pa_i) Π_{c ∈ ch(i)} p(x_c | pa_c): every other factor of the joint does not involve x_i.
 */
public final class FactorGraph {
    private final int values;
    private final int[][] parents;
    private final int[][] children;
    private final double[][][] tables;
    private final int[] order;

    FactorGraph(int values, int[][] parents, double[][][] tables, int[] order) {
        this.values = values;
        this.parents = parents;
        this.tables = tables;
        this.order = order;
        List<List<Integer>> kids = new ArrayList<>();
        for (int v = 0; v < parents.length; v++) {
            kids.add(new ArrayList<>());
        }
        for (int v = 0; v < parents.length; v++) {
            for (int p : parents[v]) {
                kids.get(p).add(v);
            }
        }
        this.children = kids.stream().map(k -> k.stream().mapToInt(Integer::intValue).sorted().toArray()).toArray(int[][]::new);
    }

    /** A random graph and its tables (see the class comment); the same generator state gives the same graph. */
    public static FactorGraph random(int variables, int values, int maxParents, double alpha, SplittableRandom rng) {
        int[] order = Shuffle.permutation(variables, rng);
        int[][] parents = new int[variables][];
        for (int rank = 0; rank < variables; rank++) {
            int count = rng.nextInt(Math.min(maxParents, rank) + 1);
            int[] earlier = Arrays.copyOf(order, rank);
            Shuffle.inPlace(earlier, rng);
            int[] chosen = Arrays.copyOf(earlier, count);
            Arrays.sort(chosen);
            parents[order[rank]] = chosen;
        }
        double[][][] tables = new double[variables][][];
        for (int v = 0; v < variables; v++) {
            tables[v] = drawTables(configurations(values, parents[v].length), values, alpha, rng);
        }
        return new FactorGraph(values, parents, tables, order);
    }

    /**
     * The same graph with every root's marginal p(x_r) re-drawn from Dirichlet(α): the out-of-distribution split
     * (workspace.md §5, "resample the root variables' marginals"). Every other table is the same object, so every
     * non-root variable's exact conditional is unchanged: its own table and its children's are non-root tables.
     */
    public FactorGraph withRedrawnRoots(double alpha, SplittableRandom rng) {
        double[][][] redrawn = tables.clone();
        for (int r : roots()) {
            redrawn[r] = drawTables(1, values, alpha, rng);
        }
        return new FactorGraph(values, parents, redrawn, order);
    }

    public int variables() {
        return parents.length;
    }

    public int values() {
        return values;
    }

    /** The topological order ancestral sampling follows. */
    public int[] order() {
        return order.clone();
    }

    /** Parents of v, ascending. */
    public int[] parents(int v) {
        return parents[v].clone();
    }

    /** Children of v, ascending. */
    public int[] children(int v) {
        return children[v].clone();
    }

    public boolean isRoot(int v) {
        return parents[v].length == 0;
    }

    /** The variables without parents, ascending. */
    public int[] roots() {
        return java.util.stream.IntStream.range(0, variables()).filter(this::isRoot).toArray();
    }

    /** Parents, children and the children's other parents of v, ascending (Pearl 1988, §3.3). */
    public int[] markovBlanket(int v) {
        TreeSet<Integer> mb = new TreeSet<>();
        for (int p : parents[v]) {
            mb.add(p);
        }
        for (int c : children[v]) {
            mb.add(c);
            for (int p : parents[c]) {
                mb.add(p);
            }
        }
        mb.remove(v);
        return mb.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Number of parent configurations of v: K^|pa(v)|. */
    public int configurations(int v) {
        return tables[v].length;
    }

    /** p(x_v = · | parent configuration {@code configuration}): a copy of K probabilities. */
    public double[] table(int v, int configuration) {
        return tables[v][configuration].clone();
    }

    /** The configuration index of v's parents in the full assignment x (see the class comment). */
    public int configuration(int v, int[] x) {
        int index = 0;
        for (int p : parents[v]) {
            index = index * values + x[p];
        }
        return index;
    }

    /** One ancestral sample: each variable drawn from its table given its parents, in topological order. */
    public int[] sample(SplittableRandom rng) {
        int[] x = new int[variables()];
        for (int v : order) {
            x[v] = categorical(tables[v][configuration(v, x)], rng);
        }
        return x;
    }

    /**
     * The exact p(x_i = · | x_−i) over the K values (class comment), computed in log space so that products of
     * small table entries do not underflow. {@code x[i]} itself is ignored.
     */
    public double[] conditional(int i, int[] x) {
        int[] y = x.clone();
        double[] logP = new double[values];
        for (int value = 0; value < values; value++) {
            y[i] = value;
            double s = Math.log(tables[i][configuration(i, y)][value]);
            for (int c : children[i]) {
                s += Math.log(tables[c][configuration(c, y)][y[c]]);
            }
            logP[value] = s;
        }
        double max = Arrays.stream(logP).max().orElseThrow();
        double sum = 0;
        double[] p = new double[values];
        for (int value = 0; value < values; value++) {
            p[value] = Math.exp(logP[value] - max);
            sum += p[value];
        }
        for (int value = 0; value < values; value++) {
            p[value] /= sum;
        }
        return p;
    }

    private static double[][] drawTables(int configurations, int values, double alpha, SplittableRandom rng) {
        double[][] t = new double[configurations][];
        for (int c = 0; c < configurations; c++) {
            t[c] = Dirichlet.symmetric(values, alpha, rng);
        }
        return t;
    }

    private static int configurations(int values, int parentCount) {
        return Math.toIntExact(Math.round(Math.pow(values, parentCount)));
    }

    /** Inverse-CDF draw; rounding past the last cumulative sum falls to the last value with positive probability. */
    static int categorical(double[] p, SplittableRandom rng) {
        double u = rng.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                cumulative += p[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last;
    }
}
