package dev.mono4j.sae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.train.AdamWConfig;
import dev.mono4j.train.LrSchedule;
import dev.mono4j.train.RunFolder;
import dev.mono4j.train.RunListener;
import dev.mono4j.train.RunLoop;
import dev.mono4j.train.RunPlan;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Trains an SAE on rows from an {@link ActivationSource}, on {@link RunLoop}. The run folder is a {@link RunFolder}:
 * <ul>
 *   <li>{@value RunFolder#FINAL}/: the SAE as SAELens loads it (normalisation folded into the weights);</li>
 *   <li>{@value RunFolder#LOG}: one {@link SaeStepLog} every {@code logEvery} steps (loss, MSE, FVU, L0, dead and
 *   dense latents; on synthetic rows also FRR(0.8) and FRR(0.9));</li>
 *   <li>{@value RunFolder#CHECKPOINT}/: everything needed to continue, replaced atomically every
 *   {@code checkpointEvery} steps;</li>
 *   <li>{@value RunFolder#SUMMARY}: the run's settings and last metrics.</li>
 * </ul>
 * Each step: rows are scaled so their mean norm is √d_in (the scale is fixed from a first sample), the loss
 * of the architecture is back-propagated, the decoder gradient loses its component along the rows, the loop
 * updates with Adam, decoder rows go back to unit norm, and the architecture's per-step hook runs
 * ({@link TrainableSae#afterStep}: GBA adapts biases at the end of each window, BatchTopK moves its threshold).
 * The trainer knows no architecture by name: everything that differs is behind {@link TrainableSae}.
 * {@link #resume} continues a killed run from its checkpoint with the same data, bit for bit; a folder written
 * before the run loop (sae_log.jsonl, checkpoint/sae_state.json) continues under today's names.
 */
public final class SaeTrainer implements RunLoop.Method<SaeStepLog>, AutoCloseable {
    /** The names of run folders written before {@link RunFolder}, which {@link #resume} still continues. */
    static final RunFolder.OldNames OLD_NAMES = new RunFolder.OldNames("sae_log.jsonl", "sae_state.json");
    private static final List<String> OUTPUTS = RunFolder.outputs(OLD_NAMES);
    private static final String TENSORS = "sae.safetensors";

    /**
     * Where a run's rows come from, as the caller can reopen them on resume ({@code data}: any JSON, saved in the
     * checkpoint), and the cfg.json fields the saved SAE carries (model_name, hook_name, dataset_path, ...).
     */
    public record RunInfo(JsonNode data, ObjectNode saeLensConfig) {
    }

    /**
     * What a finished run reports: {@code seconds} of wall time of the call that finished it, {@code rowsPerSecond}
     * over that call's training steps, {@code last} the log's last line.
     */
    public record Summary(Path sae, String architecture, int dIn, int dSae, int steps, long rows, double seconds,
            double rowsPerSecond, Map<String, Object> last) {
    }

    /**
     * The saved state of a run: step, config, input scale, data; {@code architecture} holds what the
     * architecture's checkpoint needs beyond its tensors ({@link TrainableSae#saveState}). Read through
     * {@link OldSaeState}, so run folders of earlier versions load too.
     */
    public record State(int step, SaeConfig config, int dIn, double scale, double inputNorm, ObjectNode architecture,
            long rowsSinceLog, JsonNode data, ObjectNode saeLensConfig) {
    }

    /** What {@link #backward} measured on the step's rows, for {@link #afterUpdate} and {@link #record}. */
    private record StepRows(double mse, double penalty, double totalVariance, float[] firing) {
    }

    private final SaeConfig cfg;
    private final RunPlan plan;
    private final ActivationSource source;
    private final RunInfo info;
    private final Path out;
    private final NDManager manager;
    private final TrainableSae sae;
    private final double scale;
    private final double inputNorm;
    /** The synthetic model's true features when the rows are synthetic (the log then tracks FRR), else null. */
    private final float[] truth;
    /** Rows since each latent last fired (dead when ≥ deadTokens), and firing counts since the last log line. */
    private final long[] sinceFired;
    private final long[] firedSinceLog;
    private long rowsSinceLog;
    private StepRows current;
    /** The architecture's checkpoint fields, collected by {@link #saveCheckpoint} for the {@link #state} it writes. */
    private ObjectNode architectureState;

    private SaeTrainer(SaeConfig cfg, ActivationSource source, RunInfo info, Path out, double scale, double inputNorm,
            float[] decoderBias) {
        this.cfg = cfg;
        this.plan = plan(cfg);
        this.source = source;
        this.info = info;
        this.out = out;
        this.manager = NDManager.newBaseManager();
        this.scale = scale;
        this.inputNorm = inputNorm;
        this.sae = TrainableSae.create(cfg, source.dIn(), inputNorm, decoderBias, manager);
        this.sinceFired = new long[sae.dSae];
        this.firedSinceLog = new long[sae.dSae];
        this.truth = SaeData.groundTruth(info.data());
    }

    /**
     * How the loop runs {@code cfg}: Adam with β (0.9, 0.999), ε 1e-8 and no weight decay (docs/sae.md, "Common
     * training features"; our choice where the papers name none), linear warm-up (capped at the run's length) and
     * cosine decay to lr × minLrRatio, no gradient clipping (the norm is still measured and checked), progress in
     * rows.
     */
    static RunPlan plan(SaeConfig cfg) {
        return new RunPlan(cfg.steps(), cfg.logEvery(), cfg.checkpointEvery(),
                new LrSchedule(cfg.lr(), Math.min(cfg.warmupSteps(), cfg.steps()), cfg.steps(), cfg.minLrRatio()),
                new AdamWConfig(cfg.lr(), 0.9, 0.999, 1e-8, 0), 0, "sae " + cfg.architecture().architecture(), "rows",
                cfg.batchSize());
    }

    /**
     * Trains from scratch into {@code out}. The first {@code batchSize} rows fix the input scale and b_dec's
     * starting point; training rows follow them. {@code listener} hears each log line and the progress
     * ({@link RunListener#console()} draws a bar).
     */
    public static Summary train(SaeConfig cfg, ActivationSource source, RunInfo info, Path out, boolean overwrite,
            RunListener<? super SaeStepLog> listener) {
        long t0 = System.nanoTime();
        // Not created here: the run loop's first write makes it, so rows refused at the start leave no empty folder.
        OutputFolder.clear(out, OUTPUTS, overwrite, "pass --resume to continue the run in it, or --overwrite");
        try (SaeTrainer t = start(cfg, source, info, out)) {
            return t.train(0, null, listener, t0);
        }
    }

    /** Trains from scratch on {@code data}'s rows, which it opens (and closes), recording them for resume and cfg.json. */
    public static Summary train(SaeConfig cfg, SaeData data, Path out, boolean overwrite,
            RunListener<? super SaeStepLog> listener) {
        return train(cfg, data, out, overwrite, NonFinite.REFUSE, listener);
    }

    /**
     * As {@link #train(SaeConfig, SaeData, Path, boolean, RunListener)}; {@code nonFinite}: whether a store's NaN or
     * ±Inf rows are read.
     */
    public static Summary train(SaeConfig cfg, SaeData data, Path out, boolean overwrite, NonFinite nonFinite,
            RunListener<? super SaeStepLog> listener) {
        try (ActivationSource source = data.open(nonFinite)) {
            return train(cfg, source, new RunInfo(Json.MAPPER.valueToTree(data), data.saeLensConfig()), out, overwrite,
                    listener);
        }
    }

    /**
     * A trainer at step 0: the first {@code batchSize} rows fix the input scale, b_dec's starting point and
     * whatever else the architecture starts from them ({@link TrainableSae#start}).
     */
    private static SaeTrainer start(SaeConfig cfg, ActivationSource source, RunInfo info, Path out) {
        int dIn = source.dIn();
        float[] sample = source.next(cfg.batchSize());
        double meanNorm = meanNorm(sample, dIn);
        if (!(meanNorm > 0) || !Double.isFinite(meanNorm)) {
            throw new UserInputException(info.data() + ": the first rows have mean norm " + meanNorm + "; cannot train on"
                    + " them (all zero or not finite)");
        }
        double scale = cfg.normalize() ? Math.sqrt(dIn) / meanNorm : 1;
        for (int i = 0; i < sample.length; i++) {
            sample[i] *= (float) scale;
        }
        float[] bDec = decoderBiasInit(cfg.decoderBiasInit(), sample, dIn);
        SaeTrainer t = new SaeTrainer(cfg, source, info, out, scale, meanNorm * scale, bDec);
        try {
            t.sae.start(sample);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /**
     * Continues the run in {@code out} from its checkpoint; {@code source} must be the run's data, reopened. Log
     * lines written after the checkpoint are dropped, as those steps run again.
     */
    public static Summary resume(Path out, ActivationSource source, RunListener<? super SaeStepLog> listener) {
        return resume(out, source, NonFinite.REFUSE, listener);
    }

    /** As {@link #resume(Path, ActivationSource, RunListener)}; {@code nonFinite}: whether NaN or ±Inf SAE weights load. */
    public static Summary resume(Path out, ActivationSource source, NonFinite nonFinite,
            RunListener<? super SaeStepLog> listener) {
        long t0 = System.nanoTime();
        State s = savedState(out);
        if (source.dIn() != s.dIn()) {
            throw new UserInputException(s.data() + ": rows have width " + source.dIn() + " but the run trained on " + s.dIn());
        }
        JsonNode lastLogged = RunLoop.resumeLog(out, plan(s.config()), s.step());
        source.skip((long) s.config().batchSize() * (s.step() + 1)); // the first sample, then each step's rows
        try (SaeTrainer t = new SaeTrainer(s.config(), source, new RunInfo(s.data(), s.saeLensConfig()), out, s.scale(),
                s.inputNorm(), new float[s.dIn()])) {
            t.restore(out.resolve(RunFolder.CHECKPOINT), s, nonFinite);
            return t.train(s.step(), lastLogged, listener, t0);
        }
    }

    /**
     * The state saved in {@code out}'s checkpoint (the CLI reads the data description from it to reopen the data),
     * after renaming an older release's log and state file to today's names ({@link RunFolder#stateToResume}).
     */
    public static State savedState(Path out) {
        return OldSaeState.read(RunFolder.stateToResume(out, OLD_NAMES));
    }

    /**
     * Trains steps {@code done + 1 ..} on the loop, then saves the SAE and the summary; {@code resumedLog} is the
     * log's last line so far (resume), or null.
     */
    private Summary train(int done, JsonNode resumedLog, RunListener<? super SaeStepLog> listener, long t0) {
        RunLoop.Result<SaeStepLog> r = RunLoop.run(out, plan, this, sae.parameters(), manager, done, listener);
        Map<String, Object> last = r.last() != null ? r.last().toJson() : resumedLog == null ? null
                : Json.MAPPER.convertValue(resumedLog, new TypeReference<Map<String, Object>>() { });
        Path finalDir = out.resolve(RunFolder.FINAL);
        try (NDManager m = manager.newSubManager()) {
            SparseAutoencoder exported = sae.export(scale, withTraining(info.saeLensConfig()), m);
            exported.save(finalDir, true);
        }
        long trainedRows = (long) (cfg.steps() - done) * cfg.batchSize();
        Summary summary = new Summary(finalDir, cfg.architecture().architecture(), sae.dIn, sae.dSae, cfg.steps(),
                (long) cfg.steps() * cfg.batchSize(), (System.nanoTime() - t0) / 1e9,
                r.trainNanos() == 0 ? 0 : trainedRows / (r.trainNanos() / 1e9), last);
        AtomicFiles.writeString(out.resolve(RunFolder.SUMMARY), Json.write(Json.object("summary", summary, "config", cfg,
                "data", info.data())));
        return summary;
    }

    /** cfg.json of the saved SAE: the caller's fields plus how it was trained. */
    private ObjectNode withTraining(ObjectNode base) {
        ObjectNode c = base.deepCopy();
        ObjectNode t = c.putObject("mono4j");
        t.put("architecture", cfg.architecture().architecture());
        t.set("training", Json.MAPPER.valueToTree(cfg));
        t.put("activation_scale", scale);
        t.put("steps", cfg.steps());
        return c;
    }

    /**
     * The step's rows, normalised, through the architecture's loss and back; then the decoder gradient loses its
     * component along each (unit) decoder row, so the update keeps the rows' norm to first order.
     */
    @Override
    public double backward(int step) {
        int n = cfg.batchSize();
        float[] rows = source.next(n);
        boolean[] dead = null;
        if (sae.usesDeadLatents()) {
            dead = new boolean[sae.dSae];
            for (int i = 0; i < dead.length; i++) {
                dead[i] = sinceFired[i] >= cfg.deadTokens();
            }
        }
        double loss;
        double mse;
        double penalty;
        float[] firing;
        double totalVariance;
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(rows, new Shape(n, sae.dIn)).muli((float) scale);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                TrainableSae.Forward f = sae.forward(m, x, dead);
                gc.backward(f.loss());
                loss = f.loss().getFloat();
                mse = f.mse().getFloat();
                penalty = f.penalty().getFloat();
                firing = f.firing();
            }
            totalVariance = x.sub(x.mean(new int[] {0})).square().sum().getFloat() / n;
        }
        if (cfg.unitNormDecoder()) {
            sae.projectDecoderGradient();
        }
        current = new StepRows(mse, penalty, totalVariance, firing);
        return loss;
    }

    /** Decoder rows back to unit norm, the firing counters, then the architecture's per-step hook (GBA, BatchTopK). */
    @Override
    public void afterUpdate(int step) {
        if (cfg.unitNormDecoder()) {
            sae.normalizeDecoder();
        }
        int n = cfg.batchSize();
        float[] firing = current.firing();
        for (int i = 0; i < firing.length; i++) {
            sinceFired[i] = firing[i] > 0 ? 0 : sinceFired[i] + n;
            firedSinceLog[i] += (long) firing[i];
        }
        rowsSinceLog += n;
        sae.afterStep(step, firing, n);
    }

    /** The step's line: its loss parts, dead and dense latents (the latter since the last line), FRR on synthetic rows. */
    @Override
    public SaeStepLog record(RunLoop.Step s) {
        int n = cfg.batchSize();
        double l0 = 0;
        for (float f : current.firing()) {
            l0 += f;
        }
        int dead = 0;
        int dense = 0;
        for (int i = 0; i < sinceFired.length; i++) {
            dead += sinceFired[i] >= cfg.deadTokens() ? 1 : 0;
            dense += (double) firedSinceLog[i] / rowsSinceLog > cfg.denseThreshold() ? 1 : 0;
        }
        Arrays.fill(firedSinceLog, 0);
        rowsSinceLog = 0;
        Double frr08 = null;
        Double frr09 = null;
        if (truth != null) {
            FeatureRecovery.Scores scores = FeatureRecovery.score(truth, sae.wDec.toFloatArray(), sae.dIn);
            frr08 = scores.frr08();
            frr09 = scores.frr09();
        }
        return new SaeStepLog(s.step(), (long) s.step() * n, s.lr(), s.loss(), current.mse(),
                current.mse() / current.totalVariance(), l0 / n, sae.penaltyName(), current.penalty(), dead, dense, frr08,
                frr09, s.gradNorm(), n / (s.nanos() / 1e9));
    }

    @Override
    public Object state(int step) {
        return new State(step, cfg, sae.dIn, scale, inputNorm, architectureState, rowsSinceLog, info.data(),
                info.saeLensConfig());
    }

    /** The SAE's tensors and counters, then the loop's optimizer state and {@link #state}, renamed into place together. */
    @Override
    public void saveCheckpoint(Path dir, AtomicFiles.FolderContent loopFiles) {
        AtomicFiles.writeFolder(dir, true, RunFolder.STATE, "SAE checkpoint", tmp -> {
            SafetensorsWriter w = new SafetensorsWriter().metadata("producer", "mono4j SaeTrainer");
            for (Map.Entry<String, NDArray> e : sae.state().entrySet()) {
                w.addF32(e.getKey(), e.getValue().getShape().getShape(), e.getValue().toFloatArray());
            }
            w.addI64("since_fired", new long[] {sinceFired.length}, sinceFired);
            w.addI64("fired_since_log", new long[] {firedSinceLog.length}, firedSinceLog);
            architectureState = Json.MAPPER.createObjectNode();
            sae.saveState(w, architectureState);
            w.write(tmp.resolve(TENSORS));
            loopFiles.writeTo(tmp);
        });
    }

    /**
     * The SAE and its counters as the checkpoint in {@code ckpt} holds them (the loop restores the optimizer); a NaN
     * or ±Inf weight is refused under {@link NonFinite#REFUSE}.
     */
    private void restore(Path ckpt, State s, NonFinite nonFinite) {
        try (SafetensorsReader r = SafetensorsReader.open(ckpt.resolve(TENSORS))) {
            for (Map.Entry<String, NDArray> e : sae.state().entrySet()) {
                float[] v = r.readFloats(e.getKey());
                if (v.length != e.getValue().getShape().size()) {
                    throw new UserInputException(r.path() + ": tensor '" + e.getKey() + "' does not match the config");
                }
                nonFinite.check(v, r.path() + ": tensor '" + e.getKey() + "'");
                TrainableSae.overwrite(e.getValue(), v);
            }
            System.arraycopy(r.readLongs("since_fired"), 0, sinceFired, 0, sinceFired.length);
            System.arraycopy(r.readLongs("fired_since_log"), 0, firedSinceLog, 0, firedSinceLog.length);
            sae.restoreState(r, s.architecture());
        }
        rowsSinceLog = s.rowsSinceLog();
    }

    private static double meanNorm(float[] rows, int dIn) {
        int n = rows.length / dIn;
        double sum = 0;
        for (int r = 0; r < n; r++) {
            double sq = 0;
            for (int j = 0; j < dIn; j++) {
                double v = rows[r * dIn + j];
                sq += v * v;
            }
            sum += Math.sqrt(sq);
        }
        return sum / n;
    }

    /**
     * b_dec's starting point. The geometric median (Bricken et al. 2023) minimises the summed distance to the rows,
     * found by Weiszfeld's iteration: y ← Σ wᵢxᵢ / Σ wᵢ with wᵢ = 1/‖xᵢ − y‖, from the mean.
     */
    static float[] decoderBiasInit(SaeConfig.DecoderBiasInit how, float[] rows, int dIn) {
        int n = rows.length / dIn;
        double[] y = new double[dIn];
        if (how == SaeConfig.DecoderBiasInit.ZERO) {
            return new float[dIn];
        }
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < dIn; j++) {
                y[j] += rows[r * dIn + j] / (double) n;
            }
        }
        if (how == SaeConfig.DecoderBiasInit.GEOMETRIC_MEDIAN) {
            for (int it = 0; it < 100; it++) {
                double[] next = new double[dIn];
                double wSum = 0;
                for (int r = 0; r < n; r++) {
                    double d2 = 0;
                    for (int j = 0; j < dIn; j++) {
                        double diff = rows[r * dIn + j] - y[j];
                        d2 += diff * diff;
                    }
                    double w = 1 / Math.max(Math.sqrt(d2), 1e-8);
                    wSum += w;
                    for (int j = 0; j < dIn; j++) {
                        next[j] += w * rows[r * dIn + j];
                    }
                }
                double moved = 0;
                for (int j = 0; j < dIn; j++) {
                    next[j] /= wSum;
                    moved += (next[j] - y[j]) * (next[j] - y[j]);
                }
                y = next;
                if (Math.sqrt(moved) < 1e-6) {
                    break;
                }
            }
        }
        float[] out = new float[dIn];
        for (int j = 0; j < dIn; j++) {
            out[j] = (float) y[j];
        }
        return out;
    }

    @Override
    public void close() {
        sae.close();
        manager.close();
    }
}
