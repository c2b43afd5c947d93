package dev.mono4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The training loop every trainer runs (pretraining, alignment, SAE training). A trainer supplies its
 * {@link Method}: the forward and backward of a step, what it logs, and how its part of a checkpoint is saved.
 * The loop owns the rest, the same for every trainer:
 * <ol>
 * <li>the schedule ({@link RunPlan}): steps, learning rate, when a step logs and when it checkpoints;</li>
 * <li>each step: {@code backward}, gradient clipping, the finiteness check, AdamW's update, the record;</li>
 * <li>the log, {@link RunFolder#LOG}: one JSON line per logged step, flushed, so a killed run keeps every
 * finished step's line; on resume the lines after the checkpoint are dropped ({@link #resumeLog});</li>
 * <li>the checkpoint, {@link RunFolder#CHECKPOINT}/: the trainer's files, the optimizer state and
 * {@link RunFolder#STATE}, renamed into place together;</li>
 * <li>a non-finite loss or gradient norm stops the run before the update, and a non-finite weight stops it
 * before a checkpoint would hold it, each with a one-line message naming the step (and the tensor); the last
 * good checkpoint stays as it was and nothing later is written;</li>
 * <li>a loss that explodes while staying finite ({@link #EXPLOSION_RATIO} times this call's first) gets one
 * warning through the listener; the run goes on.</li>
 * </ol>
 * Resuming is bit-exact when the trainer's steps are pure functions of (seed, step), as the optimizer state
 * is saved exactly and the learning rate comes from the step number.
 */
public final class RunLoop {
    private RunLoop() {
    }

    /**
     * A step's loss this many times the first step's (of this call; its magnitude, floored at
     * {@link #EXPLOSION_FLOOR}) is warned about once. Our choice: a healthy run's loss falls, and a diverging one
     * seen in the issue-17 reproductions jumped by 10^5 or more within a few steps (align dpo --lr 1e3: 0.69 to
     * 490,978; sae train --lr 1e6: FVU 1e13), while noise between batches stays far below 100×.
     */
    public static final double EXPLOSION_RATIO = 100;
    static final double EXPLOSION_FLOOR = 1e-3;

    /** What a call of {@link #run} did: its last record (null if it wrote none) and its steps' time, in ns. */
    public record Result<R>(R last, long trainNanos) {
    }

    /** What one optimizer step measured, before its record is made. */
    public record Step(int step, double lr, double loss, double gradNorm, long nanos) {
    }

    /**
     * A training method as the loop runs it.
     *
     * @param <R> its log record
     */
    public interface Method<R extends StepRecord> {
        /**
         * Forward and backward over step {@code step}'s micro-batches, leaving the gradient of the step's mean loss
         * in the parameters; returns that loss.
         */
        double backward(int step);

        /** After the optimizer's update of {@code step} (an SAE: unit-norm decoder, GBA's bias adaptation). */
        default void afterUpdate(int step) {
        }

        /** The record of a step that logs (evaluations due at this step included); called after the update. */
        R record(Step step);

        /** What {@link RunFolder#STATE} holds at {@code step}: all a resume needs besides the tensors. */
        Object state(int step);

        /**
         * Writes the checkpoint folder {@code dir} whole and atomically (e.g. {@code AtomicFiles.writeFolder} or
         * {@code Checkpoint.save}), calling {@code loopFiles} on the folder being written.
         */
        void saveCheckpoint(Path dir, AtomicFiles.FolderContent loopFiles);
    }

    /**
     * Runs steps {@code done + 1 .. plan.steps()} of {@code method}, updating {@code params}; {@code done > 0}
     * continues from the checkpoint in {@code out} (whose log {@link #resumeLog} has trimmed).
     *
     * @throws UserInputException when a step's loss or gradient norm is not finite
     */
    public static <R extends StepRecord> Result<R> run(Path out, RunPlan plan, Method<R> method, Map<String, NDArray> params,
            NDManager manager, int done, RunListener<? super R> listener) {
        Path logFile = out.resolve(RunFolder.LOG);
        Path checkpoint = out.resolve(RunFolder.CHECKPOINT);
        if (done == 0) {
            AtomicFiles.writeString(logFile, "");
        }
        listener.started(plan.label(), (plan.steps() - done) * plan.unitsPerStep(), plan.unit());
        R last = null;
        long trainNanos = 0;
        int lastCheckpoint = done;
        double firstLoss = Double.NaN;
        boolean warned = false;
        try (AdamW opt = new AdamW(params, plan.adamW(), manager);
                BufferedWriter log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            if (done > 0) {
                opt.loadState(checkpoint);
            }
            for (int step = done + 1; step <= plan.steps(); step++) {
                long t0 = System.nanoTime();
                double lr = plan.lr().at(step);
                double loss = method.backward(step);
                double gradNorm = GradientClipping.clipGlobalNorm(params.values(), plan.gradClip());
                if (!Double.isFinite(loss) || !Double.isFinite(gradNorm)) {
                    throw stopped(step, Double.isFinite(loss) ? "gradient norm is " + gradNorm : "loss is " + loss,
                            lastCheckpoint, checkpoint);
                }
                if (Double.isNaN(firstLoss)) {
                    firstLoss = Math.max(Math.abs(loss), EXPLOSION_FLOOR);
                } else if (!warned && Math.abs(loss) > EXPLOSION_RATIO * firstLoss) {
                    warned = true;
                    listener.warned(String.format("step %d: loss %.6g is over %.0f times step %d's (%.4g); the run"
                            + " may be diverging (lower --lr?)", step, loss, EXPLOSION_RATIO, done + 1, firstLoss));
                }
                opt.setLearningRate(lr);
                opt.step();
                opt.zeroGradients();
                method.afterUpdate(step);
                long nanos = System.nanoTime() - t0;
                trainNanos += nanos;
                if (plan.due(step, plan.logEvery())) {
                    last = method.record(new Step(step, lr, loss, gradNorm, nanos));
                    log.write(Json.line(last.toJson()));
                    log.newLine();
                    log.flush(); // a killed run keeps every finished step's line
                    listener.logged(last);
                }
                listener.advanced(plan.unitsPerStep(), last == null ? "" : last.status());
                if (plan.due(step, plan.checkpointEvery())) {
                    String bad = firstNonFinite(params);
                    if (bad != null) {
                        throw stopped(step, "weight " + bad + " is not finite after the update", lastCheckpoint, checkpoint);
                    }
                    int at = step;
                    method.saveCheckpoint(checkpoint, folder -> {
                        opt.saveState(folder);
                        AtomicFiles.writeString(folder.resolve(RunFolder.STATE), Json.write(method.state(at)));
                    });
                    lastCheckpoint = step;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + logFile + ": " + e.getMessage(), e);
        }
        return new Result<>(last, trainNanos);
    }

    /** The name of the first tensor of {@code params} holding a NaN or infinity; null when all are finite. */
    static String firstNonFinite(Map<String, NDArray> params) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            try (NDArray nan = e.getValue().isNaN(); NDArray inf = e.getValue().isInfinite();
                    NDArray bad = nan.logicalOr(inf); NDArray any = bad.any()) {
                if (any.getBoolean()) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    private static UserInputException stopped(int step, String what, int lastCheckpoint, Path checkpoint) {
        return new UserInputException("step " + step + ": " + what + "; stopped, " + (lastCheckpoint == 0
                ? "before the first checkpoint" : "the last good checkpoint (step " + lastCheckpoint + ") is in " + checkpoint)
                + " (lower --lr?)");
    }

    /**
     * Prepares {@code out}'s log to continue from the checkpoint at {@code step}: drops the lines after it (those
     * steps run again) and checks that the last line kept is the last step logged by then. Returns that line, or
     * null when no step had logged yet.
     */
    public static JsonNode resumeLog(Path out, RunPlan plan, int step) {
        Path logFile = out.resolve(RunFolder.LOG);
        JsonNode last = StepLogFile.keepThrough(logFile, step);
        int expected = plan.lastLoggedThrough(step);
        if (expected == 0 ? last != null : last == null || last.path("step").asInt() != expected) {
            throw new UserInputException(logFile + ": has no line for step " + expected + ", the last logged by the"
                    + " checkpoint's step " + step + "; the log does not belong to this run");
        }
        return last;
    }
}
