package dev.mono4j.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.metrics.MonosemanticScale;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * MEmeL's inhibition of monosemantic neurons (Wang et al., "Learning from Emergence", KDD 2024, arXiv
 * 2312.11560; code dominatorX/MEmeL-code {@code EmeL.py}@b8ce373, cited as L·· below), the intervention opposite
 * to DecPO. During training, the most monosemantic units of one hook get generalised reverse deactivation
 * (App. E.3) z' = −Δ·z + stopgrad(z̄ + Δ·z), z̄ the running mean: the forward value is z̄ and the gradient
 * through z is −Δ, so the update shrinks the deviation (Eq.12–14, Lemma 3.3). Δ = 1 is the paper's RD (Eq.12,
 * the code's {@code ratio} = 1); Δ = 0 and −1 are its naive deactivations (Eq.10–11).
 *
 * <p>Statistics are {@link MonosemanticScale}'s (Lemma 3.2, forgetting, variance compensation) per channel over
 * the batch's real tokens. The code keeps one statistic per (position, channel) of BERT's 128 padded
 * positions (L37–39); with variable-length, padded causal batches a position's statistic would mix padding
 * and real tokens, so we pool a channel's real tokens (our choice). Padding positions are neither counted
 * nor selected; the code has no mask, so its statistics include padding and its top-1 may fall on one.
 *
 * <p>Two selections, {@link Selection}: the paper's and code's (default), and this project's earlier one.
 * Evaluation and reference passes do not inhibit (the paper removes the module at test, §3.3; L36).
 */
public final class MemelInhibition {
    /** Which units are inhibited. */
    public enum Selection {
        /**
         * Default, as the code (L20–33, L64–78) and App. E.3 ("for each sample"): per sample, the k units with
         * the highest φ over all its real positions × channels (ties at the k-th value all selected, as the
         * code's {@code max ==} and {@code kthvalue <=} do), scored against statistics that already include the
         * current batch (L45–59 update, then punish). Forgetting and late start both at n_f batches (the
         * code's {@code h_upper} = 10 serves both, L45–56).
         */
        PER_SAMPLE,
        /**
         * As {@link #PER_SAMPLE}, but scored against the statistics before the batch, in the order of the paper's
         * Alg. 1 (score, then update); the code updates first (L45–59 before L64–78). Not the default: the
         * issue that made MEmeL exact asks for the code's order, which is what the authors ran.
         */
        PER_SAMPLE_PAPER_ORDER,
        /**
         * This project's earlier variant (our choice, kept for comparison): the k channels with the largest φ
         * anywhere in the batch, scored against the statistics before it, inhibited at every position; history
         * forgotten beyond a window of tokens, inhibition starting once the statistics span one.
         */
        PER_BATCH;

        /** Selects per sample, forgetting and starting late in batches. */
        public boolean perSample() {
            return this != PER_BATCH;
        }
    }

    private final String hook;
    private final Selection selection;
    private final int k;
    private final double delta;
    private final MonosemanticScale scale;
    private int[] lastInhibited = new int[0];

    /**
     * @param width      the hook's channels
     * @param forgetting the history the statistics keep; inhibition starts once it is reached (late start)
     * @param epsilon    variance compensation ε, a fraction of the mean variance (Alg. 2; 0.01 in L24)
     */
    public MemelInhibition(String hook, int width, Selection selection, int k, double delta,
            MonosemanticScale.Forgetting forgetting, double epsilon) {
        this.hook = hook;
        this.selection = selection;
        this.k = selection == Selection.PER_BATCH ? Math.min(k, width) : k;
        this.delta = delta;
        this.scale = new MonosemanticScale(width, forgetting, epsilon);
    }

    /** The inhibition {@code cfg} asks for at {@code hook} of {@code width} channels. */
    static MemelInhibition of(String hook, int width, AlignConfig cfg) {
        MonosemanticScale.Forgetting forgetting = cfg.memelSelect().perSample()
                ? MonosemanticScale.Forgetting.batches(cfg.memelBatches())
                : MonosemanticScale.Forgetting.tokens(cfg.memelWindow());
        return new MemelInhibition(hook, width, cfg.memelSelect(), cfg.inhibitK(), cfg.memelDelta(), forgetting, cfg.memelEps());
    }

    /** Adds the inhibition at the hook to {@code hooks} for one training forward pass over {@code batch}. */
    public Hooks addTo(Hooks hooks, TokenBatch batch) {
        return hooks.intervene(hook, (name, z) -> inhibit(z, batch.mask()));
    }

