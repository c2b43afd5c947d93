package dev.mono4j.train;

import dev.mono4j.model.ModelConfig;

/**
 * Everything that decides a pretraining run's result; with the same data, the same config gives the same
 * weights bit for bit, however often the run is stopped and resumed. Build one with {@link #builder()},
 * which starts from the defaults below.
 *
 * <p>A run either builds a model from the architecture fields ({@code arch} .. {@code heads}) with random
 * weights, or continues training the checkpoint in {@code init} (fine-tuning); then those fields are null, as
 * the checkpoint's config.json describes the model.
 *
 * @param init            an HF checkpoint folder to start from instead of random weights (any causal family
 *                        {@link dev.mono4j.model.Checkpoint#loadCausal} reads); null (default): from scratch
 * @param arch            "llama" (default: RMSNorm, rotary, SwiGLU), "gpt2" (LayerNorm, learned positions), or
 *                        "monet-vd" / "monet-hd" (Llama attention, Monet's expert layer), "workspace-hard" /
 *                        "workspace-soft" (a shared global workspace in self-attention's place) or "str" (top-k sparse
 *                        self-attention); see {@link ModelPresets}
 * @param preset          the size the shape starts from (see {@link ModelPresets}); default "s"
 * @param dModel          width; the preset's unless set
 * @param layers          blocks; the preset's unless set
 * @param heads           attention heads; the preset's unless set
 * @param seqLen          tokens per training window, also the model's context (default 128)
 * @param batchSize       windows per micro-batch (default 16)
 * @param gradAccum       micro-batches per optimizer step (default 1); the effective batch is their product
 * @param steps           optimizer steps (default 1000)
 * @param lr              peak learning rate (default 3e-3: models under ~10M parameters train stably and
 *                        fastest at a few 1e-3, as nanoGPT's small character models; larger ones want less)
 * @param warmupSteps     linear warmup from lr/warmup to lr (default: a tenth of the steps)
 * @param minLrRatio      cosine decay ends at lr * minLrRatio on the last step (default 0.1, as Chinchilla)
 * @param weightDecay     AdamW's decoupled decay on matrices, embeddings included (default 0.1, as GPT-3,
 *                        nanoGPT and Llama pretraining; {@link AdamWConfig#defaults}'s 0.01 suits fine-tuning)
 * @param gradClip        the gradients' global L2 norm is clipped to this before each step (default 1.0; 0: off)
 * @param seed            initial weights (unless init) and every batch (default 0)
 * @param evalEvery       validation loss every this many steps, and always after the last (default 100; 0: last only)
 * @param evalBatches     validation batches of batchSize fixed windows (default 8)
 * @param checkpointEvery resumable checkpoint every this many steps, and after the last (default 500; 0: last only)
 * @param moeAuxWeight    λ of a Monet's routing losses: the objective is L_LM + λ (L_unif + L_amb) ([P] Monet,
 *                        arXiv 2412.04139v4, Eq. 18; default 1e-3, "in all experiments", App. B.1); other archs
 *                        have no auxiliary loss, and {@link Builder#build} refuses any other value for them (for
 *                        an init run the trainer does, by the checkpoint's family)
 */
