package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.align.AlignConfig;
import dev.mono4j.align.AlignData;
import dev.mono4j.align.DecorrelationLoss;
import dev.mono4j.align.MemelInhibition;
import dev.mono4j.align.PolicyLogProbs;
import dev.mono4j.model.LoraConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The flags of {@code align} and {@code align compare}, each setting one {@link AlignConfig} field; {@code align eval}
 * takes only {@link DataOptions} and {@link ScoringOptions}.
 */
final class AlignOptions {
    /** Where the pairs come from. */
    static final class DataOptions {
        @Option(names = "--pairs", description = "TRL preference JSONL (prompt, chosen, rejected).")
        Path pairs;

        @Option(names = "--prompts", description = "Held-out prompts to sample and judge (JSONL: prompt, optional task and meta);"
                + " default with --pairs: the held-out pairs' prompts, unjudged.")
        Path prompts;

        @Option(names = "--task", description = "A ConceptWorld task instead of --pairs: toxicity, reframe or sycophancy"
                + " (the model must be pretrained on ConceptWorld).")
        String task;

        @Option(names = "--data-seed", defaultValue = "0", description = "ConceptWorld generator seed of --task (default ${DEFAULT-VALUE},"
                + " as `data conceptworld`).")
        long dataSeed;

        AlignData.Source source() {
            if ((pairs == null) == (task == null)) {
                throw new UserInputException("give either --pairs FILE or --task NAME");
            }
            if (task != null && prompts != null) {
                throw new UserInputException("--prompts goes with --pairs; a --task brings its own held-out prompts");
            }
            return task != null ? AlignData.Source.task(task, dataSeed) : AlignData.Source.file(pairs, prompts);
        }
    }

    /**
     * The flags that decide how pairs are scored and which are held out: {@code align eval} takes only these,
     * the training commands take them with the rest of this class.
     */
    static final class ScoringOptions {
        @Option(names = "--beta", defaultValue = "" + AlignConfig.DEFAULT_BETA,
                description = "β of DPO, IPO, SimPO and of the reward metrics (default ${DEFAULT-VALUE}).")
        double beta;

        @Option(names = "--logp", description = "Completion log-probs: sum (DPO) or mean (released DecPO code)"
                + " (default ${DEFAULT-VALUE}).")
        PolicyLogProbs.Mode logp = AlignConfig.DEFAULT_LOGP;

        @Option(names = "--batch-size", defaultValue = "" + AlignConfig.DEFAULT_BATCH_SIZE,
                description = "Pairs per micro-batch (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--max-prompt", defaultValue = "" + AlignConfig.DEFAULT_MAX_PROMPT,
                description = "Prompt tokens kept, from the end (default ${DEFAULT-VALUE}).")
        int maxPrompt;

        @Option(names = "--max-length", defaultValue = "" + AlignConfig.DEFAULT_MAX_LENGTH,
                description = "Prompt + completion tokens (default ${DEFAULT-VALUE}).")
        int maxLength;

        @Option(names = "--eval-share", defaultValue = "" + AlignConfig.DEFAULT_EVAL_SHARE,
                description = "Pairs held out, by prompt (default ${DEFAULT-VALUE}).")
        double evalShare;

        /** These flags into {@code b}. */
        AlignConfig.Builder applyTo(AlignConfig.Builder b) {
            return b.beta(beta).logp(logp).batchSize(batchSize).maxPromptTokens(maxPrompt).maxLength(maxLength)
                    .evalShare(evalShare);
        }

        /** The config {@code align eval} scores held-out pairs with: DPO's implicit reward, as every method's curves. */
        AlignConfig config() {
            return Flags.check(() -> applyTo(AlignConfig.builder(AlignConfig.Method.DPO)).build());
        }
    }

    @Mixin
    ScoringOptions scoring;

    @Option(names = "--gamma", defaultValue = "" + AlignConfig.DEFAULT_GAMMA, description = "SimPO's margin γ (default ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--lambda", description = "Regularizer weight (default: per method and mode, see docs/align.md).")
    Double lambda;

