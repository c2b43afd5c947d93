package dev.mono4j.lcm;

import dev.mono4j.train.StepRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of an {@code lcm train} log.
 *
 * @param loss      the step's training loss (before the update)
 * @param validLoss the loss on the VALID windows after the update (the Two-Tower's with fixed noise); null between evaluations
 * @param validL2   Base-LCM: mean ℓ2 from prediction to the true next embedding on VALID (normalised); null otherwise
 */
public record LcmStepLog(int step, double lr, double loss, double gradNorm, double windowsPerS, Double validLoss,
        Double validL2) implements StepRecord {

    /** A line of the log back (a resumed run's last line before it continues). */
    static LcmStepLog fromJson(com.fasterxml.jackson.databind.JsonNode j) {
        return new LcmStepLog(j.get("step").asInt(), j.get("lr").asDouble(), j.get("loss").asDouble(),
                j.get("grad_norm").asDouble(), j.get("windows_per_s").asDouble(),
                j.has("valid_loss") ? j.get("valid_loss").asDouble() : null,
                j.has("valid_l2") ? j.get("valid_l2").asDouble() : null);
    }

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("lr", lr);
        m.put("loss", loss);
        m.put("grad_norm", gradNorm);
        m.put("windows_per_s", windowsPerS);
        if (validLoss != null) {
            m.put("valid_loss", validLoss);
        }
        if (validL2 != null) {
            m.put("valid_l2", validL2);
        }
        return m;
    }

    @Override
    public String status() {
        return String.format("loss %.4f", loss) + (validLoss == null ? "" : String.format(" valid %.4f", validLoss));
    }

    @Override
    public Map<String, Double> scalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train/loss", loss);
        m.put("train/learning_rate", lr);
        m.put("train/grad_norm", gradNorm);
        if (validLoss != null) {
            m.put("eval/loss", validLoss);
        }
        if (validL2 != null) {
            m.put("eval/l2", validL2);
        }
        return m;
    }
}
