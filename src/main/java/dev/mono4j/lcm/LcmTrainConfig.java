package dev.mono4j.lcm;

import dev.mono4j.UserInputException;
import dev.mono4j.train.AdamWConfig;
import dev.mono4j.train.LrSchedule;

/**
 * An {@code lcm train} run. Optimiser values are the recipes' (facebookresearch/large_concept_model@fd7db80
 * {@code recipes/train/pretrain/mse.yaml}, {@code two_tower.yaml}: lr 4e-4, cosine, AdamW betas (0.9, 0.95),
 * eps 1e-5, weight decay 0.1, max grad norm 25); sizes, steps and warmup are the small-scale analogue's
 * (docs/lcm.md), the recipes' 250k steps and 10k warmup being for 1.6B models on 32 GPUs.
 *
 * @param model          "base-lcm" or "two-tower"
 * @param layers         the Base-LCM's body, or the Two-Tower's contextualizer
 * @param denoiserLayers the Two-Tower's denoiser
 * @param context        context sentences per training window (windows are {@code context + 1} long)
 * @param conditionDrop  classifier-free guidance's condition drop in training (their recipe: 0.15)
 * @param diffusionSteps T (theirs: 100)
 * @param inferenceSteps DDIM steps when predicting (theirs: 100; 40 in the small-scale analogue)
 * @param guidanceScale  classifier-free guidance scale when predicting (theirs: 1.0, i.e. none)
 * @param minLrRatio     the cosine schedule's final lr over the peak (our choice)
 */
