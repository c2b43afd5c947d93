package dev.mono4j.data.factorgraph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.model.WorkspaceFamily;
import dev.mono4j.model.WorkspaceSettings;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval's per-line scores by hand, and a tiny random model's run against an independent forward pass. */
class FactorGraphEvalTest {
    @TempDir
    Path tmp;

    @Test
    void scoresByHand() {
        // p* = (0.5, 0.25, 0.25), true value 1; the model's raw probabilities (0.2, 0.2, 0.1) put mass 0.5 on the
        // candidates, so q = (0.4, 0.4, 0.2).
        FactorGraphSample s = new FactorGraphSample(new int[] {1}, new int[] {1, 0}, 0, new double[] {0.5, 0.25, 0.25},
                new int[] {1}, true);
        FactorGraphEval.Scored sc = FactorGraphEval.score(new double[] {Math.log(0.2), Math.log(0.2), Math.log(0.1)}, s);
        assertEquals(-Math.log(0.4), sc.nll(), 1e-12);
        assertEquals(-Math.log(0.2), sc.rawNll(), 1e-12);
        assertEquals(-Math.log(0.25), sc.bayesNll(), 1e-12);
        assertEquals(0.5 * Math.log(0.5 / 0.4) + 0.25 * Math.log(0.25 / 0.4) + 0.25 * Math.log(0.25 / 0.2), sc.klFromBayes(),
                1e-12);
        assertEquals(0.5, sc.candidateMass(), 1e-12);
        assertFalse(sc.correct(), "q ties values 0 and 1: argmax is the lower, 0");
        assertFalse(sc.bayesCorrect());

        // A model that outputs the exact conditional (scaled by any mass) has no excess and no KL.
        FactorGraphEval.Scored exact = FactorGraphEval.score(new double[] {Math.log(0.15), Math.log(0.075), Math.log(0.075)}, s);
        assertEquals(exact.bayesNll(), exact.nll(), 1e-12);
        assertEquals(0, exact.klFromBayes(), 1e-12);
        assertEquals(exact.nll() - Math.log(0.3), exact.rawNll(), 1e-12);

        FactorGraphEval.Group g = FactorGraphEval.Group.of(List.of(sc, exact));
        assertEquals((sc.nll() + exact.nll()) / 2 - (sc.bayesNll() + exact.bayesNll()) / 2, g.excess(), 1e-12);
        assertEquals(null, FactorGraphEval.Group.of(List.of()));
    }

    @Test
    void aRandomModelsRunMatchesAnIndependentForwardPassAndIsNoBetterThanBayes() {
        FactorGraphConfig cfg = FactorGraphConfig.builder().variables(6).values(4).samples(10).valid(40).ood(40).seed(3).build();
        FactorGraphWriter.write(cfg, tmp);
        List<FactorGraphSample> valid = FactorGraphSplit.VALID.read(tmp);
        try (Tokenizer tok = Tokenizer.load(tmp.resolve("tokenizer.json"));
                TransformerLM model = TransformerLM.random(ModelConfig.llama(tok.vocabSize(), 16, 1, 2, 2, 32, 16, true), 5)) {
            // Batch sizes 7 and 40 give the same result: padding never reaches a row's answer position.
            FactorGraphEval.Result r = FactorGraphEval.run(model, tok, FactorGraphSplit.VALID, valid, 7, false);
            FactorGraphEval.Result whole = FactorGraphEval.run(model, tok, FactorGraphSplit.VALID, valid, 40, false);
            assertEquals(whole.all().nll(), r.all().nll(), 1e-6);
            assertEquals(40, r.all().lines());
            assertEquals(40, (r.roots() == null ? 0 : r.roots().lines()) + r.nonRoots().lines());

            // Line 3 alone: −log p(answer token | the rest), from LogProbs over the unpadded row.
            FactorGraphSample s = valid.get(3);
            long[] ids = tok.encode(s.line());
            double raw;
            try (NDManager m = model.manager().newSubManager()) {
                TokenBatch b = TokenBatch.of(ids);
                float[] lp = LogProbs.nextToken(model.forward(m, b, Hooks.none()), b).toFloatArray();
                raw = -lp[ids.length - 2];
            }
            FactorGraphEval.Result one = FactorGraphEval.run(model, tok, FactorGraphSplit.VALID, List.of(s), 1, false);
            assertEquals(raw, one.all().rawNll(), 1e-5);
            assertTrue(one.all().nll() <= one.all().rawNll());

            // In expectation no model beats Bayes; KL is never negative, and the sampled excess is near it.
            assertTrue(r.all().klFromBayes() > 0);
            assertTrue(r.all().excess() > -0.05, "excess " + r.all().excess());
            assertEquals(r.all().klFromBayes(), r.all().excess(), 0.5);
        }
    }

