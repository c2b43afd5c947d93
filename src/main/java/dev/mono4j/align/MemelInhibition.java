package dev.mono4j.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.metrics.MonosemanticScale;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * MEmeL's inhibition of monosemantic neurons (Wang et al., KDD 2024), the intervention opposite to DecPO:
 * during training, the K neurons of one hook with the highest monosemantic scale in the current batch get
 * <em>reverse deactivation</em> z' = −z + stopgrad(z̄ + z), with z̄ the neuron's running mean. The forward
 * value is z̄ (the neuron carries no information about this batch) and the gradient through z is reversed.
 *
 * <p>The scale is {@link MonosemanticScale}'s online statistic over the batch's real tokens (padding left
 * out), each batch scored against the statistics of the batches before it. Inhibition starts late, once
 * the statistics span one forgetting window of tokens, so early batches are not judged against a mean of
 * a few tokens. Evaluation and reference passes do not use it.
 */
public final class MemelInhibition {
    private final String hook;
    private final int k;
    private final int window;
    private final MonosemanticScale scale;
    private int[] lastInhibited = new int[0];

    /** @param width the hook's neurons; {@code window} and {@code epsilon} as {@link MonosemanticScale} */
    public MemelInhibition(String hook, int width, int k, int window, double epsilon) {
        this.hook = hook;
        this.k = Math.min(k, width);
        this.window = window;
        this.scale = new MonosemanticScale(width, window, epsilon);
    }

    /** Adds the inhibition at the hook to {@code hooks} for one training forward pass over {@code batch}. */
    public Hooks addTo(Hooks hooks, TokenBatch batch) {
        return hooks.intervene(hook, (name, z) -> inhibit(z, batch.mask()));
    }

    /** The neurons inhibited in the last batch (empty before the late start). */
    public int[] lastInhibited() {
        return lastInhibited.clone();
    }

    public MonosemanticScale.State state() {
        return scale.state();
    }

    public void restore(MonosemanticScale.State s) {
        scale.restore(s);
    }

    /** z {@code [B, T, d]}; mask {@code [B·T]}, 1 for real tokens. */
    NDArray inhibit(NDArray z, long[] mask) {
        NDManager m = z.getManager();
        long d = z.getShape().get(2);
        long[] real = IntStream.range(0, mask.length).filter(i -> mask[i] != 0).asLongStream().toArray();
        boolean started = scale.history() >= window;
        double[] runningMean = scale.mean(); // the statistics this batch is scored against
        double[] phi = scale.add(z.stopGradient().reshape(-1, d).get(m.create(real)));
        if (!started || phi == null) {
            lastInhibited = new int[0];
            return z;
        }
        lastInhibited = IntStream.range(0, phi.length).boxed().sorted(Comparator.comparingDouble((Integer i) -> -phi[i]))
                .limit(k).mapToInt(Integer::intValue).sorted().toArray();
        float[] selected = new float[(int) d];
        float[] mean = new float[(int) d];
        for (int i : lastInhibited) {
            selected[i] = 1;
            mean[i] = (float) runningMean[i];
        }
        NDArray sel = m.create(selected);
        NDArray keep = m.ones(new Shape(d)).sub(sel.mul(m.full(new Shape(), 2f))); // 1, or −1 where inhibited
        // −z + stopgrad(z̄ + z) on the selected neurons, z elsewhere: forward value z̄, gradient −1.
        return z.mul(keep).add(z.stopGradient().add(m.create(mean)).mul(sel));
    }
}
