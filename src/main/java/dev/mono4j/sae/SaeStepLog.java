package dev.mono4j.sae;

import dev.mono4j.train.StepRecord;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One line of an SAE run's log ({@link dev.mono4j.train.RunFolder#LOG}), written every {@code logEvery} steps.
 * Its keys are those of the SAE log before it moved onto the run loop (sae_log.jsonl), so plots and comparisons
 * read old and new runs alike; {@code grad_norm} and {@code rows_per_s} came with the loop.
 *
 * @param rows        training rows seen so far
 * @param lr          the learning rate this step used
 * @param loss        the architecture's loss on the step's rows, before the update
 * @param mse         its reconstruction part: squared error summed over d_in, averaged over rows (normalised units)
 * @param fvu         {@code mse} over the rows' total variance (summed over d_in, averaged over rows)
 * @param l0          mean number of latents firing per row
 * @param penaltyName the log's key of the architecture's sparsity penalty ({@link TrainableSae#penaltyName})
 * @param penalty     that penalty on the step's rows
 * @param dead        latents that have not fired for {@link SaeConfig#deadTokens} rows
 * @param dense       latents that fired on more than {@link SaeConfig#denseThreshold} of the rows since the last line
 * @param frr08       on synthetic rows, the feature recovery rate at cosine 0.8 ({@link FeatureRecovery}); else null
 * @param frr09       the same at cosine 0.9
 * @param gradNorm    global L2 norm of the gradients before the update (after the decoder-gradient projection)
 * @param rowsPerS    training throughput of this step (forward, backward, update and per-step hooks)
 */
public record SaeStepLog(int step, long rows, double lr, double loss, double mse, double fvu, double l0,
        String penaltyName, double penalty, int dead, int dense, Double frr08, Double frr09, double gradNorm,
        double rowsPerS) implements StepRecord {

    /** The log line's fields, in the order of the old sae_log.jsonl, then the loop's. */
    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("rows", rows);
        m.put("lr", lr);
        m.put("loss", loss);
        m.put("mse", mse);
        m.put("fvu", fvu);
        m.put("l0", l0);
        m.put(penaltyName, penalty);
        m.put("dead", dead);
        m.put("dense", dense);
        if (frr08 != null) {
            m.put("frr_0.8", frr08);
            m.put("frr_0.9", frr09);
        }
        m.put("grad_norm", gradNorm);
        m.put("rows_per_s", rowsPerS);
        return m;
    }

    /**
     * SAELens' wandb names where the line holds the same quantity (sae_lens/training/sae_trainer.py
     * @03a2eaf57b8a534a8a23d6f49c4e294f5a40d424, {@code _build_train_step_log_dict}): losses/overall_loss (the loss
     * optimised), losses/mse_loss (squared error summed over d_in, averaged over rows), metrics/explained_variance
     * (there 1 − mean squared error / mean total variance about the batch mean, which is 1 − our FVU),
     * metrics/l0, sparsity/dead_features, details/current_learning_rate and details/n_training_tokens (our rows).
     * The rest are ours under the same groups: losses/&lt;penalty&gt; is the penalty before its coefficient (SAELens'
     * losses/l1_loss is after it, so the name is not shared), sparsity/dense_features, metrics/frr_0.8 and
     * metrics/frr_0.9 on synthetic rows, details/grad_norm, details/rows_per_s. SAELens'
     * sparsity/mean_passes_since_fired is not in our log, so it is not written.
     */
    @Override
    public Map<String, Double> scalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("losses/overall_loss", loss);
        m.put("losses/mse_loss", mse);
        m.put("losses/" + penaltyName, penalty);
        m.put("metrics/explained_variance", 1 - fvu);
        m.put("metrics/l0", l0);
        m.put("sparsity/dead_features", (double) dead);
        m.put("sparsity/dense_features", (double) dense);
        if (frr08 != null) {
            m.put("metrics/frr_0.8", frr08);
            m.put("metrics/frr_0.9", frr09);
        }
        m.put("details/current_learning_rate", lr);
        m.put("details/n_training_tokens", (double) rows);
        m.put("details/grad_norm", gradNorm);
        m.put("details/rows_per_s", rowsPerS);
        return m;
    }

    @Override
    public String status() {
        String note = String.format(Locale.ROOT, "mse %.4g fvu %.3f L0 %.1f", mse, fvu, l0);
        return frr09 == null ? note : note + String.format(Locale.ROOT, " FRR(0.9) %.3f", frr09);
    }
}
