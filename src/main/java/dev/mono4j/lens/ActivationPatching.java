package dev.mono4j.lens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.TransformerLM;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Activation patching (Meng et al. 2022, "Locating and Editing Factual Associations in GPT", §2.1 causal tracing;
 * the denoising set-up of Heimersheim & Nanda 2024, "How to use and interpret activation patching"): run the
 * corrupted text, replace one hook's activation at one layer and position (and head, for {@code z}) by its value in
 * the clean run, and see how much of the clean logit difference comes back. The metric is TransformerLens'
 * normalised logit difference (Exploratory Analysis Demo; {@code transformer_lens.patching}'s
 * {@code get_act_patch_resid_pre} and friends): (patched − corrupt) / (clean − corrupt), 0 when the patch changes
 * nothing, 1 when it restores the clean run; NaN (JSON null) when clean and corrupt agree.
 *
 * <p>Each patched run is one row of a batch of copies of the corrupted text, each row with its own patch, so a
 * forward pass tries {@link Config#batchSize} patches.
 */
public final class ActivationPatching {
    /** Rows per patched forward pass (our choice: a 4-layer ConceptWorld model patches a short text in a few passes). */
    public static final int DEFAULT_BATCH_SIZE = 64;

    /** Which activation is patched: the hook, and whether it is patched per head. */
    public enum Hook {
        /** The residual stream entering each block (TransformerLens' default patching target). */
        RESID_PRE(HookPoint::residPre, false),
        ATTN_OUT(HookPoint::attnOut, false),
        MLP_OUT(HookPoint::mlpOut, false),
        /** One head's slice of {@code attn.hook_z [batch, pos, head, d_head]}, per head. */
        Z(HookPoint::attnZ, true);

        private final IntFunction<String> name;
        private final boolean perHead;

        Hook(IntFunction<String> name, boolean perHead) {
            this.name = name;
            this.perHead = perHead;
        }

        public String name(int layer) {
            return name.apply(layer);
        }
    }

    public record Config(Hook hook, int batchSize) {
        public static final Config DEFAULT = new Config(Hook.RESID_PRE, DEFAULT_BATCH_SIZE);

        public Config {
            if (hook == null) {
                throw new IllegalArgumentException("a hook to patch is required");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        public static final class Builder {
            private Hook hook = DEFAULT.hook;
            private int batchSize = DEFAULT.batchSize;

            public Builder hook(Hook v) {
                hook = v;
                return this;
            }

            public Builder batchSize(int v) {
                batchSize = v;
                return this;
            }

            public Config build() {
                return new Config(hook, batchSize);
            }
        }
    }

    /**
     * One patch: the layer, the head (−1 when the hook is not per head) and the position whose clean activation
     * replaces the corrupted one.
     */
    public record Patch(int layer, int head, int position) {
    }

    /**
     * Rows are layers ("L0", ...) or layer-heads ("L0H1", ...), columns positions; {@code logitDiff[row][pos]} the
     * patched run's logit difference, {@link #normalised} the metric.
     */
    public record Result(Hook hook, LogitDiff target, long[] clean, long[] corrupt, double cleanDiff,
            double corruptDiff, List<String> rows, double[][] logitDiff) {
        public Result {
            clean = clean.clone();
            corrupt = corrupt.clone();
            rows = List.copyOf(rows);
            logitDiff = Arrays.stream(logitDiff).map(double[]::clone).toArray(double[][]::new);
        }

        @Override
        public long[] clean() {
            return clean.clone();
        }

        @Override
        public long[] corrupt() {
            return corrupt.clone();
        }

        @Override
        public double[][] logitDiff() {
            return Arrays.stream(logitDiff).map(double[]::clone).toArray(double[][]::new);
        }

        /** (patched − corrupt) / (clean − corrupt) per row and position. */
        public double[][] normalised() {
            double span = cleanDiff - corruptDiff;
            return Arrays.stream(logitDiff).map(r -> Arrays.stream(r).map(d -> span == 0 ? Double.NaN
                    : (d - corruptDiff) / span).toArray()).toArray(double[][]::new);
        }
    }

    private ActivationPatching() {
    }

    public static Result run(TransformerLM model, long[] clean, long[] corrupt, LogitDiff target, Config cfg) {
        if (clean.length != corrupt.length) {
            throw new UserInputException("the clean and corrupted texts must have the same number of tokens (clean "
                    + clean.length + ", corrupted " + corrupt.length + ")");
        }
        Hook hook = cfg.hook();
        if (!model.hookNames().contains(hook.name(0))) {
            throw new UserInputException("this model has no hook " + hook.name(0) + " to patch");
        }
        target.check(model);
        int layers = model.config().numLayers();
        int heads = hook.perHead ? model.config().numHeads() : 1;
        int t = clean.length;
        try (NDManager run = model.manager().newSubManager()) {
            Hooks cleanHooks = Hooks.capture(HookPoint.layerGlob(hook.name(0)));
            double cleanDiff = target.lastPosition(model.forward(run, TokenBatch.of(clean), cleanHooks))[0];
            double corruptDiff = target.lastPosition(model.forward(run, TokenBatch.of(corrupt), Hooks.none()))[0];
            List<Patch> patches = new ArrayList<>();
            List<String> rows = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    rows.add(hook.perHead ? "L" + l + "H" + h : "L" + l);
                    for (int p = 0; p < t; p++) {
                        patches.add(new Patch(l, hook.perHead ? h : -1, p));
                    }
                }
            }
            double[] diffs = new double[patches.size()];
            for (int start = 0; start < patches.size(); start += cfg.batchSize()) {
                List<Patch> batch = patches.subList(start, Math.min(start + cfg.batchSize(), patches.size()));
                try (NDManager step = run.newSubManager()) {
                    double[] d = patched(model, step, corrupt, target, hook, cleanHooks, batch);
                    System.arraycopy(d, 0, diffs, start, d.length);
                }
            }
            double[][] grid = new double[rows.size()][t];
            for (int i = 0; i < diffs.length; i++) {
                grid[i / t][i % t] = diffs[i];
            }
            return new Result(hook, target, clean, corrupt, cleanDiff, corruptDiff, rows, grid);
        }
    }

    /** The logit difference of each patch, run as the rows of one batch of copies of the corrupted text. */
    private static double[] patched(TransformerLM model, NDManager step, long[] corrupt, LogitDiff target, Hook hook,
            Hooks clean, List<Patch> patches) {
        int n = patches.size();
        long[] ids = new long[n * corrupt.length];
        for (int r = 0; r < n; r++) {
            System.arraycopy(corrupt, 0, ids, r * corrupt.length, corrupt.length);
        }
        Hooks hooks = Hooks.none().intervene(HookPoint.layerGlob(hook.name(0)),
                (name, x) -> replace(x, clean.get(name), HookPoint.layer(name).getAsInt(), patches, hook.perHead));
        return target.lastPosition(model.forward(step, TokenBatch.of(n, corrupt.length, ids), hooks));
    }

    /**
     * x − m ⊙ (x − clean), where the mask m {@code [rows, T, 1]} (per head: {@code [rows, T, heads, 1]}) is 1 at each
     * row's patched position (and head) when its patch is in {@code layer}; x unchanged when no row patches it.
     */
    private static NDArray replace(NDArray x, NDArray clean, int layer, List<Patch> patches, boolean perHead) {
        Shape shape = x.getShape();
        int t = Math.toIntExact(shape.get(1));
        int heads = perHead ? Math.toIntExact(shape.get(2)) : 1;
        float[] mask = new float[patches.size() * t * heads];
        boolean any = false;
        for (int r = 0; r < patches.size(); r++) {
            Patch p = patches.get(r);
            if (p.layer() == layer) {
                mask[(r * t + p.position()) * heads + Math.max(p.head(), 0)] = 1;
                any = true;
            }
        }
        if (!any) {
            return x;
        }
        Shape maskShape = perHead ? new Shape(patches.size(), t, heads, 1) : new Shape(patches.size(), t, 1);
        NDArray m = x.getManager().create(mask, maskShape);
        return x.sub(x.sub(clean).mul(m)); // x first: the result belongs to the batch's manager
    }
}
