package dev.mono4j.align;

import dev.mono4j.train.StepRecord;
import dev.mono4j.train.TrainerTags;
import java.util.Locale;
import java.util.Map;

/**
 * One line of an alignment run's log, as {@link AlignTrainer} describes it: the step's loss and its parts, DPO's
 * implicit rewards, FD at the hook, and on some steps held-out metrics and FD at every layer.
 */
public record AlignStepLog(Map<String, Object> fields) implements StepRecord {
    /**
     * The log's fields under TRL's DPOTrainer metric names where it logs the same quantity (trl/trainer/dpo_trainer.py
     * @9d58faa767ee18f52217b32b82d75807c8ce404a: "rewards/chosen", "rewards/rejected", "rewards/accuracies",
     * "rewards/margins", each with "eval_" before it on held-out pairs) and the Trainer's ("learning_rate"), so that
     * {@link #scalars()} tags them as TRL's TensorBoard does: train/rewards/margins, eval/rewards/margins,
     * train/learning_rate, train/loss, train/grad_norm. TRL's logps/chosen and logps/rejected (the policy's summed
     * log-probs) are not in our log, so they are not written. Ours keep their names: train/pref_loss,
     * train/reg_loss, train/fd, train/ms, train/tokens_per_s, eval/chosen_logp_per_token; FD at every layer is
     * measured on held-out pairs, so it is eval/fd_layers/&lt;layer&gt; (our choice). MEmeL's inhibited neurons are
     * indices, not a metric, and are left out.
     */
    private static final Map<String, String> TRL_NAMES = Map.of("lr", "learning_rate",
            "rewards_chosen", "rewards/chosen", "rewards_rejected", "rewards/rejected",
            "reward_accuracy", "rewards/accuracies", "reward_margin", "rewards/margins",
            "eval_rewards_chosen", "eval_rewards/chosen", "eval_rewards_rejected", "eval_rewards/rejected",
            "eval_reward_accuracy", "eval_rewards/accuracies", "eval_reward_margin", "eval_rewards/margins",
            "fd_layers", "eval_fd_layers");

    @Override
    public int step() {
        return ((Number) fields.get("step")).intValue();
    }

    @Override
    public Map<String, Object> toJson() {
        return fields;
    }

    @Override
    public Map<String, Double> scalars() {
        return TrainerTags.scalars(fields, TRL_NAMES);
    }

    @Override
    public String status() {
        return String.format(Locale.ROOT, "loss %.3f acc %.2f margin %.3f", fields.get("loss"), fields.get("reward_accuracy"),
                fields.get("reward_margin"));
    }
}