    @Test
    void blanketRecoveryOfAnAttentionModelMatchesItsCapturedPatternByHand() {
        FactorGraphConfig cfg = FactorGraphConfig.builder().variables(6).values(4).samples(10).valid(30).ood(10).seed(3).build();
        FactorGraphWriter.write(cfg, tmp);
        List<FactorGraphSample> valid = FactorGraphSplit.VALID.read(tmp);
        try (Tokenizer tok = Tokenizer.load(tmp.resolve("tokenizer.json"));
                TransformerLM model = TransformerLM.random(ModelConfig.llama(tok.vocabSize(), 16, 2, 2, 2, 32, 16, true), 5)) {
            assertBlanketMatchesByHand(model, tok, valid, "attention pattern", (pattern, q) -> {
                // [1, head, query, key]: the query's row summed over the 2 heads.
                float[] w = new float[(int) pattern.getShape().get(3)];
                for (int h = 0; h < 2; h++) {
                    float[] row = pattern.get(0, h, q).toFloatArray();
                    for (int t = 0; t < w.length; t++) {
                        w[t] += row[t];
                    }
                }
                return w;
            }, HookPoint::attnPattern);
        }
    }

    @Test
    void blanketRecoveryOfAHardWorkspaceMatchesItsCapturedWritePatternByHand() {
        FactorGraphConfig cfg = FactorGraphConfig.builder().variables(6).values(4).samples(10).valid(30).ood(10).seed(3).build();
        FactorGraphWriter.write(cfg, tmp);
        List<FactorGraphSample> valid = FactorGraphSplit.VALID.read(tmp);
        WorkspaceSettings ws = new WorkspaceSettings(WorkspaceSettings.Workspace.HARD, 3, 2, 4, 0, true);
        try (Tokenizer tok = Tokenizer.load(tmp.resolve("tokenizer.json"));
                TransformerLM model = TransformerLM.random(WorkspaceFamily.config(tok.vocabSize(), 16, 2, 2, 32, 16, true, ws),
                        5)) {
            assertBlanketMatchesByHand(model, tok, valid, "workspace write pattern", (pattern, q) -> {
                // [1, pos, head, slot, token]: at the query, summed over 2 heads and 3 slots; the hard write keeps
                // 2 tokens per slot and head, so at most 12 tokens have weight.
                float[] w = new float[(int) pattern.getShape().get(4)];
                for (int h = 0; h < 2; h++) {
                    for (int m = 0; m < 3; m++) {
                        float[] row = pattern.get(0, q, h, m).toFloatArray();
                        for (int t = 0; t < w.length; t++) {
                            w[t] += row[t];
                        }
                    }
                }
                return w;
            }, HookPoint::workspaceWritePattern);
        }
    }

    /**
     * Runs the eval with {@code --blanket} in batches of 7 (padding present) and recomputes each layer's mean F1
     * line by line: the unpadded line's captured pattern, its query row by hand, the |MB| largest observation
     * weights by a plain sort, F1 = hits / |MB| (precision = recall when |MB| are selected), 1 for an empty blanket.
     */
    private static void assertBlanketMatchesByHand(TransformerLM model, Tokenizer tok, List<FactorGraphSample> lines,
            String selection, java.util.function.BiFunction<ai.djl.ndarray.NDArray, Integer, float[]> queryRow,
            java.util.function.IntFunction<String> hook) {
        FactorGraphEval.Result r = FactorGraphEval.run(model, tok, FactorGraphSplit.VALID, lines, 7, true);
        assertEquals(selection, r.blanket().selection());
        int layers = model.config().numLayers();
        double[] expected = new double[layers];
        double chance = 0;
        for (FactorGraphSample s : lines) {
            long[] ids = tok.encode(s.line());
            int q = ids.length - 2;
            try (NDManager m = model.manager().newSubManager()) {
                Hooks hooks = Hooks.capture("blocks.*");
                model.forward(m, TokenBatch.of(ids), hooks);
                for (int l = 0; l < layers; l++) {
                    float[] w = queryRow.apply(hooks.get(hook.apply(l)), q);
                    int[] blanket = s.blanket();
                    // Observation j sits at model position j + 1 (after the BOS); rank them by weight, earlier first.
                    Integer[] obs = java.util.stream.IntStream.range(0, s.queryPosition()).boxed().toArray(Integer[]::new);
                    java.util.Arrays.sort(obs, (a, b) -> w[a + 1] != w[b + 1] ? Float.compare(w[b + 1], w[a + 1]) : a - b);
                    int hits = 0;
                    for (int i = 0; i < blanket.length; i++) {
                        int variable = s.order()[obs[i]];
                        hits += java.util.Arrays.stream(blanket).anyMatch(v -> v == variable) ? 1 : 0;
                    }
                    expected[l] += (blanket.length == 0 ? 1.0 : (double) hits / blanket.length) / lines.size();
                }
            }
            chance += (s.blanket().length == 0 ? 1.0 : (double) s.blanket().length / s.order().length) / lines.size();
        }
        for (int l = 0; l < layers; l++) {
            assertEquals(expected[l], r.blanket().f1ByLayer().get(l), 1e-9, "layer " + l);
        }
        assertEquals((expected[0] + expected[1]) / 2, r.blanket().meanF1(), 1e-9);
        int best = expected[1] > expected[0] ? 1 : 0;
        assertEquals(best, r.blanket().bestLayer());
        assertEquals(chance, r.blanket().chanceF1(), 1e-9);
        assertTrue(r.blanket().meanF1() > 0 && r.blanket().meanF1() <= 1);
        assertEquals(null, FactorGraphEval.run(model, tok, FactorGraphSplit.VALID, lines, 7, false).blanket());
    }
}
