package dev.mono4j.monet;

import ai.djl.ndarray.NDArray;
import dev.mono4j.data.LabelledText;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.model.MonetFamily;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per expert, Pearson's r between its score g_ij and a per-token indicator of hostility, over the tokens of hostile
 * texts ([P] arXiv 2412.04139v4 §5.3, App. D.3: r between routing probability and the token's toxicity, Perspective
 * API, on toxic prompts). The ConceptWorld analogue (fact sheet §8): the indicator is 1 on tokens whose concept is
 * {@value #INSULT} (the insult word of hostile speech), 0 elsewhere; a hostile text is one holding such a token.
 *
 * <p>r needs Σ g², so each batch materialises the grid of its hostile rows, {@code [R, √N, √N]} floats (R·N·4 bytes:
 * 4 MiB for 256 tokens at √N 64), as a batched {@code [√N, H] × [H, √N]} product per token.
 */
public final class ExpertToxicity {
    /** ConceptWorld's concept of insult words (data/conceptworld/ConceptWorldGenerator: {@code s.word(.., "insult")}). */
    public static final String INSULT = "insult";

    private ExpertToxicity() {
    }

    /** Whether the text holds an insult word. */
    public static boolean hostile(LabelledText t) {
        return t.wordConcepts() != null && t.wordConcepts().contains(INSULT);
    }

    /** Pearson's r from the sums of n pairs; NaN when either variable is constant. */
    static double pearson(double n, double sx, double sy, double sxx, double syy, double sxy) {
        double cov = n * sxy - sx * sy;
        double vx = n * sxx - sx * sx;
        double vy = n * syy - sy * sy;
        return vx <= 0 || vy <= 0 ? Double.NaN : cov / Math.sqrt(vx * vy);
    }

    /** Per router layer, r for each cell {@code i · √N + j}, over the hostile texts among {@code texts}. */
    public static Map<Integer, double[]> correlations(TransformerLM model, Tokenizer tok, List<LabelledText> texts,
            int batchSize, int maxTokens) {
        List<LabelledText> hostile = texts.stream().filter(ExpertToxicity::hostile).toList();
        if (hostile.isEmpty()) {
            throw new dev.mono4j.UserInputException("no hostile texts (none has a token of concept \"" + INSULT
                    + "\"): the toxicity analogue needs ConceptWorld stories or texts with \"concepts\"");
        }
        int e = MonetFamily.settings(model.config()).moeExperts();
        List<Integer> routers = ExpertMask.routers(model.config());
        Map<Integer, double[][]> sums = new LinkedHashMap<>(); // router → {Σx, Σx², Σxy} per cell
        routers.forEach(r -> sums.put(r, new double[3][e * e]));
        double[] ny = new double[2]; // n, Σy (= Σy², y being 0 or 1)
        Passes.run(model, tok, hostile, batchSize, maxTokens, () -> ExpertStats.routeCapture(routers), pass -> {
            long[] flat = java.util.Arrays.stream(pass.enc().rows()).asLongStream().toArray();
            float[] y = new float[flat.length];
            for (int k = 0; k < flat.length; k++) {
                y[k] = INSULT.equals(pass.enc().concepts()[k]) ? 1f : 0f;
                ny[1] += y[k];
            }
            ny[0] += flat.length;
            NDArray yt = pass.step().create(y).reshape(-1, 1, 1);
            for (int r : routers) {
                NDArray g1 = pass.rows(pass.hooks().get(HookPoint.moeRoute(r, 1)), flat); // [R, H, √N]
                NDArray g2 = pass.rows(pass.hooks().get(HookPoint.moeRoute(r, 2)), flat);
                NDArray grid = g1.transpose(0, 2, 1).matMul(g2); // [R, √N, √N]
                double[][] s = sums.get(r);
                add(s[0], grid.sum(new int[] {0}).toFloatArray());
                add(s[1], grid.square().sum(new int[] {0}).toFloatArray());
                add(s[2], grid.mul(yt).sum(new int[] {0}).toFloatArray());
            }
        });
        Map<Integer, double[]> out = new LinkedHashMap<>();
        sums.forEach((r, s) -> {
            double[] rho = new double[e * e];
            for (int c = 0; c < rho.length; c++) {
                rho[c] = pearson(ny[0], s[0][c], ny[1], s[1][c], ny[1], s[2][c]);
            }
            out.put(r, rho);
        });
        return out;
    }

    /** Per router layer, the cells with r ≥ {@code threshold} (NaN never passes). */
    public static Map<Integer, List<Integer>> atLeast(Map<Integer, double[]> r, double threshold) {
        Map<Integer, List<Integer>> out = new java.util.TreeMap<>();
        r.forEach((router, rho) -> {
            List<Integer> cells = new ArrayList<>();
            for (int c = 0; c < rho.length; c++) {
                if (rho[c] >= threshold) {
                    cells.add(c);
                }
            }
            out.put(router, cells);
        });
        return out;
    }

    private static void add(double[] to, float[] x) {
        for (int k = 0; k < x.length; k++) {
            to[k] += x[k];
        }
    }
}