    /** The channels inhibited (at any position) in the last batch, ascending; empty before the late start. */
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
        return selection.perSample() ? perSample(z, mask) : perBatch(z, mask);
    }

    private NDArray perSample(NDArray z, long[] mask) {
        NDManager m = z.getManager();
        Shape shape = z.getShape();
        long batch = shape.get(0);
        long d = shape.get(2);
        boolean started = scale.lateStartReached(); // L56: RD once h_count > h_upper, i.e. after n_f batches
        boolean paperOrder = selection == Selection.PER_SAMPLE_PAPER_ORDER;
        double[] meanBefore = paperOrder && started ? scale.mean() : null; // Alg. 1: scored against the history before the batch
        double[] s2Before = paperOrder && started ? scale.compensatedVariance() : null;
        scale.learn(realRows(z.stopGradient(), mask)); // L45–55: the statistics learn the batch before it is scored
        if (!started) {
            lastInhibited = new int[0];
            return z;
        }
        double[] s2 = paperOrder ? s2Before : scale.compensatedVariance();
        float[] inverseS2 = new float[(int) d];
        for (int i = 0; i < d; i++) {
            inverseS2[i] = s2[i] > 0 ? (float) (1 / s2[i]) : 0; // a layer that never varied scores 0, not 0/0
        }
        NDArray mean = m.create(floats(paperOrder ? meanBefore : scale.mean()));
        // φ = (z − μ)² / (υ + ε·mean υ), L24; padding scores −∞ so it is never selected.
        NDArray phi = z.stopGradient().sub(mean).square().mul(m.create(inverseS2));
        float[] padding = new float[mask.length];
        for (int i = 0; i < mask.length; i++) {
            padding[i] = mask[i] != 0 ? 0 : Float.NEGATIVE_INFINITY;
        }
        NDArray flat = phi.add(m.create(padding, new Shape(batch, shape.get(1), 1))).reshape(batch, -1);
        long units = flat.getShape().get(1);
        long rank = Math.min(k, units);
        // Per sample, every unit at or above the k-th largest φ (L25–26 for k = 1; L70–71 otherwise).
        NDArray kth = flat.sort(1).get(":, " + (units - rank) + ":" + (units - rank + 1));
        NDArray selected = flat.gte(kth).logicalAnd(flat.gt(m.create(Float.NEGATIVE_INFINITY)))
                .toType(DataType.FLOAT32, false).reshape(shape);
        float[] perChannel = selected.sum(new int[] {0, 1}).toFloatArray();
        lastInhibited = IntStream.range(0, (int) d).filter(i -> perChannel[i] > 0).toArray();
        return reverseDeactivation(z, selected, mean);
    }

    private NDArray perBatch(NDArray z, long[] mask) {
        NDManager m = z.getManager();
        long d = z.getShape().get(2);
        boolean started = scale.lateStartReached();
        double[] runningMean = scale.mean(); // the statistics this batch is scored against
        double[] phi = scale.add(realRows(z.stopGradient(), mask));
        if (!started || phi == null) {
            lastInhibited = new int[0];
            return z;
        }
        lastInhibited = IntStream.range(0, phi.length).boxed().sorted(Comparator.comparingDouble((Integer i) -> -phi[i]))
                .limit(k).mapToInt(Integer::intValue).sorted().toArray();
        float[] selected = new float[(int) d];
        for (int i : lastInhibited) {
            selected[i] = 1;
        }
        return reverseDeactivation(z, m.create(selected), m.create(floats(runningMean)));
    }

    /** The rows of {@code z} {@code [B, T, d]} at real tokens, {@code [real, d]}. */
    private static NDArray realRows(NDArray z, long[] mask) {
        long[] real = IntStream.range(0, mask.length).filter(i -> mask[i] != 0).asLongStream().toArray();
        return z.reshape(-1, z.getShape().get(2)).get(z.getManager().create(real));
    }

    /**
     * Generalised RD (App. E.3), written as the code does (L31–32, L76–77):
     * z' = (1 − s·(1 + Δ))·z + s·(z̄ + Δ·stopgrad(z)), s = 1 on selected units and 0 elsewhere. On a selected
     * unit that is −Δ·z + stopgrad(z̄ + Δ·z): value z̄, gradient −Δ.
     */
    private NDArray reverseDeactivation(NDArray z, NDArray selected, NDArray mean) {
        NDManager m = z.getManager();
        NDArray keep = m.ones(new Shape()).sub(selected.mul(m.create((float) (1 + delta))));
        NDArray replacement = mean.add(z.stopGradient().mul(m.create((float) delta)));
        return z.mul(keep).add(replacement.mul(selected));
    }

    private static float[] floats(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }
}
