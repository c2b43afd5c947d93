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

    @Override
    public String status() {
        String note = String.format(Locale.ROOT, "mse %.4g fvu %.3f L0 %.1f", mse, fvu, l0);
        return frr09 == null ? note : note + String.format(Locale.ROOT, " FRR(0.9) %.3f", frr09);
    }
}
