package dev.mono4j.select;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.UserInputException;
import dev.mono4j.data.EncodedTexts;
import dev.mono4j.data.LabelledText;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.Transformer;
import dev.mono4j.sae.SparseAutoencoder;
import dev.mono4j.tokenize.Tokenizer;
import java.util.List;

/**
 * A sample's vector from a model's activations at one hook: its token vectors — SAE codes z_k = SAE(h_k) (Eq. 6 of
 * arXiv 2503.15573v2), or the raw activations h_k — pooled over its text tokens (Eq. 7: the mean; or the sum,
 * the ablation of App. D.5).
 *
 * <p>Special tokens (BOS, attention sinks) and padding are left out of the pooling ({@link EncodedTexts}' rows), as
 * the fact sheet's pitfalls ask. Padding is on the right, so a causal model's text tokens see no padding.
 */
final class ActivationVectors implements SampleVectors {
    private final Transformer model;
    private final Tokenizer tok;
    private final SparseAutoencoder sae;
    private final String saeName;
    private final String hook;
    private final int maxTokens;
    private final Aggregation aggregate;
    private final ObjectNode key;

    private ActivationVectors(Transformer model, Tokenizer tok, SparseAutoencoder sae, SelectConfig cfg) {
        this.model = model;
        this.tok = tok;
        this.sae = sae;
        this.saeName = sae == null ? null : cfg.sae().toString();
        this.hook = hook(cfg, model, sae);
        this.maxTokens = model.config().tokenLimit(cfg.maxTokens());
        this.aggregate = cfg.aggregate();
        this.key = Json.MAPPER.createObjectNode().put("vectors", sae == null ? "activations" : "sae codes")
                .put("model", Selection.abs(cfg.model())).put("sae", sae == null ? null : Selection.abs(cfg.sae()))
                .put("hook", hook).put("aggregate", aggregate.name().toLowerCase(java.util.Locale.ROOT))
                .put("max_tokens", maxTokens);
    }

    /**
     * Loads the model (and with {@code withSae} the SAE of {@code cfg.sae()}). The hook is {@code cfg.hook()}, else
     * the SAE's {@code hook_name}, else the residual stream after the penultimate block ({@link #defaultHook}).
     */
    static ActivationVectors open(SelectConfig cfg, boolean withSae, NonFinite nonFinite) {
        Transformer model = Checkpoint.load(cfg.model(), nonFinite);
        Tokenizer tok = null;
        SparseAutoencoder sae = null;
        try {
            tok = Tokenizer.load(cfg.model());
            sae = withSae ? SparseAutoencoder.load(cfg.sae(), model.manager(), nonFinite) : null;
            return new ActivationVectors(model, tok, sae, cfg);
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
        if (!model.hookNames().contains(hook) || !HookPoint.positionwise(hook)) {
            throw new UserInputException("--hook '" + hook + "' is not a hook point with a vector per position of " + cfg.model() + " (e.g. "
                    + defaultHook(model.config().numLayers()) + "; ./mono4j inspect lists them)");
        }
        return hook;
    }

    @Override
    public String hook() {
        return hook;
    }

    @Override
    public NDManager manager() {
        return model.manager();
    }

    @Override
    public ObjectNode key() {
        return key.deepCopy();
    }

    @Override
    public NDArray vectors(NDManager step, List<LabelledText> batch) {
        EncodedTexts enc = EncodedTexts.encode(tok, batch, maxTokens);
        model.checkTokenIds(enc.batch(), batch.get(0).source() + " (batch starting here): ");
        Hooks h = Hooks.capture(hook);
        model.forward(step, enc.batch(), h);
        NDArray a = Hooks.positionRows(hook, h.get(hook));
        int width = Math.toIntExact(a.getShape().get(2));
        if (sae != null && sae.dIn() != width) {
            throw new UserInputException(saeName + ": the SAE reads " + sae.dIn() + "-wide vectors, but " + hook
                    + " is " + width + " wide");
        }
        NDArray rows = enc.textRows(a, step);
        NDArray tokens = sae == null ? rows : sae.encode(rows);
        // 1/n (mean, Eq. 7) or 1 (sum) on each of a text's own rows, by a product over all rows of the batch.
        return step.create(enc.poolingMatrix(aggregate.rows()), new Shape(batch.size(), enc.rows().length))
                .matMul(tokens);
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
