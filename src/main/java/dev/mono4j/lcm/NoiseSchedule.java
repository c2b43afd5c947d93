package dev.mono4j.lcm;

/**
 * The Two-Tower LCM's diffusion schedule and DDIM step (facebookresearch/large_concept_model@fd7db80
 * {@code lcm/nn/schedulers/ddim.py}, which follows diffusers' {@code DDIMScheduler},
 * src/diffusers/schedulers/scheduling_ddim.py): the cosine schedule {@code squaredcos_cap_v2}, rescaled to zero
 * terminal SNR ({@code rescale_betas_zero_snr=True}, their default), with T training timesteps (theirs: 100), x₀
 * ("sample") prediction, deterministic DDIM (η = 0) over "trailing" inference timesteps, ᾱ_prev = 1 after the last
 * ({@code set_alpha_to_one=True}). Computed in double (theirs: float32 tensors).
 */
public final class NoiseSchedule {
    /** Their {@code betas_for_alpha_bar} cap on each β. */
    static final double MAX_BETA = 0.999;
    /** Their cosine offset s (Nichol and Dhariwal 2021, Eq. 17). */
    static final double COSINE_OFFSET = 0.008;

    private final double[] alphaBar;

    /** The schedule of {@code steps} training timesteps. */
    public NoiseSchedule(int steps) {
        if (steps < 2) {
            throw new IllegalArgumentException("need at least 2 diffusion steps, got " + steps);
        }
        alphaBar = cumulative(rescaleZeroTerminalSnr(cosineBetas(steps)));
    }

    /** Training timesteps T. */
    public int steps() {
        return alphaBar.length;
    }

    /** ᾱ_t, t in [0, T). */
    public double alphaBar(int t) {
        return alphaBar[t];
    }

    /**
     * {@code betas_for_alpha_bar(cosine)}: β_i = min(1 − ᾱ(t_{i+1}) / ᾱ(t_i), 0.999), t_i = i/T, with
     * ᾱ(t) = cos²((t + s)/(1 + s) · π/2).
     */
    static double[] cosineBetas(int steps) {
        double[] betas = new double[steps];
        for (int i = 0; i < steps; i++) {
            betas[i] = Math.min(1 - cosineAlphaBar((i + 1.0) / steps) / cosineAlphaBar((double) i / steps), MAX_BETA);
        }
        return betas;
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + COSINE_OFFSET) / (1 + COSINE_OFFSET) * Math.PI / 2);
        return c * c;
    }

    /**
     * {@code rescale_zero_terminal_snr} (Lin et al. 2024, "Common Diffusion Noise Schedules and Sample Steps are
     * Flawed", Algorithm 1): √ᾱ shifted so its last value is 0 and scaled so its first is unchanged, then back to β.
     */
    static double[] rescaleZeroTerminalSnr(double[] betas) {
        double[] sqrtBar = cumulative(betas);
        for (int i = 0; i < sqrtBar.length; i++) {
            sqrtBar[i] = Math.sqrt(sqrtBar[i]);
        }
        double first = sqrtBar[0];
        double last = sqrtBar[sqrtBar.length - 1];
        double[] rescaled = new double[betas.length];
        double previous = 1;
        for (int i = 0; i < sqrtBar.length; i++) {
            double s = (sqrtBar[i] - last) * first / (first - last);
            double bar = s * s;
            rescaled[i] = 1 - bar / previous;
            previous = bar;
        }
        return rescaled;
    }

    /** ᾱ_t = Π_{i ≤ t} (1 − β_i). */
    private static double[] cumulative(double[] betas) {
        double[] bar = new double[betas.length];
        double product = 1;
        for (int i = 0; i < betas.length; i++) {
            product *= 1 - betas[i];
            bar[i] = product;
        }
        return bar;
    }

    /** The noised sample x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε (their {@code add_noise}). */
    public float noised(float x0, float noise, int t) {
        return (float) (Math.sqrt(alphaBar[t]) * x0 + Math.sqrt(1 - alphaBar[t]) * noise);
    }

    /**
     * The "trailing" inference timesteps (Lin et al. 2024, Table 2; their default {@code timestep_spacing}):
     * round(T − k·T/S) − 1 for k = 0..S−1, from T−1 down. For S dividing T this is theirs exactly; for other S
     * (e.g. 40 of 100) theirs truncates T/S inside {@code torch.arange}, ours rounds (our choice).
     */
    public int[] inferenceTimesteps(int inferenceSteps) {
        int total = steps();
        if (inferenceSteps < 1 || inferenceSteps > total) {
            throw new IllegalArgumentException("inference steps must lie in 1.." + total + ", got " + inferenceSteps);
        }
        int[] ts = new int[inferenceSteps];
        for (int k = 0; k < inferenceSteps; k++) {
            ts[k] = (int) Math.round(total - (double) k * total / inferenceSteps) - 1;
        }
        return ts;
    }

    /** The noise implied by x_t and a predicted x₀: ε = (x_t − √ᾱ_t x₀) / √(1 − ᾱ_t) (their {@code get_epsilon}). */
    public double epsilon(double xt, double x0, int t) {
        return (xt - Math.sqrt(alphaBar[t]) * x0) / Math.sqrt(1 - alphaBar[t]);
    }

    /** x₀ implied by x_t and a noise ε: (x_t − √(1 − ᾱ_t) ε) / √ᾱ_t; undefined at ᾱ_t = 0. */
    public double sampleFromEpsilon(double xt, double eps, int t) {
        return (xt - Math.sqrt(1 - alphaBar[t]) * eps) / Math.sqrt(alphaBar[t]);
    }

    /**
     * One deterministic DDIM step (Song et al. 2021, Eq. 12 with σ = 0; their {@code step}, η = 0): from x_t and the
     * predicted x₀ and ε to x_prev = √ᾱ_prev x₀ + √(1 − ᾱ_prev) ε, ᾱ_prev = 1 when {@code prev < 0}.
     */
    public double ddimStep(double x0, double eps, int prev) {
        double barPrev = prev >= 0 ? alphaBar[prev] : 1;
        return Math.sqrt(barPrev) * x0 + Math.sqrt(1 - barPrev) * eps;
    }
}
