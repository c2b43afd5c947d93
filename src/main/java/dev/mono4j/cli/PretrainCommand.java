package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.train.PretrainConfig;
import dev.mono4j.train.PretrainSummary;
import dev.mono4j.train.Pretrainer;
import dev.mono4j.train.RunFolder;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Pretrains a small model from scratch, or fine-tunes a checkpoint ({@code --init}); every model and training flag
 * sets one {@link PretrainConfig} field. The architecture flags default to null, so a run from {@code --init} can
 * tell that one was given (their defaults are the builder's, named in their descriptions).
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true, description = "Pretrain a small Llama, GPT-2 or Monet from scratch"
        + " on a text file (one document per line), or continue training a checkpoint (--init). --out gets " + RunFolder.LOG
        + ", " + RunFolder.CHECKPOINT + "/, " + RunFolder.FINAL + "/ and " + RunFolder.SUMMARY + ".")
final class PretrainCommand extends CliCommand {
    @Option(names = "--train", description = "Training text, UTF-8, one document per line.")
    Path train;

    @Option(names = "--valid", description = "Validation text, same format.")
    Path valid;

    @Option(names = "--tokenizer", description = "tokenizer.json (copied into the checkpoints); with --init, default the"
            + " checkpoint's, and one given must have the model's vocabulary size.")
    Path tokenizer;

    @Option(names = "--init", paramLabel = "DIR", description = "Start from the HF checkpoint in DIR (llama, gpt2, monet,"
            + " ...: its config.json is the model) instead of random weights; excludes --arch, --preset, --d-model,"
            + " --layers and --heads.")
    Path init;

    @Mixin
    OutputFolderOptions output;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint, with its config.")
    boolean resume;

    @Option(names = "--arch", description = "llama, gpt2, monet-vd, monet-hd, workspace-hard, workspace-soft or str"
            + " (Monet: Llama attention with the vertically or horizontally decomposed expert layer; workspace: a shared"
            + " global workspace with a hard (top-k) or soft write in self-attention's place; str: top-k sparse"
            + " self-attention; the last five sized to the preset's Llama parameter count; default "
            + PretrainConfig.DEFAULT_ARCH + ").")
    String arch;

    @Option(names = "--preset", description = "Size: xs (~0.1M parameters), s (~0.5M), m (~2M), l (~10M) at 2,000 words"
            + " (default " + PretrainConfig.DEFAULT_PRESET + ").")
    String preset;

    @Option(names = "--d-model", description = "Width (default: the preset's).")
    Integer dModel;

    @Option(names = "--layers", description = "Blocks (default: the preset's).")
    Integer layers;

    @Option(names = "--heads", description = "Attention heads (default: the preset's).")
    Integer heads;

    @Option(names = "--seq-len", defaultValue = "" + PretrainConfig.DEFAULT_SEQ_LEN,
            description = "Tokens per window and the model's context (default ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--batch-size", defaultValue = "" + PretrainConfig.DEFAULT_BATCH_SIZE,
            description = "Windows per micro-batch (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--grad-accum", defaultValue = "" + PretrainConfig.DEFAULT_GRAD_ACCUM,
            description = "Micro-batches per optimizer step (default ${DEFAULT-VALUE}).")
    int gradAccum;

    @Option(names = "--steps", defaultValue = "" + PretrainConfig.DEFAULT_STEPS, description = "Optimizer steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", defaultValue = "" + PretrainConfig.DEFAULT_LR, description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", description = "Linear warmup steps (default: a tenth of --steps).")
    Integer warmup;

    @Option(names = "--min-lr-ratio", defaultValue = "" + PretrainConfig.DEFAULT_MIN_LR_RATIO,
            description = "Cosine decay ends at lr times this (default ${DEFAULT-VALUE}).")
    double minLrRatio;

    @Option(names = "--weight-decay", defaultValue = "" + PretrainConfig.DEFAULT_WEIGHT_DECAY,
            description = "AdamW weight decay on matrices (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--grad-clip", defaultValue = "" + PretrainConfig.DEFAULT_GRAD_CLIP,
            description = "Clip the gradients' global L2 norm to this; 0: off (default ${DEFAULT-VALUE}).")
    double gradClip;

    @Option(names = "--seed", defaultValue = "" + PretrainConfig.DEFAULT_SEED,
            description = "Initial weights (unless --init) and batches (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-every", defaultValue = "" + PretrainConfig.DEFAULT_EVAL_EVERY,
            description = "Validation loss every N steps and after the last; 0: last only (default ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "" + PretrainConfig.DEFAULT_EVAL_BATCHES,
            description = "Validation batches of fixed windows (default ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--checkpoint-every", defaultValue = "" + PretrainConfig.DEFAULT_CHECKPOINT_EVERY,
            description = "Resumable checkpoint every N steps and after the last; 0: last only (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--moe-aux-weight", defaultValue = "" + PretrainConfig.DEFAULT_MOE_AUX_WEIGHT,
            description = "Monet only: lambda of the routing losses, loss = LM + lambda (uniformity + ambiguity)"
                    + " (default ${DEFAULT-VALUE}, as the Monet paper).")
    double moeAuxWeight;

    @Mixin
    TensorBoardOption tensorboard;

    @Override
    public void run() {
        PretrainSummary s;
        if (resume) {
            Flags.checkResumeOnly(spec, false);
            s = tensorboard.run(listener -> Pretrainer.resume(output.out, listener));
        } else {
            if (train == null || valid == null || (tokenizer == null && init == null)) {
                throw new UserInputException("--train, --valid and --tokenizer are required (unless --resume;"
                        + " --tokenizer is optional with --init)");
            }
            String initDir = init != null ? init.toAbsolutePath().toString() : null;
            PretrainConfig cfg = Flags.check(() -> PretrainConfig.builder().init(initDir).arch(arch).preset(preset)
                    .dModel(dModel).layers(layers).heads(heads).seqLen(seqLen).batchSize(batchSize).gradAccum(gradAccum).steps(steps).lr(lr)
                    .warmupSteps(warmup).minLrRatio(minLrRatio).weightDecay(weightDecay).gradClip(gradClip).seed(seed)
                    .evalEvery(evalEvery).evalBatches(evalBatches).checkpointEvery(checkpointEvery).moeAuxWeight(moeAuxWeight).build());
            s = tensorboard.run(listener -> Pretrainer.run(cfg, train, valid, tokenizer, output.out, output.overwrite,
                    listener));
        }
        out().printf(java.util.Locale.ROOT,
                "trained %,d parameters for %d steps (%,d tokens): train loss %.4f, valid loss %.4f%s, %.0f tokens/s, %.1f s%n"
                        + "model: %s%n", s.parameters(), s.steps(), s.tokens(), s.finalTrainLoss(), s.finalValidLoss(),
                s.initialValidLoss() != null ? String.format(java.util.Locale.ROOT, " (before training %.4f)",
                        s.initialValidLoss()) : "", s.tokensPerS(), s.wallSeconds(), s.model());
    }
}
