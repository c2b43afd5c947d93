package dev.mono4j.select;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.UserInputException;
import dev.mono4j.data.EncodedTexts;
import dev.mono4j.data.LabelledText;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.Transformer;
import dev.mono4j.sae.SparseAutoencoder;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Scores samples by a model's activations at one hook: each sample's token vectors (SAE codes, or the raw
 * activations) pooled over its text tokens into one vector (Eq. 6–7 of arXiv 2503.15573v2), compared with the
 * prototype, the mean of the targets' vectors (Eq. 8), by a {@link Similarity} (Eq. 9 for Jaccard).
 *
 * <p>Special tokens (BOS, attention sinks) and padding are left out of the pooling ({@link EncodedTexts}' rows), as
 * the fact sheet's pitfalls ask. Padding is on the right, so a causal model's text tokens see no padding.
 */
final class ActivationScorer implements PoolScorer {
    private final Transformer model;
    private final Tokenizer tok;
    private final SparseAutoencoder sae;
    private final String hook;
    private final int maxTokens;
    private final Aggregation aggregate;
    private final Similarity similarity;
    private final String saeName;
    private final float[] prototype;

    private ActivationScorer(Transformer model, Tokenizer tok, SparseAutoencoder sae, String saeName, String hook,
            SelectConfig cfg, Similarity similarity, List<LabelledText> targets) {
        this.model = model;
        this.tok = tok;
        this.sae = sae;
        this.saeName = saeName;
        this.hook = hook;
        this.maxTokens = model.config().tokenLimit(cfg.maxTokens());
        this.aggregate = cfg.aggregate();
        this.similarity = similarity;
        this.prototype = prototype(targets, cfg.batchSize());
    }

    /**
     * Loads the model (and with {@code withSae} the SAE of {@code cfg.sae()}) and computes the targets' prototype.
     * The hook is {@code cfg.hook()}, else the SAE's {@code hook_name}, else the residual stream after the
     * penultimate block ({@link #defaultHook}).
     */
    static ActivationScorer open(SelectConfig cfg, List<LabelledText> targets, Similarity similarity, boolean withSae,
            NonFinite nonFinite) {
        Transformer model = Checkpoint.load(cfg.model(), nonFinite);
        Tokenizer tok = null;
        SparseAutoencoder sae = null;
        try {
            tok = Tokenizer.load(cfg.model());
            sae = withSae ? SparseAutoencoder.load(cfg.sae(), model.manager(), nonFinite) : null;
            return new ActivationScorer(model, tok, sae, withSae ? cfg.sae().toString() : null,
                    hook(cfg, model, sae), cfg, similarity,
                    targets);
        } catch (RuntimeException e) {
            if (sae != null) {
                sae.close();
            }
            if (tok != null) {
                tok.close();
            }
            model.close();
            throw e;
        }
    }

    /**
     * MoNA reads the penultimate layer ("31" of LLaMA-3-8B, §3.1 and Table 12); we read the residual stream after
     * the penultimate block (Hugging Face's {@code hidden_states[L - 1]}), or after the only block of a one-block
     * model. Which of the two last blocks "31" names is ambiguous (the fact sheet's pitfall 3): our choice.
     */
    static String defaultHook(int layers) {
        return HookPoint.residPost(Math.max(0, layers - 2));
    }

    private static String hook(SelectConfig cfg, Transformer model, SparseAutoencoder sae) {
        String saeHook = sae == null ? null : sae.hookName();
        if (cfg.hook() != null && saeHook != null && !cfg.hook().equals(saeHook)) {
            throw new UserInputException("--hook " + cfg.hook() + " differs from the hook the SAE in " + cfg.sae()
                    + " was trained on (" + saeHook + "); drop --hook to read " + saeHook);
        }
        String hook = cfg.hook() != null ? cfg.hook() : saeHook != null ? saeHook : defaultHook(model.config().numLayers());
        if (!model.hookNames().contains(hook)) {
            throw new UserInputException("--hook '" + hook + "' is not a hook point of " + cfg.model() + " (e.g. "
                    + defaultHook(model.config().numLayers()) + "; ./mono4j inspect lists them)");
        }
        return hook;
    }

    @Override
    public String hook() {
        return hook;
    }

    /** The prototype: the mean of the targets' pooled vectors (Eq. 8). */
    private float[] prototype(List<LabelledText> targets, int batchSize) {
        double[] sum = null;
        for (int start = 0; start < targets.size(); start += batchSize) {
            List<LabelledText> part = targets.subList(start, Math.min(targets.size(), start + batchSize));
            try (NDManager step = model.manager().newSubManager()) {
                NDArray v = pooled(step, part);
                int d = Math.toIntExact(v.getShape().get(1));
                float[] rows = v.toFloatArray();
                if (sum == null) {
                    sum = new double[d];
                }
                for (int i = 0; i < rows.length; i++) {
                    sum[i % d] += rows[i];
                }
            }
        }
        float[] p = new float[sum.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (sum[i] / targets.size());
        }
        return p;
    }

    @Override
    public float[] score(long first, List<LabelledText> batch) {
        try (NDManager step = model.manager().newSubManager()) {
            return similarity.score(pooled(step, batch), step.create(prototype)).toFloatArray();
        }
    }

    /** The batch's sample vectors {@code [B, D]}: token codes (or activations) pooled over each text's tokens. */
    private NDArray pooled(NDManager step, List<LabelledText> batch) {
        EncodedTexts enc = EncodedTexts.encode(tok, batch, maxTokens);
        model.checkTokenIds(enc.batch(), batch.get(0).source() + " (batch starting here): ");
        Hooks h = Hooks.capture(hook);
        model.forward(step, enc.batch(), h);
        NDArray a = h.get(hook);
        int width = Math.toIntExact(a.getShape().get(2));
        NDArray rows = a.reshape(-1, width).get(new NDIndex("{}", step.create(Arrays.stream(enc.rows()).asLongStream()
                .toArray())));
        if (sae != null && sae.dIn() != width) {
            throw new UserInputException(saeName + ": the SAE reads " + sae.dIn() + "-wide vectors, but " + hook
                    + " is " + width + " wide");
        }
        NDArray tokens = sae == null ? rows : sae.encode(rows);
        // One row of weights per text over all rows of the batch: 1/n (mean, Eq. 7) or 1 (sum) on its own tokens.
        int r = enc.rows().length;
        float[] weights = new float[batch.size() * r];
        for (int b = 0; b < batch.size(); b++) {
            int n = enc.firstRow()[b + 1] - enc.firstRow()[b];
            Arrays.fill(weights, b * r + enc.firstRow()[b], b * r + enc.firstRow()[b + 1],
                    aggregate == Aggregation.MEAN ? 1f / n : 1f);
        }
        NDArray pooled = step.create(weights, new Shape(batch.size(), r)).matMul(tokens);
        if (similarity == Similarity.JACCARD) {
            float min = pooled.min().getFloat();
            if (min < 0) {
                throw new UserInputException(saeName + ": its codes are negative (" + min + ") for the batch starting at "
                        + batch.get(0).source() + "; generalised Jaccard needs non-negative codes (try --method cosine)");
            }
        }
        return pooled;
    }

    @Override
    public void close() {
        if (sae != null) {
            sae.close();
        }
        tok.close();
        model.close();
    }
}
