package dev.mono4j.train;

/**
 * How {@link RunLoop} runs a trainer: steps 1..{@code steps}, a log line every {@code logEvery} steps, a
 * checkpoint every {@code checkpointEvery} (each also after the last step), AdamW under a learning-rate
 * schedule with global-norm gradient clipping.
 *
 * @param label        what a progress display calls the run, e.g. "pretrain"
 * @param unit         what a step trains on, for progress: "tokens", "steps", "rows"
 * @param unitsPerStep how many of them one step trains on
 * @param gradClip     the gradients' global L2 norm is clipped to this before each update (0: off; still measured)
 */
public record RunPlan(int steps, int logEvery, int checkpointEvery, LrSchedule lr, AdamWConfig adamW, double gradClip,
        String label, String unit, long unitsPerStep) {

    public RunPlan {
        if (steps < 1 || logEvery < 0 || checkpointEvery < 0 || gradClip < 0 || unitsPerStep < 0) {
            throw new IllegalArgumentException("need steps >= 1 and logEvery, checkpointEvery, gradClip, unitsPerStep >= 0");
        }
    }

    /** Whether something done every {@code every} steps (0: never) is due at {@code step}: always after the last. */
    public boolean due(int step, int every) {
        return step == steps || every > 0 && step % every == 0;
    }

    /** The last step at or before {@code step} that wrote a log line; 0 if none. */
    int lastLoggedThrough(int step) {
        if (step >= steps) {
            return steps;
        }
        return logEvery == 0 ? 0 : step - step % logEvery;
    }
}