    @Option(names = "--decorr-mode", description = "DecPO's L_dec: samples, features, paper, released-code or"
            + " released-code-last-token (default ${DEFAULT-VALUE}; see docs/align.md).")
    DecorrelationLoss.Mode decorrMode = AlignConfig.DEFAULT_DECORR_MODE;

    @Option(names = {"--hook", "--decorr-hook", "--inhibit-hook"}, description = "Hook the regularizer reads and MEmeL"
            + " inhibits (default: middle block's mlp.hook_pre_linear; GPT-2 mlp.hook_post; with --decorr-mode"
            + " released-code, block 10's mlp.hook_pre_linear, GPT-2 mlp.hook_pre).")
    String hook;

    @Option(names = "--memel-select", description = "MEmeL: per-sample (the paper's and its code's: the top units of"
            + " each sample over all positions and neurons, scored after the statistics learn the batch, as the code),"
            + " per-sample-paper-order (scored before, as the paper's Alg. 1) or per-batch (the top neurons of the batch"
            + " at every position)"
            + " (default ${DEFAULT-VALUE}).")
    MemelInhibition.Selection memelSelect = AlignConfig.DEFAULT_MEMEL_SELECT;

    @Option(names = {"--memel-k", "--inhibit-k"}, description = "MEmeL: units inhibited per sample (default 1) or neurons"
            + " per batch (default 8).")
    Integer inhibitK;

    @Option(names = "--memel-delta", defaultValue = "" + AlignConfig.DEFAULT_MEMEL_DELTA, description = "MEmeL: Δ of"
            + " generalised reverse deactivation z' = −Δz + stopgrad(z̄ + Δz) (default ${DEFAULT-VALUE}).")
    double memelDelta;

    @Option(names = "--memel-batches", description = "MEmeL per-sample: forgetting and late start, in batches (default "
            + AlignConfig.DEFAULT_MEMEL_BATCHES + ").")
    Integer memelBatches;

    @Option(names = "--memel-window", description = "MEmeL per-batch: forgetting window in tokens; inhibition starts"
            + " after one (default " + AlignConfig.DEFAULT_MEMEL_WINDOW + ").")
    Integer memelWindow;

    @Option(names = "--memel-eps", defaultValue = "" + AlignConfig.DEFAULT_MEMEL_EPS, description = "MEmeL variance"
            + " compensation, a fraction of the mean variance (default ${DEFAULT-VALUE}).")
    double memelEps;

    @Option(names = "--lora", description = "Train LoRA adapters instead of every weight.")
    boolean lora;

    @Option(names = "--lora-rank", defaultValue = "" + LoraConfig.DEFAULT_RANK, description = "LoRA rank (default ${DEFAULT-VALUE}).")
    int loraRank;

    @Option(names = "--lora-alpha", defaultValue = "" + LoraConfig.DEFAULT_ALPHA, description = "LoRA alpha (default ${DEFAULT-VALUE}).")
    double loraAlpha;

    @Option(names = "--lora-dropout", defaultValue = "" + LoraConfig.DEFAULT_DROPOUT, description = "LoRA dropout (default ${DEFAULT-VALUE}).")
    double loraDropout;

    @Option(names = "--lora-targets", split = ",", description = "Modules, e.g. q_proj,v_proj,up_proj or GPT-2's c_attn,c_fc"
            + " (default: those).")
    List<String> loraTargets;

    @Option(names = "--lora-layers", description = "Layer range FIRST-LAST, inclusive (default: all).")
    String loraLayers;

