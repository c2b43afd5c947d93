package dev.mono4j.lcm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.ConceptTransformer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Base-LCM (facebookresearch/large_concept_model@fd7db80 {@code lcm/models/base_lcm}): the body's output at
 * position i is the prediction of sentence i + 1; trained by regression on the next normalised embedding with the
 * first position never a target ({@code lcm/train/mse_lcm/criterion.py}, {@code min_context_size=1}).
 */
public final class BaseLcm extends LcmNetwork {
    BaseLcm(ConceptTransformer body, LcmSettings settings) {
        super(body, settings);
    }

    @Override
    Map<String, NDArray> parameters() {
        return body.parameters();
    }

    @Override
    void setTrainable() {
        body.setTrainable(k -> true);
    }

    /** Predictions at positions 0..L−2 against the sentences at 1..L−1, where those are real. */
    @Override
    NDArray loss(NDManager step, ConceptBatch batch, LcmLoss loss, SplittableRandom rng) {
        NDArray inputs = batch.inputs(step);
        NDArray out = body.forward(step, inputs, batch.mask(), Hooks.none());
        return loss.mean(step, out.get(new NDIndex(":, :-1")), inputs.get(new NDIndex(":, 1:")),
                batch.weights(step).get(new NDIndex(":, 1:")));
    }

    /** The mean ℓ2 distance of the predictions to the next real sentences (normalised space), as {@link #loss} pairs them. */
    double meanL2(NDManager step, ConceptBatch batch) {
        NDArray inputs = batch.inputs(step);
        NDArray out = body.forward(step, inputs, batch.mask(), Hooks.none());
        NDArray w = batch.weights(step).get(new NDIndex(":, 1:"));
        NDArray l2 = out.get(new NDIndex(":, :-1")).sub(inputs.get(new NDIndex(":, 1:"))).square().sum(new int[] {-1})
                .sqrt();
        return l2.mul(w).sum().div(w.sum()).getFloat();
    }

    @Override
    void writeExtras(Path folder) {
    }

    /** Their {@code predict_next_sentence} without sampling noise: the output at each context's last position. */
    @Override
    public float[][] predictNext(List<float[][]> contexts, long seed) {
        ConceptBatch batch = ConceptBatch.of(truncated(contexts), settings.dim());
        try (NDManager step = body.manager().newSubManager()) {
            float[] out = body.forward(step, batch.inputs(step), batch.mask(), Hooks.none()).toFloatArray();
            float[][] next = new float[batch.batch()][];
            for (int b = 0; b < batch.batch(); b++) {
                int at = (b * batch.length() + batch.realLength(b) - 1) * settings.dim();
                next[b] = java.util.Arrays.copyOfRange(out, at, at + settings.dim());
            }
            return next;
        }
    }
}
