package dev.mono4j.align;

import dev.mono4j.model.LoraConfig;
import dev.mono4j.train.AdamWConfig;
import dev.mono4j.train.LrSchedule;
import java.util.Locale;

/**
 * Everything that decides a preference-alignment run's result: with the same model and pairs, the same
 * config gives the same weights bit for bit, however often the run is stopped and resumed. Build one with
 * {@link #builder(Method)}, which starts from the defaults below (TRL's and Hugging Face's where the papers
 * are silent).
 *
 * @param method          the objective, see {@link Method}
 * @param beta            β of DPO, IPO and SimPO (default 0.1, as DPO and TRL)
 * @param gamma           SimPO's target margin γ (default 0.2)
 * @param logp            completion log-probs summed (default, as DPO) or length-averaged (the released DecPO code)
 * @param lambda          weight of the regularizer (L1 or decorrelation); default {@link #defaultLambda}
 * @param decorrMode      the decorrelation loss's form and pooling (default samples, the form of the FD metric),
 *                        see {@link DecorrelationLoss} and docs/align.md
 * @param hook            where the regularizer reads, MEmeL inhibits, and FD is logged; null: the middle block's
 *                        {@code mlp.hook_pre_linear} ({@code mlp.hook_post} for GPT-2), see {@link AlignTrainer#defaultHook};
 *                        with decorr mode released-code, block 10's up-projection, as the released code
 *                        ({@code AlignTrainer.releasedCodeHook})
 * @param memelSelect     MEmeL: which units are inhibited, see {@link MemelInhibition.Selection} (default per-sample,
 *                        as the paper's App. E.3 and its code); null, in a config saved before it, is per-batch
 * @param inhibitK        MEmeL: units inhibited per sample (default 1) or channels per batch (default 8), see
 *                        {@link #defaultInhibitK}
 * @param memelDelta      MEmeL: Δ of generalised reverse deactivation, App. E.3 (default 1, Eq.12's RD)
 * @param memelBatches    MEmeL per-sample: forgetting n_f and late start l_s in batches (default 10)
 * @param memelWindow     MEmeL per-batch: forgetting window in tokens; inhibition starts once the statistics span one
 *                        (default 16384)
 * @param memelEps        MEmeL: variance compensation ε, a fraction of the mean variance (default 0.01)
 * @param lora            LoRA adapters to train, or null for full fine-tuning (default)
 * @param lr              peak learning rate (default 1e-6, as DPO and TRL; small models trained here want ~1e-4 to 1e-3)
 * @param schedule        linear warmup, then constant (default, as the DPO paper) or cosine decay to lr·minLrRatio
 * @param warmupSteps     warmup steps; null: a tenth of the steps
 * @param minLrRatio      where cosine decay ends (default 0.1)
 * @param weightDecay     AdamW's decoupled decay (default 0, as Hugging Face's Trainer)
 * @param gradClip        global gradient-norm clip (default 1.0, as Hugging Face's Trainer; 0: off)
 * @param epochs          passes over the training pairs (default 1) unless {@code steps} is set
 * @param steps           optimizer steps; 0 (default): as many as {@code epochs} take
 * @param batchSize       pairs per micro-batch (default 8)
 * @param gradAccum       micro-batches per optimizer step (default 1)
 * @param seed            pair order, LoRA initialisation and dropout (default 0)
 * @param maxPromptTokens prompts keep their last this many tokens (default 128, see {@link PreferenceBatch})
 * @param maxLength       prompt plus completion, completions cut to fit (default 256)
 * @param evalShare       share of pairs held out for reward metrics, chosen by prompt (default 0.1)
 * @param evalEvery       held-out reward metrics every this many steps and after the last (default 50; 0: last only)
 * @param fdEvery         FD at every layer on held-out pairs every this many steps and after the last (default 50; 0: last only)
 * @param checkpointEvery resumable checkpoint every this many steps and after the last (default 100; 0: last only)
 * @param reference       how reference log-probs are had: computed once before training (default), or every step
 */
