package dev.mono4j.train;

/**
 * Linear warmup then cosine decay, over optimizer steps numbered 1..totalSteps: step n ≤ warmupSteps
 * gets {@code peak · n / warmupSteps}; later steps follow half a cosine from {@code peak} (at the end of
 * warmup) down to {@code peak · minRatio}, reached on the last step.
 */
public record LrSchedule(double peak, int warmupSteps, int totalSteps, double minRatio) {
    public LrSchedule {
        if (totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 <= warmupSteps <= totalSteps and totalSteps >= 1");
        }
    }

    /** The learning rate of step {@code n} (1-based: the n-th optimizer update). */
    public double at(int n) {
        if (n < 1 || n > totalSteps) {
            throw new IllegalArgumentException("step " + n + " outside 1.." + totalSteps);
        }
        if (n <= warmupSteps) {
            return peak * n / warmupSteps;
        }
        double progress = (double) (n - warmupSteps) / (totalSteps - warmupSteps);
        double min = peak * minRatio;
        return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
