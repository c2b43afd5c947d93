package dev.mono4j.monet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mono4j.UserInputException;
import dev.mono4j.data.LabelledText;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.MonetFamily;
import dev.mono4j.model.MonetSettings;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing statistics per label on a tiny random Monet (√N 8, H 2, 3 layers in groups of 2: routers 0 and 2). */
class ExpertStatsTest {
    @TempDir
    Path tmp;

    static ModelConfig tinyMonet() {
        return MonetFamily.config(50, 32, 3, 4, 2, 64, false,
                new MonetSettings(4, 2, 8, 2, 2, MonetSettings.Decomposition.VERTICAL));
    }

    private static final List<LabelledText> TEXTS = List.of(new LabelledText("t0", "w1 w2 w3", "a", null),
            new LabelledText("t1", "w4 w5 w6 w7 w8 w9", "b", null), new LabelledText("t2", "w10 w2 w30 w5", "a", null));

    /**
     * The factorised sums (one product over rows and heads) against the materialised grid captured at the hook and
     * averaged over each label's text tokens in plain Java double arithmetic, for both groups.
     */
    @Test
    void meansEqualTheMaterialisedGridsMeanOverEachLabelsTokens() {
        Path dir = TinyModels.save(tinyMonet(), 4, tmp.resolve("monet"));
        try (TransformerLM model = Checkpoint.loadCausal(dir, "this test"); Tokenizer tok = Tokenizer.load(dir)) {
            assertEquals(List.of(0, 2), ExpertMask.routers(model.config()));
            ExpertStats stats = ExpertStats.collect(model, tok, TEXTS, 2, 64);
            assertEquals(List.of("a", "b"), stats.labels());
            for (int router : List.of(0, 2)) {
                double[][] want = new double[2][64];
                long[] count = new long[2];
                String hook = HookPoint.moeExpertScores(router);
                Passes.run(model, tok, TEXTS, 3, 64, () -> Hooks.capture(hook), pass -> {
                    float[] g = pass.hooks().get(hook).toFloatArray();
                    for (int b = 0; b < 3; b++) {
                        int label = pass.texts().get(b).label().equals("a") ? 0 : 1;
                        for (int k = pass.enc().firstRow()[b]; k < pass.enc().firstRow()[b + 1]; k++) {
                            int row = pass.enc().rows()[k];
                            count[label]++;
                            for (int c = 0; c < 64; c++) {
                                want[label][c] += g[row * 64 + c];
                            }
                        }
                    }
                });
                assertEquals(Map.of("a", 7L, "b", 6L), stats.byRouter().get(router).tokens(), "BOS is left out");
                Map<String, double[]> got = stats.byRouter().get(router).means();
                for (int label = 0; label < 2; label++) {
                    double[] mean = got.get(label == 0 ? "a" : "b");
                    for (int c = 0; c < 64; c++) {
                        assertEquals(want[label][c] / count[label], mean[c], 1e-6, "router " + router + " cell " + c);
                    }
                }
            }
        }
    }

    @Test
    void everyTextNeedsALabel() {
        Path dir = TinyModels.save(tinyMonet(), 4, tmp.resolve("monet"));
        try (TransformerLM model = Checkpoint.loadCausal(dir, "this test"); Tokenizer tok = Tokenizer.load(dir)) {
            UserInputException e = assertThrows(UserInputException.class, () -> ExpertStats.collect(model, tok,
                    List.of(TEXTS.get(0), LabelledText.plain("plain:2", "w1 w2")), 2, 64));
            assertEquals(true, e.getMessage().startsWith("plain:2: no label"), e.getMessage());
        }
    }
}
