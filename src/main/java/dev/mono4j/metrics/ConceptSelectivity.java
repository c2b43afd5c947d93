package dev.mono4j.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Concept selectivity: for each neuron and each concept, the AUROC of the neuron's activation for units
 * (tokens or texts) of that concept against all other units, unlabelled ones included. A neuron is
 * monosemantic when exactly one concept reaches the threshold (default 0.9), polysemantic when several
 * do. AUROC is the probability that a random concept unit activates the neuron more than a random other
 * unit (ties count one half), so a neuron that fires less for a concept scores below 0.5.
 *
 * <p>Streams in constant memory with one histogram per neuron and concept over fixed bins: sign, binary
 * exponent and the top two mantissa bits of the activation, i.e. quarter-octave bins (ratio 2^¼ ≈ 1.19)
 * for |a| in [2⁻¹⁶, 2¹⁶), everything smaller in one zero bin. AUROC from histograms treats units in one bin
 * as tied, which moves it by at most half the mass the two groups share in a bin.
 *
 * <p>Labels of the form {@code concept:word} (ConceptWorld's "animals:bat") count towards {@code concept}.
 * Given the senses of polysemous words, it also asks whether a neuron follows the word or the sense: for
 * a neuron selective for concept D, the sense AUROC compares its activation on polysemous words used in
 * sense D with the same words used in another sense: near 1 when it follows the sense, near 0.5 when it
 * follows the word.
 */
public final class ConceptSelectivity {
    /** Bins: 128 negative, one zero, 128 positive; in ascending order of value. */
    static final int BINS = 257;
    private static final int ZERO = 128;
    private static final int MIN_EXPONENT = -16;
    /** Concepts with fewer positive (or negative) units get no AUROC: too few to call a neuron selective. */
    public static final int MIN_UNITS = 10;

    private final int neurons;
    private final double threshold;
    private final Map<String, List<String>> senses;
    private static final int ROW_BLOCK = 64;
    private final int[] unlabelled;
    private final Map<String, int[]> byConcept = new LinkedHashMap<>();
    private final Map<String, int[]> senseIn = new LinkedHashMap<>();
    private final Map<String, int[]> senseOut = new LinkedHashMap<>();
    private final Map<String, Long> conceptUnits = new LinkedHashMap<>();
    private long units;

    /**
     * @param senses polysemous words and the concepts they can mean (e.g. {"bat": ["animals", "sports"]});
     *               empty when unknown
     */
    public ConceptSelectivity(int neurons, double threshold, Map<String, List<String>> senses) {
        this.neurons = neurons;
        this.threshold = threshold;
        this.senses = senses;
        this.unlabelled = new int[neurons * BINS];
    }

    /** The bin of an activation; bins are ordered as the values are. */
    static int bin(float v) {
        float a = Math.abs(v);
        int exponent = Math.getExponent(a);
        if (!(a > 0) || exponent < MIN_EXPONENT) {
            return ZERO; // also NaN, which the caller never passes
        }
        int k = Math.min(127, (exponent - MIN_EXPONENT) * 4 + ((Float.floatToRawIntBits(a) >>> 21) & 3));
        return v > 0 ? ZERO + 1 + k : ZERO - 1 - k;
    }

    /**
     * Adds {@code rows} units ({@code x} row-major {@code [rows, neurons]}) with their labels (null: no
     * concept; such units still count as "rest" for every concept).
     */
    public void add(float[] x, int rows, String[] labels) {
        // Each unit counts in one histogram (its concept's, or the unlabelled one) plus, for polysemous
        // words, the sense histograms. The totals are their sum, formed when results are asked for.
        int[][][] targets = new int[rows][][];
        for (int r = 0; r < rows; r++) {
            String label = labels[r];
            if (label == null) {
                targets[r] = new int[][] {unlabelled};
                continue;
            }
            int colon = label.indexOf(':');
            String name = colon < 0 ? label : label.substring(0, colon);
            List<int[]> t = new ArrayList<>();
            t.add(byConcept.computeIfAbsent(name, k -> new int[neurons * BINS]));
            conceptUnits.merge(name, 1L, Long::sum);
            List<String> meanings = colon < 0 ? null : senses.get(label.substring(colon + 1));
            if (meanings != null && meanings.contains(name)) {
                t.add(senseIn.computeIfAbsent(name, k -> new int[neurons * BINS]));
                for (String other : meanings) {
                    if (!other.equals(name)) {
                        t.add(senseOut.computeIfAbsent(other, k -> new int[neurons * BINS]));
                    }
                }
            }
            targets[r] = t.toArray(int[][]::new);
        }
        // Blocks of rows, neuron by neuron: the block's activations and one neuron's histograms stay in
        // cache (a row-by-row loop would touch every neuron's histogram, megabytes, per unit).
        for (int from = 0; from < rows; from += ROW_BLOCK) {
            int to = Math.min(rows, from + ROW_BLOCK);
            for (int n = 0; n < neurons; n++) {
                int base = n * BINS;
                for (int r = from; r < to; r++) {
                    int i = base + bin(x[r * neurons + n]);
                    for (int[] h : targets[r]) {
                        h[i]++;
                    }
                }
            }
        }
        units += rows;
        if (units > Integer.MAX_VALUE / 2) {
            throw new IllegalStateException("concept selectivity counts more than 2^30 units; measure fewer");
        }
    }

    /** Every unit's histogram for one neuron, at {@code off}: the unlabelled ones plus every concept's. */
    private int[] totals(int off) {
        int[] t = new int[BINS];
        for (int b = 0; b < BINS; b++) {
            t[b] = unlabelled[off + b];
        }
        for (int[] h : byConcept.values()) {
            for (int b = 0; b < BINS; b++) {
                t[b] += h[off + b];
            }
        }
        return t;
    }

    /**
     * AUROC of positives against negatives from their histograms, {@code BINS} counts from {@code posOff}
     * and {@code negOff}; with {@code subtract} the negatives are {@code neg − pos} (neg holds every unit).
     */
    static double auroc(int[] pos, int posOff, int[] neg, int negOff, boolean subtract) {
        double below = 0;
        double wins = 0;
        long np = 0;
        long nn = 0;
        for (int b = 0; b < BINS; b++) {
            long p = pos[posOff + b];
            long q = subtract ? neg[negOff + b] - p : neg[negOff + b];
            wins += p * (below + 0.5 * q);
            below += q;
            np += p;
            nn += q;
        }
        return np < MIN_UNITS || nn < MIN_UNITS ? Double.NaN : wins / ((double) np * nn);
    }

    /** One neuron's verdict: its best concept, that AUROC, and how many concepts reach the threshold. */
    public record Neuron(String bestConcept, double bestAuroc, int selectiveConcepts, double senseAuroc) {
        public boolean monosemantic() {
            return selectiveConcepts == 1;
        }
    }

    public record Result(long units, Map<String, Long> conceptUnits, double threshold, double monosemanticFraction,
            double polysemanticFraction, Map<String, Integer> monosemanticByConcept, double meanSenseAuroc,
            int senseNeurons, double senseFollowingFraction, List<Neuron> neurons) {
    }

    public double auroc(int neuron, String concept) {
        int[] h = byConcept.get(concept);
        return h == null ? Double.NaN : auroc(h, neuron * BINS, totals(neuron * BINS), 0, true);
    }

    public Result result() {
        List<Neuron> verdicts = new ArrayList<>();
        Map<String, Integer> byBest = new LinkedHashMap<>();
        int mono = 0;
        int poly = 0;
        double senseSum = 0;
        int senseCount = 0;
        int senseFollow = 0;
        for (int n = 0; n < neurons; n++) {
            String best = null;
            double bestAuc = Double.NaN;
            int selective = 0;
            int[] total = totals(n * BINS);
            for (Map.Entry<String, int[]> e : byConcept.entrySet()) {
                double a = auroc(e.getValue(), n * BINS, total, 0, true);
                if (Double.isNaN(a)) {
                    continue;
                }
                if (best == null || a > bestAuc) {
                    best = e.getKey();
                    bestAuc = a;
                }
                selective += a >= threshold ? 1 : 0;
            }
            double sense = Double.NaN;
            if (selective == 1) {
                mono++;
                byBest.merge(best, 1, Integer::sum);
                int[] in = senseIn.get(best);
                int[] out = senseOut.get(best);
                if (in != null && out != null) {
                    sense = auroc(in, n * BINS, out, n * BINS, false);
                }
                if (!Double.isNaN(sense)) {
                    senseSum += sense;
                    senseCount++;
                    senseFollow += sense >= threshold ? 1 : 0;
                }
            } else if (selective > 1) {
                poly++;
            }
            verdicts.add(new Neuron(best, bestAuc, selective, sense));
        }
        return new Result(units, conceptUnits, threshold, (double) mono / neurons, (double) poly / neurons, byBest,
                senseCount == 0 ? Double.NaN : senseSum / senseCount, senseCount,
                senseCount == 0 ? Double.NaN : (double) senseFollow / senseCount, verdicts);
    }
}