public record PretrainConfig(String init, String arch, String preset, Integer dModel, Integer layers, Integer heads,
        int seqLen, int batchSize, int gradAccum, int steps, double lr, int warmupSteps, double minLrRatio, double weightDecay, double gradClip,
        long seed, int evalEvery, int evalBatches, int checkpointEvery, double moeAuxWeight) {

    public static final String DEFAULT_ARCH = "llama";
    public static final String DEFAULT_PRESET = "s";
    public static final int DEFAULT_SEQ_LEN = 128;
    public static final int DEFAULT_BATCH_SIZE = 16;
    public static final int DEFAULT_GRAD_ACCUM = 1;
    public static final int DEFAULT_STEPS = 1000;
    public static final double DEFAULT_LR = 3e-3;
    public static final double DEFAULT_MIN_LR_RATIO = 0.1;
    public static final double DEFAULT_WEIGHT_DECAY = 0.1;
    public static final double DEFAULT_GRAD_CLIP = 1.0;
    public static final long DEFAULT_SEED = 0;
    public static final int DEFAULT_EVAL_EVERY = 100;
    public static final int DEFAULT_EVAL_BATCHES = 8;
    public static final int DEFAULT_CHECKPOINT_EVERY = 500;
    public static final double DEFAULT_MOE_AUX_WEIGHT = 1e-3;

    public PretrainConfig {
        if (init != null) {
            require(arch == null && preset == null && dModel == null && layers == null && heads == null,
                    "init already has a model (its config.json); drop arch, preset, d-model, layers and heads");
        } else {
            checkArchitecture(arch, preset, dModel, layers, heads);
        }
        require(seqLen >= 2, "seq-len must be at least 2 (one prediction needs two tokens)");
        require(batchSize >= 1 && gradAccum >= 1 && steps >= 1, "batch-size, grad-accum and steps must be at least 1");
        require(lr > 0 && Double.isFinite(lr), "lr must be positive");
        require(warmupSteps >= 0 && warmupSteps <= steps, "warmup must lie in [0, steps]");
        require(minLrRatio >= 0 && minLrRatio <= 1, "min-lr-ratio must lie in [0, 1]");
        require(weightDecay >= 0 && gradClip >= 0, "weight-decay and grad-clip must not be negative");
        require(evalEvery >= 0 && checkpointEvery >= 0, "eval-every and checkpoint-every must not be negative");
        require(evalBatches >= 1, "eval-batches must be at least 1");
        require(moeAuxWeight >= 0 && Double.isFinite(moeAuxWeight), "moe-aux-weight must be a finite number >= 0");
    }

    private static void checkArchitecture(String arch, String preset, Integer dModel, Integer layers, Integer heads) {
        require(arch != null && preset != null && dModel != null && layers != null && heads != null,
                "arch, preset, d-model, layers and heads are needed without init");
        require(ModelPresets.ARCHS.contains(arch), "unknown arch '" + arch + "' (known: " + String.join(", ",
                ModelPresets.ARCHS) + ")");
        ModelPresets.shape(preset); // a known preset, even when every dimension is set
        require(dModel >= 1 && layers >= 1 && heads >= 1, "d_model, layers and heads must be at least 1");
        require(dModel % heads == 0, "d_model " + dModel + " is not divisible by heads " + heads);
        // Rotary needs an even head size, so d_model is even too, as monet-vd's halves of the output need.
        require(arch.equals("gpt2") || dModel / heads % 2 == 0,
                arch + " needs an even head size for rotary embeddings (d_model / heads = " + dModel / heads + ")");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The model to build, for a tokenizer's vocabulary size (special-token ids are set by the trainer); an init
     * run has none to build.
     */
    public ModelConfig modelConfig(int vocab) {
        if (init != null) {
            throw new IllegalStateException("an init run trains the model in " + init + ", it builds none");
        }
        return ModelPresets.config(arch, dModel, layers, heads, vocab, seqLen);
    }

    /** AdamW with β = (0.9, 0.95), ε = 1e-8, as GPT-3 and nanoGPT pretrain; lr is replaced by the schedule. */
    public AdamWConfig adamW() {
        return new AdamWConfig(lr, 0.9, 0.95, 1e-8, weightDecay);
    }

    public LrSchedule schedule() {
        return new LrSchedule(lr, warmupSteps, steps, minLrRatio);
    }

    /** Tokens one optimizer step trains on. */
    public long tokensPerStep() {
        return (long) batchSize * gradAccum * seqLen;
    }

    /**
     * Starts from the defaults; {@code null} for arch, preset, dModel, layers, heads or warmupSteps means "the
     * default" (for the architecture fields: the default unless init is set, and none with it).
     */
    public static final class Builder {
        private String init;
        private String arch;
        private String preset;
        private Integer dModel;
        private Integer layers;
        private Integer heads;
        private int seqLen = DEFAULT_SEQ_LEN;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int gradAccum = DEFAULT_GRAD_ACCUM;
        private int steps = DEFAULT_STEPS;
        private double lr = DEFAULT_LR;
        private Integer warmupSteps;
        private double minLrRatio = DEFAULT_MIN_LR_RATIO;
        private double weightDecay = DEFAULT_WEIGHT_DECAY;
        private double gradClip = DEFAULT_GRAD_CLIP;
        private long seed = DEFAULT_SEED;
        private int evalEvery = DEFAULT_EVAL_EVERY;
        private int evalBatches = DEFAULT_EVAL_BATCHES;
        private int checkpointEvery = DEFAULT_CHECKPOINT_EVERY;
        private double moeAuxWeight = DEFAULT_MOE_AUX_WEIGHT;

        private Builder() {
        }

        public Builder init(String v) {
            init = v;
            return this;
        }

        public Builder arch(String v) {
            arch = v;
            return this;
        }

        public Builder preset(String v) {
            preset = v;
            return this;
        }

        public Builder dModel(Integer v) {
            dModel = v;
            return this;
        }

        public Builder layers(Integer v) {
            layers = v;
            return this;
        }

        public Builder heads(Integer v) {
            heads = v;
            return this;
        }

        public Builder seqLen(int v) {
            seqLen = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder gradAccum(int v) {
            gradAccum = v;
            return this;
        }

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder warmupSteps(Integer v) {
            warmupSteps = v;
            return this;
        }

        public Builder minLrRatio(double v) {
            minLrRatio = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder gradClip(double v) {
            gradClip = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder evalEvery(int v) {
            evalEvery = v;
            return this;
        }

        public Builder evalBatches(int v) {
            evalBatches = v;
            return this;
        }

        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        public Builder moeAuxWeight(double v) {
            moeAuxWeight = v;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first invalid field; an architecture field beside init;
         *         a routing-loss weight other than the default for an arch without routing (the flag would do
         *         nothing; for an init run the trainer checks it against the checkpoint's family)
         */
        public PretrainConfig build() {
            int warmup = warmupSteps != null ? warmupSteps : steps / 10;
            if (init != null) {
                return new PretrainConfig(init, arch, preset, dModel, layers, heads, seqLen, batchSize, gradAccum, steps,
                        lr, warmup, minLrRatio, weightDecay, gradClip, seed, evalEvery, evalBatches, checkpointEvery,
                        moeAuxWeight);
            }
            String a = arch != null ? arch : DEFAULT_ARCH;
            require(ModelPresets.MONET_ARCHS.contains(a) || moeAuxWeight == DEFAULT_MOE_AUX_WEIGHT,
                    "moe-aux-weight applies to " + String.join(" and ", ModelPresets.MONET_ARCHS) + " only, not " + a);
            ModelPresets.Shape s = ModelPresets.shape(preset != null ? preset : DEFAULT_PRESET);
            return new PretrainConfig(null, a, preset != null ? preset : DEFAULT_PRESET,
                    dModel != null ? dModel : s.dModel(), layers != null ? layers : s.layers(),
                    heads != null ? heads : s.heads(), seqLen, batchSize, gradAccum, steps, lr, warmup, minLrRatio,
                    weightDecay, gradClip, seed, evalEvery, evalBatches, checkpointEvery, moeAuxWeight);
        }
    }
}
