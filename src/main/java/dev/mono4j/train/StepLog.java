package dev.mono4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One line of a pretraining run's {@link RunFolder#LOG}: the state after optimizer step {@code step}.
 *
 * @param tokens         training tokens seen so far
 * @param lr             the learning rate this step used
 * @param loss           mean next-token NLL (nats) over the step's micro-batches, before the update; a model
 *                       with an auxiliary loss optimises loss + λ × that loss, which {@code auxiliary} shows
 * @param gradNorm       global L2 norm of the gradients before clipping
 * @param tokensPerS     training throughput of this step (forward, backward and update)
 * @param auxiliary      the metrics of the model's auxiliary loss, mean over the micro-batches, by JSONL field
 *                       (a Monet's {@code l_unif}, {@code l_amb}, {@code active_routes}, {@code active_experts});
 *                       empty for models without one, and in lines written before there were any
 * @param validLoss      mean next-token NLL on the validation windows after the update; null between evaluations
 */
public record StepLog(int step, long tokens, double lr, double loss, double gradNorm, double tokensPerS,
        Map<String, Double> auxiliary, Double validLoss) implements StepRecord {

    /** The fields every line has; any other number a line holds is an auxiliary metric. */
    private static final List<String> FIELDS = List.of("step", "tokens", "lr", "loss", "grad_norm", "tokens_per_s",
            "valid_loss");

    /**
     * The log's fields under the Trainer's metric names (Trainer.log's "learning_rate", "num_input_tokens_seen",
     * "eval_loss"; src/transformers/trainer.py@2cda12cbf6e476183e68ec476551fa7e3717394a,
     * Trainer.log and _maybe_log_save_evaluate), so {@link #scalars()} tags them train/learning_rate,
     * train/num_input_tokens_seen and eval/loss; loss, grad_norm and ours (tokens_per_s, an auxiliary loss's
     * metrics) keep their names, as train/loss, train/grad_norm, train/tokens_per_s, train/l_unif, ...
     */
    private static final Map<String, String> TRAINER_NAMES = Map.of("lr", "learning_rate", "tokens",
            "num_input_tokens_seen", "valid_loss", "eval_loss");

    public StepLog {
        auxiliary = Collections.unmodifiableMap(new LinkedHashMap<>(auxiliary));
    }

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
        m.putAll(auxiliary);
        if (validLoss != null) {
            m.put("valid_loss", validLoss);
        }
        return m;
    }

    @Override
    public Map<String, Double> scalars() {
        return TrainerTags.scalars(toJson(), TRAINER_NAMES);
    }

    @Override
    public String status() {
        return String.format(Locale.ROOT, "loss %.3f", loss) + (validLoss == null ? "" : String.format(Locale.ROOT,
                " valid %.3f", validLoss));
    }

    /** Reads a line written from {@link #toJson()}, by this release or an earlier one. */
    public static StepLog fromJson(JsonNode j) {
        JsonNode valid = j.get("valid_loss");
        Map<String, Double> auxiliary = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = j.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!FIELDS.contains(e.getKey()) && (e.getValue().isNumber() || e.getValue().isNull())) {
                auxiliary.put(e.getKey(), e.getValue().isNull() ? Double.NaN : e.getValue().asDouble());
            }
        }
        return new StepLog(j.path("step").asInt(), j.path("tokens").asLong(), j.path("lr").asDouble(),
                j.path("loss").asDouble(), j.path("grad_norm").asDouble(), j.path("tokens_per_s").asDouble(), auxiliary,
                valid == null || valid.isNull() ? null : valid.asDouble());
    }
}
