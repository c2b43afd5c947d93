package dev.mono4j.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class HooksTest {
    private static final TokenBatch BATCH = TokenBatch.of(2, 5, new long[] {1, 5, 9, 13, 17, 2, 6, 10, 14, 18});

    @Test
    void everyHookPointIsReachedInForwardOrder() {
        try (TransformerLM model = TransformerLM.random(TinyModels.llama(), 1); NDManager step = model.manager().newSubManager()) {
            Hooks hooks = Hooks.capture("*");
            model.forward(step, BATCH, hooks);
            assertEquals(model.hookNames(), List.copyOf(hooks.captured().keySet()));
            assertEquals(64, hooks.get("blocks.1.mlp.hook_pre_linear").getShape().get(2), "up_proj width = intermediate");
        }
        assertTrue(HookPoint.glob("blocks.*.hook_resid_post").matcher("blocks.11.hook_resid_post").matches());
        assertTrue(!HookPoint.glob("blocks.*.hook_resid_post").matcher("blocks.1.hook_resid_pre").matches());
        assertTrue(HookPoint.glob("hook_embed, blocks.0.*").matcher("blocks.0.mlp.hook_post").matches());
    }

    @Test
    void interventionsReplaceTheTensorTheModelUses() {
        try (TransformerLM model = TransformerLM.random(TinyModels.gpt2(), 2); NDManager step = model.manager().newSubManager()) {
            float[] clean = model.forward(step, BATCH, Hooks.none()).toFloatArray();
            Hooks zeroNeuron = Hooks.capture("blocks.0.mlp.hook_post")
                    .intervene("blocks.0.mlp.hook_post", x -> x.mul(maskOut(x, 7)));
            float[] ablated = model.forward(step, BATCH, zeroNeuron).toFloatArray();
            NDArray post = zeroNeuron.get("blocks.0.mlp.hook_post");
            assertEquals(0f, post.get(new NDIndex(":, :, 7")).abs().max().getFloat());
            assertTrue(post.get(new NDIndex(":, :, 6")).abs().max().getFloat() > 0);
            assertTrue(Fixtures.maxAbsDiff(clean, ablated) > 1e-5, "ablating a neuron changes the logits");

            // Adding a vector to the residual stream: the captured tensor after the hook holds the sum.
            Hooks steer = Hooks.capture("blocks.1.hook_resid_pre").intervene("blocks.1.hook_resid_pre", x -> x.add(1f));
            model.forward(step, BATCH, steer);
            Hooks plain = Hooks.capture("blocks.1.hook_resid_pre");
            model.forward(step, BATCH, plain);
            float[] diff = steer.get("blocks.1.hook_resid_pre").sub(plain.get("blocks.1.hook_resid_pre")).toFloatArray();
            for (float d : diff) {
                assertEquals(1f, d, 1e-5);
            }
        }
    }

    /**
     * A loss on a hooked tensor back-propagates into the weights: the autograd gradient of
     * sum(hook_post²) w.r.t. one c_fc weight matches a central finite difference.
     */
    @Test
    void lossOnAHookedTensorHasTheRightGradient() {
        String key = "transformer.h.0.mlp.c_fc.weight";
        try (TransformerLM model = TransformerLM.random(TinyModels.gpt2(), 3)) {
            model.setTrainable(k -> k.equals(key));
            float analytic;
            try (NDManager step = model.manager().newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Hooks hooks = Hooks.capture("blocks.0.mlp.hook_post");
                model.forward(step, BATCH, hooks);
                gc.backward(hooks.get("blocks.0.mlp.hook_post").square().sum());
            }
            NDArray w = model.parameters().get(key);
            try (NDArray g = w.getGradient()) {
                analytic = g.getFloat(3, 5);
                assertTrue(g.abs().sum().getFloat() > 0);
            }
            assertTrue(!model.parameters().get("transformer.h.0.mlp.c_proj.weight").hasGradient(),
                    "parameters outside the chosen subset get no gradient");
            float eps = 1e-2f;
            float orig = w.getFloat(3, 5);
            w.set(new NDIndex(3, 5), orig + eps);
            double up = hookLoss(model);
            w.set(new NDIndex(3, 5), orig - eps);
            double down = hookLoss(model);
            w.set(new NDIndex(3, 5), orig);
            double numeric = (up - down) / (2 * eps);
            assertEquals(numeric, analytic, 1e-2 * Math.max(1, Math.abs(numeric)));
        }
    }

    private static double hookLoss(TransformerLM model) {
        try (NDManager step = model.manager().newSubManager()) {
            Hooks hooks = Hooks.capture("blocks.0.mlp.hook_post");
            model.forward(step, BATCH, hooks);
            return hooks.get("blocks.0.mlp.hook_post").square().sum().getFloat();
        }
    }

    /** A 0/1 vector over the last axis of x with a 0 at index i. */
    private static NDArray maskOut(NDArray x, int i) {
        long d = x.getShape().get(x.getShape().dimension() - 1);
        float[] m = new float[(int) d];
        java.util.Arrays.fill(m, 1f);
        m[i] = 0f;
        return x.getManager().create(m);
    }
}
