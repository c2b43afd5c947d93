package dev.mono4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One line of a pretraining run's {@link RunFolder#LOG}: the state after optimizer step {@code step}.
 *
 * @param tokens         training tokens seen so far
 * @param lr             the learning rate this step used
 * @param loss           mean next-token NLL (nats) over the step's micro-batches, before the update
 * @param gradNorm       global L2 norm of the gradients before clipping
 * @param tokensPerS     training throughput of this step (forward, backward and update)
 * @param validLoss      mean next-token NLL on the validation windows after the update; null between evaluations
 */
public record StepLog(int step, long tokens, double lr, double loss, double gradNorm, double tokensPerS,
        Double validLoss) implements StepRecord {

    /** Field names as in the JSONL file. */
    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("tokens", tokens);
        m.put("lr", lr);
        m.put("loss", loss);
        m.put("grad_norm", gradNorm);
        m.put("tokens_per_s", tokensPerS);
        if (validLoss != null) {
            m.put("valid_loss", validLoss);
        }
        return m;
    }

    @Override
    public String status() {
        return String.format(Locale.ROOT, "loss %.3f", loss) + (validLoss == null ? "" : String.format(Locale.ROOT,
                " valid %.3f", validLoss));
    }

    /** Reads a line written from {@link #toJson()}. */
    public static StepLog fromJson(JsonNode j) {
        JsonNode valid = j.get("valid_loss");
        return new StepLog(j.path("step").asInt(), j.path("tokens").asLong(), j.path("lr").asDouble(),
                j.path("loss").asDouble(), j.path("grad_norm").asDouble(), j.path("tokens_per_s").asDouble(),
                valid == null || valid.isNull() ? null : valid.asDouble());
    }
}
