package dev.mono4j.data.factorgraph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
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
            FactorGraphEval.Result r = FactorGraphEval.run(model, tok, FactorGraphSplit.VALID, valid, 7);
            FactorGraphEval.Result whole = FactorGraphEval.run(model, tok, FactorGraphSplit.VALID, valid, 40);
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
            FactorGraphEval.Result one = FactorGraphEval.run(model, tok, FactorGraphSplit.VALID, List.of(s), 1);
            assertEquals(raw, one.all().rawNll(), 1e-5);
            assertTrue(one.all().nll() <= one.all().rawNll());

            // In expectation no model beats Bayes; KL is never negative, and the sampled excess is near it.
            assertTrue(r.all().klFromBayes() > 0);
            assertTrue(r.all().excess() > -0.05, "excess " + r.all().excess());
            assertEquals(r.all().klFromBayes(), r.all().excess(), 0.5);
        }
    }
}
