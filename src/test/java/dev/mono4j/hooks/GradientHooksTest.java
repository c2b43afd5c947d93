package dev.mono4j.hooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ∂L/∂activation from {@link Hooks#alsoCaptureGradients} against central finite differences of the same loss. */
class GradientHooksTest {
    private static final TokenBatch BATCH = TokenBatch.of(2, 5, new long[] {3, 17, 42, 8, 99, 5, 6, 7, 250, 1});

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void gradientsAtHooksMatchFiniteDifferences(String fixture) {
        List<String> hooks = List.of("blocks.0.hook_resid_post", "blocks.1.attn.hook_z", "blocks.1.mlp.hook_post");
        try (TransformerLM model = Checkpoint.loadCausal(Fixtures.dir(fixture), "this test");
                NDManager step = model.manager().newSubManager()) {
            Hooks h = new Hooks().alsoCaptureGradients(String.join(",", hooks)).alsoCapture(String.join(",", hooks));
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = LogProbs.meanNll(model.forward(step, BATCH, h), BATCH);
                loss = l.getFloat();
                gc.backward(l);
            }
            assertEquals(hooks, h.gradientNames());
            for (String name : hooks) {
                NDArray grad = h.gradient(name);
                assertArrayEquals(h.get(name).getShape().getShape(), grad.getShape().getShape(), name);
                float[] g = grad.toFloatArray();
                // The largest gradient entries and one at a late position, each against (L(x+ε) − L(x−ε)) / 2ε.
                int[] entries = {argMaxAbs(g), g.length - 1, g.length / 3};
                for (int i : entries) {
                    double eps = 1e-2;
                    double fd = (perturbedLoss(model, step, name, i, eps) - perturbedLoss(model, step, name, i, -eps)) / (2 * eps);
                    assertEquals(fd, g[i], 2e-3 + 2e-2 * Math.abs(fd), fixture + " " + name + "[" + i + "]");
                }
                assertTrue(Math.abs(g[argMaxAbs(g)]) > 1e-4, name + ": a gradient that is not all zero");
            }
            assertTrue(Float.isFinite(loss));
        }
    }

    private static double perturbedLoss(TransformerLM model, NDManager parent, String name, int index, double eps) {
        try (NDManager step = parent.newSubManager()) {
            Hooks h = new Hooks().intervene(name, x -> {
                float[] delta = new float[Math.toIntExact(x.size())];
                delta[index] = (float) eps;
                return x.add(x.getManager().create(delta, x.getShape()));
            });
            return LogProbs.meanNll(model.forward(step, BATCH, h), BATCH).getFloat();
        }
    }

    private static int argMaxAbs(float[] g) {
        int best = 0;
        for (int i = 1; i < g.length; i++) {
            if (Math.abs(g[i]) > Math.abs(g[best])) {
                best = i;
            }
        }
        return best;
    }
}
