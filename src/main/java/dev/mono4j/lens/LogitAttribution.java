package dev.mono4j.lens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.TransformerLM;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct logit attribution at a text's last position: the final residual x is the sum of its components (the
 * embeddings, positions included, as {@code blocks.0.hook_resid_pre}; each layer's {@code hook_attn_out} and
 * {@code hook_mlp_out}), and each component c contributes (P(c) / s ⊙ w) · (W_U[answer] − W_U[wrong]) to the
 * logit difference, with the final norm's scale s frozen at x's (see {@link FinalNorm}). The contributions plus the
 * norm's bias term b · (W_U[answer] − W_U[wrong]) sum to the model's logit difference (before a final soft cap,
 * Gemma-2's, which bends it afterwards). TransformerLens:
 * {@code ActivationCache.decompose_resid} and {@code logit_attrs} (transformer_lens/ActivationCache.py@0033815),
 * whose labels ("embed", "0_attn_out", "0_mlp_out", "L0H1") we keep. Per-head contributions come from
 * {@code blocks.l.attn.hook_result} when the model has that hook; they sum to the layer's attn_out less the output
 * projection's bias, which TransformerLens leaves out of hook_result as well.
 */
public final class LogitAttribution {
    /** One component's share of the logit difference. */
    public record Component(String name, double contribution) {
    }

    /**
     * {@code components} and {@code normBias} sum to {@code logitDiff} (up to float rounding); {@code heads} is empty
     * when the model has no per-head hook.
     */
    public record Result(LogitDiff target, List<Component> components, double normBias, double logitDiff,
            List<Component> heads) {
        public Result {
            components = List.copyOf(components);
            heads = List.copyOf(heads);
        }

        /** Σ contributions + the bias term: the logit difference the decomposition accounts for. */
        public double total() {
            return components.stream().mapToDouble(Component::contribution).sum() + normBias;
        }
    }

    private LogitAttribution() {
    }

    public static Result run(TransformerLM model, long[] ids, LogitDiff target) {
        target.check(model);
        int layers = model.config().numLayers();
        boolean perHead = model.hookNames().contains(HookPoint.attnResult(0));
        try (NDManager step = model.manager().newSubManager()) {
            Hooks hooks = Hooks.capture(HookPoint.residPre(0) + "," + HookPoint.layerGlob(HookPoint.attnOut(0)) + ","
                    + HookPoint.layerGlob(HookPoint.mlpOut(0)) + "," + HookPoint.residPost(layers - 1) + ","
                    + HookPoint.LN_FINAL + (perHead ? "," + HookPoint.layerGlob(HookPoint.attnResult(0)) : ""));
            model.forward(step, TokenBatch.of(ids), hooks);
            double[] direction = direction(model, target);
            // The difference before any final soft cap (Gemma-2 bends logits after the head; the components add up
            // only before it): the normalised residual on the direction. Without a cap it is the logits' difference.
            double logitDiff = dot(lastPosition(hooks.get(HookPoint.LN_FINAL)), direction);
            FinalNorm norm = FinalNorm.of(model);
            double scale = norm.scale(lastPosition(hooks.get(HookPoint.residPost(layers - 1))));
            List<Component> components = new ArrayList<>();
            components.add(component("embed", hooks.get(HookPoint.residPre(0)), norm, scale, direction));
            List<Component> heads = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                components.add(component(l + "_attn_out", hooks.get(HookPoint.attnOut(l)), norm, scale, direction));
                components.add(component(l + "_mlp_out", hooks.get(HookPoint.mlpOut(l)), norm, scale, direction));
                if (perHead) {
                    NDArray result = hooks.get(HookPoint.attnResult(l)); // [1, T, heads, d_model]
                    for (int h = 0; h < model.config().numHeads(); h++) {
                        heads.add(component("L" + l + "H" + h, result.get(new NDIndex(":, :, {}, :", h)), norm, scale,
                                direction));
                    }
                }
            }
            return new Result(target, components, dot(norm.bias(), direction), logitDiff, heads);
        }
    }

    private static Component component(String name, NDArray activation, FinalNorm norm, double scale,
            double[] direction) {
        return new Component(name, dot(norm.frozen(lastPosition(activation), scale), direction));
    }

    /** W_U[answer] − W_U[wrong], the residual direction of the logit difference, in double. */
    private static double[] direction(TransformerLM model, LogitDiff target) {
        NDArray head = model.unembedding();
        try (NDArray a = head.get(target.answer()); NDArray w = head.get(target.wrong())) {
            float[] av = a.toFloatArray();
            float[] wv = w.toFloatArray();
            double[] d = new double[av.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = (double) av[i] - wv[i];
            }
            return d;
        }
    }

    /** The last position of a {@code [1, T, d]} activation, in double. */
    static double[] lastPosition(NDArray x) {
        long last = x.getShape().get(1) - 1;
        float[] v = x.get(new NDIndex(":, {}, :", last)).toFloatArray();
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