    @Option(names = "--lr", defaultValue = "" + AlignConfig.DEFAULT_LR, description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--schedule", description = "constant (after warmup) or cosine (default ${DEFAULT-VALUE}).")
    AlignConfig.Schedule schedule = AlignConfig.DEFAULT_SCHEDULE;

    @Option(names = "--warmup", description = "Warmup steps (default: a tenth of the steps).")
    Integer warmup;

    @Option(names = "--min-lr-ratio", defaultValue = "" + AlignConfig.DEFAULT_MIN_LR_RATIO, description = "Cosine ends at lr times this (default ${DEFAULT-VALUE}).")
    double minLrRatio;

    @Option(names = "--weight-decay", defaultValue = "" + AlignConfig.DEFAULT_WEIGHT_DECAY, description = "AdamW weight decay (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--grad-clip", defaultValue = "" + AlignConfig.DEFAULT_GRAD_CLIP, description = "Global gradient-norm clip; 0: off (default ${DEFAULT-VALUE}).")
    double gradClip;

    @Option(names = "--epochs", defaultValue = "" + AlignConfig.DEFAULT_EPOCHS, description = "Passes over the training pairs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--steps", defaultValue = "" + AlignConfig.DEFAULT_STEPS,
            description = "Optimizer steps; 0: as --epochs take (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--grad-accum", defaultValue = "" + AlignConfig.DEFAULT_GRAD_ACCUM, description = "Micro-batches per step (default ${DEFAULT-VALUE}).")
    int gradAccum;

    @Option(names = "--seed", defaultValue = "" + AlignConfig.DEFAULT_SEED, description = "Pair order, LoRA init, dropout (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-every", defaultValue = "" + AlignConfig.DEFAULT_EVAL_EVERY, description = "Held-out reward metrics every N steps (default ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--fd-every", defaultValue = "" + AlignConfig.DEFAULT_FD_EVERY, description = "FD at every layer every N steps (default ${DEFAULT-VALUE}).")
    int fdEvery;

    @Option(names = "--checkpoint-every", defaultValue = "" + AlignConfig.DEFAULT_CHECKPOINT_EVERY, description = "Checkpoint every N steps (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--reference", description = "Reference log-probs: precomputed (once) or live (every step)"
            + " (default ${DEFAULT-VALUE}).")
    AlignConfig.Reference reference = AlignConfig.DEFAULT_REFERENCE;

    /** The config for {@code method} on the model in {@code modelDir}; λ unset follows the method. */
    AlignConfig config(AlignConfig.Method method, Path modelDir) {
        boolean perSample = memelSelect.perSample();
        if (perSample ? memelWindow != null : memelBatches != null) {
            throw new UserInputException(perSample ? "--memel-window goes with --memel-select per-batch; per-sample forgets"
                    + " after --memel-batches" : "--memel-batches goes with --memel-select per-sample; per-batch forgets"
                    + " after --memel-window");
        }
        return Flags.check(() -> scoring.applyTo(AlignConfig.builder(method)).gamma(gamma)
                .lambda(lambda).decorrMode(decorrMode).hook(hook).memelSelect(memelSelect).inhibitK(inhibitK)
                .memelDelta(memelDelta)
                .memelBatches(memelBatches != null ? memelBatches : AlignConfig.DEFAULT_MEMEL_BATCHES)
                .memelWindow(memelWindow != null ? memelWindow : AlignConfig.DEFAULT_MEMEL_WINDOW).memelEps(memelEps).lora(lora ? loraConfig(modelDir) : null).lr(lr)
                .schedule(schedule).warmupSteps(warmup).minLrRatio(minLrRatio)
                .weightDecay(weightDecay).gradClip(gradClip).epochs(epochs).steps(steps)
                .gradAccum(gradAccum).seed(seed).evalEvery(evalEvery).fdEvery(fdEvery).checkpointEvery(checkpointEvery)
                .reference(reference).build());
    }

    private LoraConfig loraConfig(Path modelDir) {
        int first = 0;
        int last = -1;
        if (loraLayers != null) {
            String[] p = loraLayers.split("-");
            try {
                first = Integer.parseInt(p[0].trim());
                last = p.length > 1 ? Integer.parseInt(p[1].trim()) : first;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--lora-layers " + loraLayers + ": expected FIRST-LAST, e.g. 4-7");
            }
        }
        List<String> targets = loraTargets != null ? loraTargets
                : LoraConfig.defaultTargets(dev.mono4j.model.Checkpoint.inspect(modelDir).config());
        return new LoraConfig(loraRank, loraAlpha, loraDropout, targets, first, last);
    }
}
