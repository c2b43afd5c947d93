package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.lcm.ConceptStore;
import dev.mono4j.lcm.LcmLoss;
import dev.mono4j.lcm.LcmStepLog;
import dev.mono4j.lcm.LcmTrainConfig;
import dev.mono4j.lcm.LcmTrainer;
import dev.mono4j.train.RunFolder;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains a Base-LCM or a Two-Tower diffusion LCM on a concept folder; every flag sets one {@link LcmTrainConfig} field. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a Large Concept Model (base-lcm or"
        + " two-tower) on a concept folder's TRAIN documents, validating on VALID. --out gets " + RunFolder.LOG + ", "
        + RunFolder.CHECKPOINT + "/, " + RunFolder.FINAL + "/ and " + RunFolder.SUMMARY + ".")
final class LcmTrainCommand extends CliCommand {
    @Option(names = "--concepts", paramLabel = "DIR", description = "The concept folder lcm embed wrote.")
    Path concepts;

    @Mixin
    OutputFolderOptions output;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint, with its config.")
    boolean resume;

    @Option(names = "--model", defaultValue = LcmTrainConfig.DEFAULT_MODEL,
            description = "base-lcm or two-tower (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--d-model", defaultValue = "" + LcmTrainConfig.DEFAULT_D_MODEL, description = "Width (default ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--layers", defaultValue = "" + LcmTrainConfig.DEFAULT_LAYERS,
            description = "Base-LCM body or Two-Tower contextualizer blocks (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "" + LcmTrainConfig.DEFAULT_HEADS, description = "Attention heads (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--denoiser-layers", defaultValue = "" + LcmTrainConfig.DEFAULT_DENOISER_LAYERS,
            description = "Two-Tower denoiser layers (default ${DEFAULT-VALUE}).")
    int denoiserLayers;

    @Option(names = "--context", defaultValue = "" + LcmTrainConfig.DEFAULT_CONTEXT,
            description = "Context sentences per window; the model reads at most this many (default ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--steps", defaultValue = "" + LcmTrainConfig.DEFAULT_STEPS, description = "Optimizer steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "" + LcmTrainConfig.DEFAULT_BATCH_SIZE, description = "Windows per step (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "" + LcmTrainConfig.DEFAULT_LR, description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", defaultValue = "" + LcmTrainConfig.DEFAULT_WARMUP, description = "Linear warmup steps (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--loss", defaultValue = "mse-sum",
            description = "mse-sum (the recipes') or rmse (the criterion's code default) (default ${DEFAULT-VALUE}).")
    LcmLoss loss;

    @Option(names = "--condition-drop", defaultValue = "" + LcmTrainConfig.DEFAULT_CONDITION_DROP,
            description = "Two-Tower: share of positions trained without context, for guidance (default ${DEFAULT-VALUE}).")
    double conditionDrop;

    @Option(names = "--inference-steps", defaultValue = "" + LcmTrainConfig.DEFAULT_INFERENCE_STEPS,
            description = "Two-Tower: DDIM steps when predicting (default ${DEFAULT-VALUE}).")
    int inferenceSteps;

    @Option(names = "--guidance-scale", defaultValue = "" + LcmTrainConfig.DEFAULT_GUIDANCE_SCALE,
            description = "Two-Tower: classifier-free guidance scale when predicting; 1: none (default ${DEFAULT-VALUE}).")
    double guidanceScale;

    @Option(names = "--eval-every", defaultValue = "" + LcmTrainConfig.DEFAULT_EVAL_EVERY,
            description = "Validation every N steps and after the last (default ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--checkpoint-every", defaultValue = "" + LcmTrainConfig.DEFAULT_CHECKPOINT_EVERY,
            description = "Resumable checkpoint every N steps and after the last (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--seed", defaultValue = "0", description = "Initial weights, batches and noise (default ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    TensorBoardOption tensorboard;

    @Override
    public void run() {
        LcmStepLog last;
        if (resume) {
            Flags.checkResumeOnly(spec, false);
            last = tensorboard.run(listener -> LcmTrainer.resume(output.out, ConceptStore::read, listener));
        } else {
            if (concepts == null) {
                throw new UserInputException("--concepts is required (unless --resume)");
            }
            LcmTrainConfig cfg = LcmTrainConfig.builder().model(model).dModel(dModel).layers(layers).heads(heads)
                    .denoiserLayers(denoiserLayers).context(context).steps(steps).batchSize(batchSize).lr(lr)
                    .warmup(warmup).loss(loss).conditionDrop(conditionDrop)
                    .inferenceSteps(inferenceSteps).guidanceScale(guidanceScale).evalEvery(evalEvery)
                    .checkpointEvery(checkpointEvery).seed(seed).build();
            last = tensorboard.run(listener -> LcmTrainer.run(cfg, ConceptStore.read(concepts), concepts, output.out,
                    output.overwrite, listener));
        }
        out().printf(java.util.Locale.ROOT, "trained %d steps: loss %.4f, valid loss %s%nmodel: %s%n", last.step(),
                last.loss(), last.validLoss(), output.out.resolve(RunFolder.FINAL));
    }
}
