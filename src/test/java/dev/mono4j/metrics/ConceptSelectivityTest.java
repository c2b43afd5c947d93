package dev.mono4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConceptSelectivityTest {
    /** Exact AUROC: P(pos > neg) + ½ P(pos = neg) over all pairs, plain loops in double. */
    static double exactAuroc(List<Double> pos, List<Double> neg) {
        double wins = 0;
        for (double p : pos) {
            for (double q : neg) {
                wins += p > q ? 1 : p == q ? 0.5 : 0;
            }
        }
        return wins / ((double) pos.size() * neg.size());
    }

    /** Units of one neuron split by whether their label's concept (the part before ':') is {@code concept}. */
    static double exactAuroc(float[] x, int neurons, int neuron, String[] labels, String concept) {
        List<Double> pos = new ArrayList<>();
        List<Double> neg = new ArrayList<>();
        for (int r = 0; r < labels.length; r++) {
            boolean in = labels[r] != null && labels[r].split(":")[0].equals(concept);
            (in ? pos : neg).add((double) x[r * neurons + neuron]);
        }
        return exactAuroc(pos, neg);
    }

    /** Feeds the rows in a few uneven chunks, as a measurement would batch them. */
    static void feed(ConceptSelectivity cs, float[] x, int neurons, String[] labels) {
        int[] cuts = {0, labels.length / 7, labels.length / 2, labels.length};
        for (int c = 0; c + 1 < cuts.length; c++) {
            int from = cuts[c];
            int to = cuts[c + 1];
            cs.add(Arrays.copyOfRange(x, from * neurons, to * neurons), to - from,
                    Arrays.copyOfRange(labels, from, to));
        }
    }

    static String[] labels(Object... countsAndLabels) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < countsAndLabels.length; i += 2) {
            for (int k = 0; k < (Integer) countsAndLabels[i]; k++) {
                out.add((String) countsAndLabels[i + 1]);
            }
        }
        // interleave deterministically so concepts are not in contiguous runs
        java.util.Collections.shuffle(out, new java.util.Random(99));
        return out.toArray(new String[0]);
    }

    /**
     * Four neurons over concepts A, B, C (30 units each) and 300 unlabelled units:
     * n0 fires for A only; n1 fires for A (in [2, 3)) and B (in [1, 1.5)); n2 fires negatively for A;
     * n3 is noise. Activations of the two groups never share a histogram bin, so AUROCs are exact.
     */
    @Test
    void monosemanticPolysemanticAndInverseNeurons() {
        String[] labels = labels(30, "A", 30, "B", 30, "C", 300, null);
        int neurons = 4;
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = new float[labels.length * neurons];
        for (int r = 0; r < labels.length; r++) {
            String l = labels[r];
            double u = rng.nextDouble();
            x[r * neurons] = "A".equals(l) ? (float) (1 + 0.5 * u) : 0f;
            x[r * neurons + 1] = "A".equals(l) ? (float) (2 + u) : "B".equals(l) ? (float) (1 + 0.5 * u) : 0f;
            x[r * neurons + 2] = "A".equals(l) ? (float) (-1 - u) : 0f;
            x[r * neurons + 3] = (float) rng.nextGaussian();
        }
        ConceptSelectivity cs = new ConceptSelectivity(neurons, 0.9, Map.of());
        feed(cs, x, neurons, labels);
        for (int n = 0; n < neurons - 1; n++) {
            for (String c : List.of("A", "B", "C")) {
                assertEquals(exactAuroc(x, neurons, n, labels, c), cs.auroc(n, c), 1e-12, "neuron " + n + " " + c);
            }
        }
        assertEquals(1.0, cs.auroc(0, "A"), 0.0);
        assertEquals(330.0 / 360, cs.auroc(1, "B"), 1e-12, "B is above the 330 zeros, below the 30 A units");
        assertEquals(0.0, cs.auroc(2, "A"), 0.0);
        assertTrue(Double.isNaN(cs.auroc(0, "unknown")));

        ConceptSelectivity.Result r = cs.result();
        ConceptSelectivity.Neuron n0 = r.neurons().get(0);
        assertEquals("A", n0.bestConcept());
        assertEquals(1.0, n0.bestAuroc(), 0.0);
        assertEquals(1, n0.selectiveConcepts());
        assertTrue(n0.monosemantic());
        ConceptSelectivity.Neuron n1 = r.neurons().get(1);
        assertEquals("A", n1.bestConcept());
        assertEquals(2, n1.selectiveConcepts());
        assertFalse(n1.monosemantic());
        ConceptSelectivity.Neuron n2 = r.neurons().get(2);
        assertTrue(cs.auroc(2, "A") < 0.5);
        assertEquals(0, n2.selectiveConcepts());
        assertFalse(n2.monosemantic());
        assertEquals(0, r.neurons().get(3).selectiveConcepts(), "noise is selective for nothing");

        assertEquals(390, r.units());
        assertEquals(Map.of("A", 30L, "B", 30L, "C", 30L), r.conceptUnits());
        assertEquals(0.25, r.monosemanticFraction(), 0.0);
        assertEquals(0.25, r.polysemanticFraction(), 0.0);
        assertEquals(Map.of("A", 1), r.monosemanticByConcept());
        assertEquals(0.9, r.threshold(), 0.0);
        assertTrue(Double.isNaN(r.meanSenseAuroc()), "no senses given");
        assertEquals(0, r.senseNeurons());
    }

    /**
     * Random continuous activations: the histogram AUROC treats units in one bin as tied, which moves it
     * by at most half the probability mass the two groups share in a bin: ½ Σ_b (p_b/n_p)(q_b/n_q). The
     * test computes that bound from {@link ConceptSelectivity#bin} and also requires |error| ≤ 0.002 (with
     * quarter-octave bins and N(0, 1) data the shared mass is a few percent, and in-bin errors largely cancel).
     */
    @Test
    void histogramAurocIsCloseToTheExactAuroc() {
        SplittableRandom rng = new SplittableRandom(41);
        int units = 3000;
        String[] labels = new String[units];
        float[] x = new float[units];
        for (int r = 0; r < units; r++) {
            double u = rng.nextDouble();
            labels[r] = u < 0.3 ? "P" : u < 0.6 ? "Q" : null;
            x[r] = (float) (rng.nextGaussian() * 1.5 + ("P".equals(labels[r]) ? 0.6 : 0));
        }
        ConceptSelectivity cs = new ConceptSelectivity(1, 0.9, Map.of());
        feed(cs, x, 1, labels);
        for (String concept : List.of("P", "Q")) {
            double exact = exactAuroc(x, 1, 0, labels, concept);
            double[] p = new double[ConceptSelectivity.BINS];
            double[] q = new double[ConceptSelectivity.BINS];
            double np = 0;
            double nq = 0;
            for (int r = 0; r < units; r++) {
                boolean in = concept.equals(labels[r]);
                (in ? p : q)[ConceptSelectivity.bin(x[r])]++;
                np += in ? 1 : 0;
                nq += in ? 0 : 1;
            }
            double bound = 0;
            for (int b = 0; b < p.length; b++) {
                bound += 0.5 * (p[b] / np) * (q[b] / nq);
            }
            double hist = cs.auroc(0, concept);
            assertTrue(Math.abs(hist - exact) <= bound, concept + ": |" + hist + " − " + exact + "| > bound " + bound);
            assertEquals(exact, hist, 0.002, concept); // measured: about 3e-4 against a bound of 0.014
        }
        assertTrue(exactAuroc(x, 1, 0, labels, "P") > 0.58, "P is shifted up (AUROC about 0.61)");
        assertTrue(exactAuroc(x, 1, 0, labels, "Q") < 0.5, "Q sits below P and the rest");
    }

    @Test
    void allEqualActivationsGiveOneHalf() {
        String[] labels = labels(20, "A", 20, null);
        float[] x = new float[labels.length];
        Arrays.fill(x, 0.7f);
        ConceptSelectivity cs = new ConceptSelectivity(1, 0.9, Map.of());
        cs.add(x, labels.length, labels);
        assertEquals(0.5, cs.auroc(0, "A"), 0.0);
    }

    @Test
    void binIsMonotoneInTheValue() {
        float tiny = 0x1p-16f;
        float[] ordered = {Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, -1e30f, -65536f, -65535f, -1000f, -2f, -1.75f,
            -1.5f, -1.25f, -1f, -0.75f, -1e-3f, -tiny, -1e-6f, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1e-6f, tiny,
            1e-3f, 0.75f, 1f, 1.25f, 1.5f, 1.75f, 2f, 1000f, 65535f, 65536f, 1e30f, Float.MAX_VALUE,
            Float.POSITIVE_INFINITY};
        for (int i = 1; i < ordered.length; i++) {
            assertTrue(ConceptSelectivity.bin(ordered[i - 1]) <= ConceptSelectivity.bin(ordered[i]),
                    ordered[i - 1] + " then " + ordered[i]);
        }
        SplittableRandom rng = new SplittableRandom(1);
        float[] sweep = new float[20_000];
        for (int i = 0; i < sweep.length; i++) {
            // log-uniform magnitudes from 2^-30 to 2^30, both signs
            sweep[i] = (float) ((rng.nextBoolean() ? 1 : -1) * Math.pow(2, rng.nextDouble(-30, 30)));
        }
        Arrays.sort(sweep);
        for (int i = 1; i < sweep.length; i++) {
            int a = ConceptSelectivity.bin(sweep[i - 1]);
            int b = ConceptSelectivity.bin(sweep[i]);
            assertTrue(a <= b, sweep[i - 1] + " → " + a + " but " + sweep[i] + " → " + b);
            assertTrue(a >= 0 && a < ConceptSelectivity.BINS);
        }
        // resolution: quarter steps of the mantissa, one zero bin, saturation at 2^16, symmetric
        assertEquals(128, ConceptSelectivity.bin(0f));
        assertEquals(128, ConceptSelectivity.bin(-0f));
        assertEquals(128, ConceptSelectivity.bin(1e-6f));
        assertEquals(128, ConceptSelectivity.bin(-1e-6f));
        assertEquals(129, ConceptSelectivity.bin(tiny));
        assertEquals(127, ConceptSelectivity.bin(-tiny));
        assertEquals(256, ConceptSelectivity.bin(65535f));
        assertEquals(256, ConceptSelectivity.bin(Float.MAX_VALUE));
        assertEquals(0, ConceptSelectivity.bin(-Float.MAX_VALUE));
        assertEquals(ConceptSelectivity.bin(1f), ConceptSelectivity.bin(1.2f));
        assertTrue(ConceptSelectivity.bin(1f) < ConceptSelectivity.bin(1.25f));
        assertTrue(ConceptSelectivity.bin(1.25f) < ConceptSelectivity.bin(1.5f));
        assertTrue(ConceptSelectivity.bin(1.5f) < ConceptSelectivity.bin(1.75f));
        assertTrue(ConceptSelectivity.bin(1.75f) < ConceptSelectivity.bin(2f));
        for (float v : new float[] {tiny, 0.3f, 1f, 1.3f, 17f, 40000f}) {
            assertEquals(256 - ConceptSelectivity.bin(v), ConceptSelectivity.bin(-v), "symmetric around zero: " + v);
        }
    }

    @Test
    void conceptsWithTooFewUnitsHaveNoAuroc() {
        int few = ConceptSelectivity.MIN_UNITS - 1;
        String[] labels = labels(few, "few", ConceptSelectivity.MIN_UNITS, "enough", 100, null);
        float[] x = new float[labels.length];
        for (int r = 0; r < labels.length; r++) {
            x[r] = labels[r] == null ? 0f : 1f;
        }
        ConceptSelectivity cs = new ConceptSelectivity(1, 0.9, Map.of());
        cs.add(x, labels.length, labels);
        assertTrue(Double.isNaN(cs.auroc(0, "few")));
        assertEquals(exactAuroc(x, 1, 0, labels, "enough"), cs.auroc(0, "enough"), 1e-12);
        ConceptSelectivity.Result r = cs.result();
        assertEquals("enough", r.neurons().get(0).bestConcept(), "the NaN concept is never best");
        assertEquals(1, r.neurons().get(0).selectiveConcepts());

        // too few negatives: 5 units outside the concept
        String[] almostAll = labels(50, "X", 5, null);
        ConceptSelectivity cs2 = new ConceptSelectivity(1, 0.9, Map.of());
        cs2.add(new float[almostAll.length], almostAll.length, almostAll);
        assertTrue(Double.isNaN(cs2.auroc(0, "X")));
        ConceptSelectivity.Neuron n = cs2.result().neurons().get(0);
        assertNull(n.bestConcept());
        assertTrue(Double.isNaN(n.bestAuroc()));
        assertEquals(0, n.selectiveConcepts());
    }

    /**
     * With senses {"bat": [animals, sports]}: n0 fires for every animals token, animals:bat included, and
     * not for sports:bat (follows the sense); n1 fires for animals words and for bat in both senses (follows
     * the word); n2 fires for every sports token (follows the sense the other way round).
     */
    @Test
    void senseAurocSeparatesSenseFollowersFromWordFollowers() {
        String[] labels = labels(20, "animals:cat", 20, "animals:dog", 15, "animals:bat", 15, "sports:bat", 20,
                "sports:ball", 20, "sports:goal", 60, null);
        int neurons = 3;
        SplittableRandom rng = new SplittableRandom(8);
        float[] x = new float[labels.length * neurons];
        for (int r = 0; r < labels.length; r++) {
            String l = labels[r];
            boolean animals = l != null && l.startsWith("animals:");
            boolean sports = l != null && l.startsWith("sports:");
            boolean bat = l != null && l.endsWith(":bat");
            x[r * neurons] = animals ? (float) (1 + rng.nextDouble()) : 0f;
            x[r * neurons + 1] = animals || bat ? (float) (1 + rng.nextDouble()) : 0f;
            x[r * neurons + 2] = sports ? (float) (1 + rng.nextDouble()) : 0f;
        }
        ConceptSelectivity cs = new ConceptSelectivity(neurons, 0.9, Map.of("bat", List.of("animals", "sports")));
        feed(cs, x, neurons, labels);
        ConceptSelectivity.Result r = cs.result();
        assertEquals(Map.of("animals", 55L, "sports", 55L), r.conceptUnits(), "concept:word counts towards concept");

        ConceptSelectivity.Neuron sense = r.neurons().get(0);
        ConceptSelectivity.Neuron word = r.neurons().get(1);
        ConceptSelectivity.Neuron other = r.neurons().get(2);
        assertEquals(1.0, cs.auroc(0, "animals"), 0.0);
        assertEquals("animals", sense.bestConcept());
        assertTrue(sense.monosemantic());
        assertEquals(1.0, sense.senseAuroc(), 0.0);

        assertTrue(word.monosemantic(), "still selective for animals only: " + cs.auroc(1, "animals"));
        assertEquals("animals", word.bestConcept());
        assertTrue(cs.auroc(1, "animals") < 1.0 && cs.auroc(1, "animals") >= 0.9);
        assertTrue(word.senseAuroc() < 0.75 && word.senseAuroc() > 0.25, "follows the word: " + word.senseAuroc());

        assertEquals("sports", other.bestConcept());
        assertTrue(other.monosemantic());
        assertEquals(1.0, other.senseAuroc(), 0.0);

        assertEquals(3, r.senseNeurons());
        assertEquals((2 + word.senseAuroc()) / 3, r.meanSenseAuroc(), 1e-12);
        assertEquals(2.0 / 3, r.senseFollowingFraction(), 1e-12);
        assertEquals(Map.of("animals", 2, "sports", 1), r.monosemanticByConcept());
    }
}
