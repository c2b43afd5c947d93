package dev.mono4j.align;

import dev.mono4j.train.StepRecord;
import java.util.Locale;
import java.util.Map;

/**
 * One line of an alignment run's log, as {@link AlignTrainer} describes it: the step's loss and its parts, DPO's
 * implicit rewards, FD at the hook, and on some steps held-out metrics and FD at every layer.
 */
public record AlignStepLog(Map<String, Object> fields) implements StepRecord {
    @Override
    public int step() {
        return ((Number) fields.get("step")).intValue();
    }

    @Override
    public Map<String, Object> toJson() {
        return fields;
    }

    @Override
    public String status() {
        return String.format(Locale.ROOT, "loss %.3f acc %.2f margin %.3f", fields.get("loss"), fields.get("reward_accuracy"),
                fields.get("reward_margin"));
    }
}