public record AlignConfig(Method method, double beta, double gamma, PolicyLogProbs.Mode logp, double lambda,
        DecorrelationLoss.Mode decorrMode, String hook, MemelInhibition.Selection memelSelect, int inhibitK, double memelDelta,
        int memelBatches, int memelWindow, double memelEps, LoraConfig lora,
        double lr, Schedule schedule, Integer warmupSteps, double minLrRatio, double weightDecay, double gradClip,
        int epochs, int steps, int batchSize, int gradAccum, long seed, int maxPromptTokens, int maxLength,
        double evalShare, int evalEvery, int fdEvery, int checkpointEvery, Reference reference) {

    /**
     * The objectives compared in the DecPO paper, and MEmeL's inhibition:
     * <ul>
     * <li>{@code sft}: NLL of the chosen completions;</li>
     * <li>{@code dpo}, {@code ipo}, {@code simpo}: the preference losses of {@link PreferenceLoss};</li>
     * <li>{@code l1}: DPO + λ·{@link ActivationL1} at the hook (the paper's L1-Reg baseline);</li>
     * <li>{@code decpo}: DPO + λ·{@link DecorrelationLoss} at the hook;</li>
     * <li>{@code memel}: DPO with {@link MemelInhibition} at the hook.</li>
     * </ul>
     */
    public enum Method {
        SFT, DPO, IPO, SIMPO, L1, DECPO, MEMEL;

        /** The preference loss the method trains with; null for SFT. */
        public PreferenceLoss.Type loss() {
            return switch (this) {
                case SFT -> null;
                case IPO -> PreferenceLoss.Type.IPO;
                case SIMPO -> PreferenceLoss.Type.SIMPO;
                default -> PreferenceLoss.Type.DPO;
            };
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Method parse(String s) {
            for (Method m : values()) {
                if (m.id().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown method '" + s + "' (known: sft, dpo, ipo, simpo, l1, decpo, memel)");
        }
    }

    public enum Schedule { CONSTANT, COSINE }

    /** Reference log-probs: once for every pair before training (no second model in memory), or each step. */
    public enum Reference { PRECOMPUTED, LIVE }

    public static final PolicyLogProbs.Mode DEFAULT_LOGP = PolicyLogProbs.Mode.SUM;
    public static final DecorrelationLoss.Mode DEFAULT_DECORR_MODE = DecorrelationLoss.Mode.SAMPLES;
    public static final Schedule DEFAULT_SCHEDULE = Schedule.CONSTANT;
    public static final Reference DEFAULT_REFERENCE = Reference.PRECOMPUTED;
    public static final double DEFAULT_BETA = 0.1;
    public static final double DEFAULT_GAMMA = 0.2;
    /** The paper's and code's selection (App. E.3 "for each sample"; EmeL.py@b8ce373 L24–26). */
    public static final MemelInhibition.Selection DEFAULT_MEMEL_SELECT = MemelInhibition.Selection.PER_SAMPLE;
    /** Generalised RD's Δ: 1 is Eq.12's RD, MEmeL's (the code's {@code ratio=1.}, EmeL.py@b8ce373 L7). */
    public static final double DEFAULT_MEMEL_DELTA = 1;
    /** n_f = l_s: the paper names them without values; the code's {@code h_upper=10} (EmeL.py@b8ce373 L7) is both. */
    public static final int DEFAULT_MEMEL_BATCHES = 10;
    /** Per-batch's forgetting window in tokens: our choice, as before the per-sample selection existed. */
    public static final int DEFAULT_MEMEL_WINDOW = 16384;
    /** ε of Alg. 2's variance compensation: the paper says "a small value"; the code divides the mean by 100 (L24). */
    public static final double DEFAULT_MEMEL_EPS = 1e-2;
    public static final double DEFAULT_LR = 1e-6;
    public static final double DEFAULT_MIN_LR_RATIO = 0.1;
    public static final double DEFAULT_WEIGHT_DECAY = 0;
    public static final double DEFAULT_GRAD_CLIP = 1.0;
    public static final int DEFAULT_EPOCHS = 1;
    public static final int DEFAULT_STEPS = 0;
    public static final int DEFAULT_BATCH_SIZE = 8;
    public static final int DEFAULT_GRAD_ACCUM = 1;
    public static final long DEFAULT_SEED = 0;
    public static final int DEFAULT_MAX_PROMPT = 128;
    public static final int DEFAULT_MAX_LENGTH = 256;
    public static final double DEFAULT_EVAL_SHARE = 0.1;
    public static final int DEFAULT_EVAL_EVERY = 50;
    public static final int DEFAULT_FD_EVERY = 50;
    public static final int DEFAULT_CHECKPOINT_EVERY = 100;

    public AlignConfig {
        require(method != null && logp != null && decorrMode != null && schedule != null && reference != null,
                "method, logp, decorr mode, schedule and reference must be set");
        require(beta > 0 && Double.isFinite(beta), "beta must be positive");
        require(gamma >= 0 && Double.isFinite(gamma), "gamma must not be negative");
        require(lambda >= 0 && Double.isFinite(lambda), "lambda must not be negative");
        if (memelSelect == null) { // saved before the per-sample selection: the run goes on as it began
            memelSelect = MemelInhibition.Selection.PER_BATCH;
            memelDelta = DEFAULT_MEMEL_DELTA;
            memelBatches = DEFAULT_MEMEL_BATCHES;
        }
        require(inhibitK >= 1, "memel-k must be at least 1");
        require(Double.isFinite(memelDelta), "memel-delta must be finite");
        require(memelBatches >= 1 && memelWindow >= 1, "memel-batches and memel-window must be at least 1");
        require(memelEps >= 0, "memel-eps must not be negative");
        require(lr > 0 && Double.isFinite(lr), "lr must be positive");
        require(warmupSteps == null || warmupSteps >= 0, "warmup must not be negative");
        require(minLrRatio >= 0 && minLrRatio <= 1, "min-lr-ratio must lie in [0, 1]");
        require(weightDecay >= 0 && gradClip >= 0, "weight-decay and grad-clip must not be negative");
        require(epochs >= 1 && steps >= 0, "epochs must be at least 1 and steps not negative");
        require(batchSize >= 1 && gradAccum >= 1, "batch-size and grad-accum must be at least 1");
        require(maxPromptTokens >= 1 && maxLength > maxPromptTokens, "max-length must exceed max-prompt, which must be at least 1");
        require(evalShare > 0 && evalShare < 1, "eval-share must lie in (0, 1)");
        require(evalEvery >= 0 && fdEvery >= 0 && checkpointEvery >= 0, "eval-every, fd-every and checkpoint-every must not be negative");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * The regularizer weight a method starts from: for samples, features and l1, picked by the sweep in
     * docs/reproduction.md on ConceptWorld (toxicity, preset s): the λ with the highest held-out FD at the hook that
     * keeps DPO's reward accuracy and most of its margin; for paper and the released-code modes, their sources'
     * weights; 0 for methods without a regularizer.
     */
    public static double defaultLambda(Method method, DecorrelationLoss.Mode mode) {
        return switch (method) {
            case L1 -> 1e-3;
            case DECPO -> switch (mode) {
                case SAMPLES -> 0.1;
                case FEATURES -> 0.01; // moved no sample-level FD at any λ tried; the least harm to the margin
                case PAPER -> 1e-4; // DecPO v1 §4's λ, not swept here
                case RELEASED_CODE -> 1e-3; // hard-coded in DPOTrainer.py@2da99fb L210 (its sparse_lambda 1e-4 is unused)
                case RELEASED_CODE_LAST_TOKEN -> 1e-3; // the released code's weight; the sweep's "released-code" row
            };
            default -> 0;
        };
    }

    /**
     * MEmeL's units per step: per sample 1, the paper's top-1 (§4.1.2, App. E.3) and the code's {@code t=1}
     * (EmeL.py@b8ce373 L7); per batch 8, our choice.
     */
    public static int defaultInhibitK(MemelInhibition.Selection selection) {
        return selection.perSample() ? 1 : 8;
    }

    /** This config with another method, λ and seed: one run of a comparison. */
    public AlignConfig forRun(Method m, double lambda, long seed) {
        return toBuilder().method(m).lambda(lambda).seed(seed).build();
    }

    /** A builder holding this config's values, λ included. */
    public Builder toBuilder() {
        return builder(method).beta(beta).gamma(gamma).logp(logp).lambda(lambda).decorrMode(decorrMode).hook(hook)
                .memelSelect(memelSelect).inhibitK(inhibitK).memelDelta(memelDelta).memelBatches(memelBatches)
                .memelWindow(memelWindow).memelEps(memelEps).lora(lora).lr(lr).schedule(schedule)
                .warmupSteps(warmupSteps).minLrRatio(minLrRatio).weightDecay(weightDecay).gradClip(gradClip).epochs(epochs)
                .steps(steps).batchSize(batchSize).gradAccum(gradAccum).seed(seed).maxPromptTokens(maxPromptTokens)
                .maxLength(maxLength).evalShare(evalShare).evalEvery(evalEvery).fdEvery(fdEvery)
                .checkpointEvery(checkpointEvery).reference(reference);
    }

    /** Optimizer steps for {@code trainPairs} training pairs. */
    public int totalSteps(int trainPairs) {
        if (steps > 0) {
            return steps;
        }
        long perStep = (long) batchSize * gradAccum;
        return (int) Math.max(1, (epochs * (long) trainPairs + perStep - 1) / perStep);
    }

    /** AdamW with Hugging Face Trainer's β = (0.9, 0.999) and ε = 1e-8; lr is replaced by the schedule. */
    public AdamWConfig adamW() {
        return new AdamWConfig(lr, 0.9, 0.999, 1e-8, weightDecay);
    }

    public LrSchedule lrSchedule(int totalSteps) {
        int warmup = warmupSteps != null ? Math.min(warmupSteps, totalSteps) : totalSteps / 10;
        return new LrSchedule(lr, warmup, totalSteps, schedule == Schedule.CONSTANT ? 1.0 : minLrRatio);
    }

    public static Builder builder(Method method) {
        return new Builder(method);
    }

    /** Starts from the defaults; λ left unset follows the method and decorrelation mode. */
    public static final class Builder {
        private Method method;
        private double beta = DEFAULT_BETA;
        private double gamma = DEFAULT_GAMMA;
        private PolicyLogProbs.Mode logp = DEFAULT_LOGP;
        private Double lambda;
        private DecorrelationLoss.Mode decorrMode = DEFAULT_DECORR_MODE;
        private String hook;
        private MemelInhibition.Selection memelSelect = DEFAULT_MEMEL_SELECT;
        private Integer inhibitK;
        private double memelDelta = DEFAULT_MEMEL_DELTA;
        private int memelBatches = DEFAULT_MEMEL_BATCHES;
        private int memelWindow = DEFAULT_MEMEL_WINDOW;
        private double memelEps = DEFAULT_MEMEL_EPS;
        private LoraConfig lora;
        private double lr = DEFAULT_LR;
        private Schedule schedule = DEFAULT_SCHEDULE;
        private Integer warmupSteps;
        private double minLrRatio = DEFAULT_MIN_LR_RATIO;
        private double weightDecay = DEFAULT_WEIGHT_DECAY;
        private double gradClip = DEFAULT_GRAD_CLIP;
        private int epochs = DEFAULT_EPOCHS;
        private int steps = DEFAULT_STEPS;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int gradAccum = DEFAULT_GRAD_ACCUM;
        private long seed = DEFAULT_SEED;
        private int maxPromptTokens = DEFAULT_MAX_PROMPT;
        private int maxLength = DEFAULT_MAX_LENGTH;
        private double evalShare = DEFAULT_EVAL_SHARE;
        private int evalEvery = DEFAULT_EVAL_EVERY;
        private int fdEvery = DEFAULT_FD_EVERY;
        private int checkpointEvery = DEFAULT_CHECKPOINT_EVERY;
        private Reference reference = DEFAULT_REFERENCE;

        private Builder(Method method) {
            this.method = method;
        }

        public Builder method(Method v) { method = v; return this; }
        public Builder beta(double v) { beta = v; return this; }
        public Builder gamma(double v) { gamma = v; return this; }
        public Builder logp(PolicyLogProbs.Mode v) { logp = v; return this; }
        public Builder lambda(Double v) { lambda = v; return this; }
        public Builder decorrMode(DecorrelationLoss.Mode v) { decorrMode = v; return this; }
        public Builder hook(String v) { hook = v; return this; }
        public Builder memelSelect(MemelInhibition.Selection v) { memelSelect = v; return this; }
        /** null: {@link #defaultInhibitK} of the selection. */
        public Builder inhibitK(Integer v) { inhibitK = v; return this; }
        public Builder memelDelta(double v) { memelDelta = v; return this; }
        public Builder memelBatches(int v) { memelBatches = v; return this; }
        public Builder memelWindow(int v) { memelWindow = v; return this; }
        public Builder memelEps(double v) { memelEps = v; return this; }
        public Builder lora(LoraConfig v) { lora = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder schedule(Schedule v) { schedule = v; return this; }
        public Builder warmupSteps(Integer v) { warmupSteps = v; return this; }
        public Builder minLrRatio(double v) { minLrRatio = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder gradClip(double v) { gradClip = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder steps(int v) { steps = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder gradAccum(int v) { gradAccum = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder maxPromptTokens(int v) { maxPromptTokens = v; return this; }
        public Builder maxLength(int v) { maxLength = v; return this; }
        public Builder evalShare(double v) { evalShare = v; return this; }
        public Builder evalEvery(int v) { evalEvery = v; return this; }
        public Builder fdEvery(int v) { fdEvery = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder reference(Reference v) { reference = v; return this; }

        /** @throws IllegalArgumentException naming the first invalid field */
        public AlignConfig build() {
            return new AlignConfig(method, beta, gamma, logp, lambda != null ? lambda : defaultLambda(method, decorrMode),
                    decorrMode, hook, memelSelect, inhibitK != null ? inhibitK : defaultInhibitK(memelSelect), memelDelta,
                    memelBatches, memelWindow, memelEps, lora, lr, schedule, warmupSteps, minLrRatio,
                    weightDecay, gradClip, epochs, steps, batchSize, gradAccum, seed, maxPromptTokens, maxLength, evalShare,
                    evalEvery, fdEvery, checkpointEvery, reference);
        }
    }
}