public record LcmTrainConfig(String model, int dModel, int layers, int heads, int denoiserLayers, int context,
        int steps, int batchSize, double lr, int warmup, double minLrRatio, double weightDecay, double gradClip,
        LcmLoss loss, double conditionDrop, int diffusionSteps, int inferenceSteps, double guidanceScale, int evalEvery,
        int checkpointEvery, long seed) {
    public static final String DEFAULT_MODEL = LcmSettings.BASE;
    public static final int DEFAULT_D_MODEL = 256;
    public static final int DEFAULT_LAYERS = 4;
    public static final int DEFAULT_HEADS = 4;
    public static final int DEFAULT_DENOISER_LAYERS = 2;
    public static final int DEFAULT_CONTEXT = 16;
    public static final int DEFAULT_STEPS = 2000;
    public static final int DEFAULT_BATCH_SIZE = 16;
    public static final double DEFAULT_LR = 4e-4;
    public static final int DEFAULT_WARMUP = 100;
    public static final double DEFAULT_MIN_LR_RATIO = 0.1;
    public static final double WEIGHT_DECAY = 0.1;
    public static final double GRAD_CLIP = 25;
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.95;
    public static final double ADAM_EPS = 1e-5;
    public static final LcmLoss DEFAULT_LOSS = LcmLoss.MSE_SUM;
    public static final double DEFAULT_CONDITION_DROP = 0.15;
    public static final int DEFAULT_DIFFUSION_STEPS = 100;
    public static final int DEFAULT_INFERENCE_STEPS = 40;
    public static final double DEFAULT_GUIDANCE_SCALE = 1.0;
    public static final int DEFAULT_EVAL_EVERY = 100;
    public static final int DEFAULT_CHECKPOINT_EVERY = 100;

    public static final LcmTrainConfig DEFAULT = new LcmTrainConfig(DEFAULT_MODEL, DEFAULT_D_MODEL, DEFAULT_LAYERS,
            DEFAULT_HEADS, DEFAULT_DENOISER_LAYERS, DEFAULT_CONTEXT, DEFAULT_STEPS, DEFAULT_BATCH_SIZE, DEFAULT_LR,
            DEFAULT_WARMUP, DEFAULT_MIN_LR_RATIO, WEIGHT_DECAY, GRAD_CLIP, DEFAULT_LOSS, DEFAULT_CONDITION_DROP,
            DEFAULT_DIFFUSION_STEPS, DEFAULT_INFERENCE_STEPS, DEFAULT_GUIDANCE_SCALE, DEFAULT_EVAL_EVERY,
            DEFAULT_CHECKPOINT_EVERY, 0);

    public LcmTrainConfig {
        if (!model.equals(LcmSettings.BASE) && !model.equals(LcmSettings.TWO_TOWER)) {
            throw new UserInputException("--model must be base-lcm or two-tower, got '" + model + "'");
        }
        if (dModel < 1 || heads < 1 || dModel % heads != 0 || (dModel / heads) % 2 != 0) {
            throw new UserInputException("--d-model must be a positive multiple of --heads with an even head width");
        }
        if (layers < 1 || denoiserLayers < 1 || context < 1 || steps < 1 || batchSize < 1 || warmup < 0
                || warmup > steps || evalEvery < 0 || checkpointEvery < 0) {
            throw new UserInputException("--layers, --denoiser-layers, --context, --steps, --batch-size must be"
                    + " positive, --warmup within 0..--steps");
        }
        if (!(lr > 0) || conditionDrop < 0 || conditionDrop >= 1) {
            throw new UserInputException("--lr must be positive and --condition-drop in [0, 1)");
        }
        if (diffusionSteps < 2 || inferenceSteps < 1 || inferenceSteps > diffusionSteps) {
            throw new UserInputException("--inference-steps must lie in 1..--diffusion-steps (at least 2)");
        }
    }

    public boolean twoTower() {
        return model.equals(LcmSettings.TWO_TOWER);
    }

    AdamWConfig adamW() {
        return new AdamWConfig(lr, BETA1, BETA2, ADAM_EPS, weightDecay);
    }

    LrSchedule schedule() {
        return new LrSchedule(lr, warmup, steps, minLrRatio);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder(DEFAULT);
    }

    /** Builds a config; every default is in {@link #DEFAULT}. */
    public static final class Builder {
        private String model;
        private int dModel;
        private int layers;
        private int heads;
        private int denoiserLayers;
        private int context;
        private int steps;
        private int batchSize;
        private double lr;
        private int warmup;
        private double minLrRatio;
        private double weightDecay;
        private double gradClip;
        private LcmLoss loss;
        private double conditionDrop;
        private int diffusionSteps;
        private int inferenceSteps;
        private double guidanceScale;
        private int evalEvery;
        private int checkpointEvery;
        private long seed;

        private Builder(LcmTrainConfig c) {
            model = c.model;
            dModel = c.dModel;
            layers = c.layers;
            heads = c.heads;
            denoiserLayers = c.denoiserLayers;
            context = c.context;
            steps = c.steps;
            batchSize = c.batchSize;
            lr = c.lr;
            warmup = c.warmup;
            minLrRatio = c.minLrRatio;
            weightDecay = c.weightDecay;
            gradClip = c.gradClip;
            loss = c.loss;
            conditionDrop = c.conditionDrop;
            diffusionSteps = c.diffusionSteps;
            inferenceSteps = c.inferenceSteps;
            guidanceScale = c.guidanceScale;
            evalEvery = c.evalEvery;
            checkpointEvery = c.checkpointEvery;
            seed = c.seed;
        }

        public Builder model(String v) { model = v; return this; }
        public Builder dModel(int v) { dModel = v; return this; }
        public Builder layers(int v) { layers = v; return this; }
        public Builder heads(int v) { heads = v; return this; }
        public Builder denoiserLayers(int v) { denoiserLayers = v; return this; }
        public Builder context(int v) { context = v; return this; }
        public Builder steps(int v) { steps = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder warmup(int v) { warmup = v; return this; }
        public Builder minLrRatio(double v) { minLrRatio = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder gradClip(double v) { gradClip = v; return this; }
        public Builder loss(LcmLoss v) { loss = v; return this; }
        public Builder conditionDrop(double v) { conditionDrop = v; return this; }
        public Builder diffusionSteps(int v) { diffusionSteps = v; return this; }
        public Builder inferenceSteps(int v) { inferenceSteps = v; return this; }
        public Builder guidanceScale(double v) { guidanceScale = v; return this; }
        public Builder evalEvery(int v) { evalEvery = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder seed(long v) { seed = v; return this; }

        public LcmTrainConfig build() {
            return new LcmTrainConfig(model, dModel, layers, heads, denoiserLayers, context, steps, batchSize, lr, warmup,
                    minLrRatio, weightDecay, gradClip, loss, conditionDrop, diffusionSteps, inferenceSteps,
                    guidanceScale, evalEvery, checkpointEvery, seed);
        }
    }
}
