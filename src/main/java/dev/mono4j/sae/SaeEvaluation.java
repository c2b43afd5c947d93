package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.UserInputException;
import dev.mono4j.console.Progress;
import dev.mono4j.data.EncodedTexts;
import dev.mono4j.data.LabelledText;
import dev.mono4j.data.TextSource;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Evaluates an SAE on rows (reconstruction and sparsity) or spliced into its model over texts: the model runs
 * three times per batch, as it is, with the hook replaced by the SAE's reconstruction, and with the hook
 * zeroed, giving next-token cross-entropies CE_orig, CE_sae, CE_zero and the share of the loss the SAE
 * recovers, (CE_zero − CE_sae) / (CE_zero − CE_orig) (SAELens' ce_loss_score), and the KL divergence
 * KL(p_orig ‖ p_sae) per predicted token.
 */
public final class SaeEvaluation {
    private SaeEvaluation() {
    }

    /** Everything measured with the model. {@code concepts} only for texts with ConceptWorld token labels. */
    public record ModelResult(String hook, int texts, long tokens, ReconstructionStats.Result reconstruction,
            double ceOriginal, double ceSae, double ceZero, double ceLossRecovered, double klDivergence,
            LatentConcepts.Purity purity, List<LatentConcepts.Latent> latents) {
        /** Everything but the per-latent table, as eval.json and the demo's summary.json hold it. */
        public Map<String, Object> toJson() {
            Map<String, Object> j = Json.object("hook", hook, "texts", texts, "tokens", tokens, "reconstruction",
                    reconstruction, "ce_original", ceOriginal, "ce_sae", ceSae, "ce_zero_ablation", ceZero,
                    "ce_loss_recovered", ceLossRecovered, "kl_divergence", klDivergence);
            if (purity != null) {
                j.put("concept_purity", purity);
            }
            return j;
        }
    }

    /** Reconstruction and sparsity over {@code rows} rows of a source, in batches of {@code batchSize}. */
    public static ReconstructionStats.Result onRows(SparseAutoencoder sae, ActivationSource source, long rows, int batchSize,
            double denseThreshold) {
        if (source.dIn() != sae.dIn()) {
            throw new UserInputException("rows have width " + source.dIn() + " but the SAE's d_in is " + sae.dIn());
        }
        ReconstructionStats stats = new ReconstructionStats(sae.dIn(), sae.dSae());
        try (NDManager base = NDManager.newBaseManager()) {
            for (long done = 0; done < rows; ) {
                int n = (int) Math.min(batchSize, rows - done);
                try (NDManager m = base.newSubManager()) {
                    NDArray x = m.create(source.next(n), new Shape(n, sae.dIn()));
                    SparseAutoencoder.Output out = sae.run(x);
                    stats.add(x, out.latents(), out.reconstruction());
                }
                done += n;
            }
        }
        return stats.result(denseThreshold);
    }

    /**
     * Splices the SAE into {@code model} at {@code hook} over the texts. Reconstruction statistics, purity and
     * contexts count text tokens only (not BOS or padding); the splice replaces the hook at every position, as
     * SAELens' evaluation does.
     */
    public static ModelResult onModel(SparseAutoencoder sae, String hook, TransformerLM model, Tokenizer tok,
            TextSource texts, int batchSize, int maxTokens, int topContexts, double denseThreshold, boolean showProgress) {
        if (!model.hookNames().contains(hook) || !HookPoint.positionwise(hook)) {
            throw new UserInputException("hook '" + hook + "' is not a hook point with a vector per position of the model (./mono4j inspect lists them)");
        }
        ReconstructionStats stats = new ReconstructionStats(sae.dIn(), sae.dSae());
        LatentConcepts concepts = new LatentConcepts(sae.dSae(), topContexts);
        Progress progress = showProgress ? new Progress("sae eval", texts.size(), "texts") : null;
        double[] nll = new double[3];
        double kl = 0;
        long predicted = 0;
        long tokens = 0;
        int done = 0;
        Iterator<LabelledText> it = texts.iterator();
        int limit = model.config().tokenLimit(maxTokens);
        while (it.hasNext()) {
            EncodedTexts enc = EncodedTexts.encode(tok, EncodedTexts.nextBatch(it, batchSize), limit);
            model.checkTokenIds(enc.batch(), "texts: ");
            float[] mask = LogProbs.defaultTargetMask(enc.batch());
            try (NDManager m = model.manager().newSubManager()) {
                Hooks capture = Hooks.capture(hook);
                NDArray logits = model.forward(m, enc.batch(), capture);
                NDArray acts = Hooks.positionRows(hook, capture.get(hook));
                long width = acts.getShape().get(2);
                if (width != sae.dIn()) {
                    throw new UserInputException("hook '" + hook + "' has width " + width + " but the SAE's d_in is " + sae.dIn());
                }
                NDArray rows = enc.textRows(acts, m);
                SparseAutoencoder.Output out = sae.run(rows);
                NDArray f = out.latents();
                stats.add(rows, f, out.reconstruction());
                addConcepts(concepts, f.toFloatArray(), sae.dSae(), enc, tok);
                NDArray spliced = model.forward(m, enc.batch(), Hooks.none().intervene(hook, x -> {
                    Shape s = x.getShape();
                    return sae.reconstruct(x.reshape(-1, sae.dIn())).reshape(s);
                }));
                NDArray zeroed = model.forward(m, enc.batch(), Hooks.none().intervene(hook, NDArray::zerosLike));
                NDArray[] logps = {LogProbs.nextToken(logits, enc.batch()), LogProbs.nextToken(spliced, enc.batch()),
                    LogProbs.nextToken(zeroed, enc.batch())};
                for (int i = 0; i < 3; i++) {
                    nll[i] -= LogProbs.sequence(logps[i], mask).sum().getFloat();
                }
                kl += klSum(logits, spliced, mask);
            }
            for (float v : mask) {
                predicted += (long) v;
            }
            tokens += enc.rows().length;
            done += enc.texts();
            if (progress != null) {
                progress.step(enc.texts(), tokens + " tokens");
            }
        }
        if (predicted == 0) {
            throw new UserInputException(texts.name() + ": no tokens to predict (texts of one token?)");
        }
        double ceOrig = nll[0] / predicted;
        double ceSae = nll[1] / predicted;
        double ceZero = nll[2] / predicted;
        List<LatentConcepts.Latent> latents = concepts.latents();
        return new ModelResult(hook, done, tokens, stats.result(denseThreshold), ceOrig, ceSae, ceZero,
                (ceZero - ceSae) / (ceZero - ceOrig), kl / predicted,
                texts.withConcepts() ? LatentConcepts.purity(latents) : null, latents);
    }

    /** Σ over predicted positions of KL(softmax(a) ‖ softmax(b)); logits {@code [B, T, V]}, mask {@code [B*(T-1)]}. */
    private static double klSum(NDArray a, NDArray b, float[] mask) {
        NDArray la = a.logSoftmax(-1);
        NDArray lb = b.logSoftmax(-1);
        NDArray perPosition = la.exp().mul(la.sub(lb)).sum(new int[] {2}).get(":, :-1");
        return perPosition.mul(a.getManager().create(mask, perPosition.getShape())).sum().getFloat();
    }

    /** Feeds each text token's latents to the concept and context tables; contexts are the 8 tokens up to it. */
    private static void addConcepts(LatentConcepts concepts, float[] f, int dSae, EncodedTexts enc, Tokenizer tok) {
        long[] ids = enc.batch().ids();
        int seq = enc.batch().seqLen();
        for (int r = 0; r < enc.rows().length; r++) {
            int flat = enc.rows()[r];
            int rowStart = flat - flat % seq;
            int from = Math.max(rowStart, flat - 8);
            concepts.add(f, r * dSae, enc.concepts()[r], () -> tok.decode(Arrays.copyOfRange(ids, from, flat + 1)));
        }
    }
}
