package dev.mono4j.sae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.UserInputException;
import dev.mono4j.console.Progress;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.train.AdamW;
import dev.mono4j.train.AdamWConfig;
import dev.mono4j.train.LrSchedule;
import dev.mono4j.train.StepLogFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Trains an SAE on rows from an {@link ActivationSource}. A run folder holds:
 * <ul>
 *   <li>{@code final/}: the SAE as SAELens loads it (normalisation folded into the weights);</li>
 *   <li>{@code sae_log.jsonl}: one line every {@code logEvery} steps (loss, MSE, FVU, L0, dead and dense latents;
 *   on synthetic rows also FRR(0.8) and FRR(0.9));</li>
 *   <li>{@code checkpoint/}: everything needed to continue, replaced atomically every {@code checkpointEvery} steps;</li>
 *   <li>{@code summary.json}: the run's settings and last metrics.</li>
 * </ul>
 * Each step: rows are scaled so their mean norm is √d_in (the scale is fixed from a first sample), the loss
 * of the architecture is back-propagated, the decoder gradient loses its component along the rows, Adam
 * updates, decoder rows go back to unit norm, and the architecture's per-step hook runs
 * ({@link TrainableSae#afterStep}: GBA adapts biases at the end of each window, BatchTopK moves its threshold).
 * The trainer knows no architecture by name: everything that differs is behind {@link TrainableSae}.
 * {@link #resume} continues a killed run from its checkpoint with the same data, bit for bit.
 */
public final class SaeTrainer implements AutoCloseable {
    public static final String FINAL = "final";
    public static final String CHECKPOINT = "checkpoint";
    public static final String LOG = "sae_log.jsonl";
    public static final String SUMMARY = "summary.json";
    static final String STATE = "sae_state.json";
    private static final String TENSORS = "sae.safetensors";
    public static final Set<String> OUTPUTS = Set.of(FINAL, CHECKPOINT, LOG, SUMMARY);

    /**
     * Where a run's rows come from, as the caller can reopen them on resume ({@code data}: any JSON, saved in the
     * checkpoint), and the cfg.json fields the saved SAE carries (model_name, hook_name, dataset_path, ...).
     */
    public record RunInfo(JsonNode data, ObjectNode saeLensConfig) {
    }

    /** What a finished run reports. */
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

    private final SaeConfig cfg;
    private final ActivationSource source;
    private final RunInfo info;
    private final Path out;
    private final NDManager manager;
    private final TrainableSae sae;
    private final AdamW adam;
    private final LrSchedule schedule;
    private final double scale;
    private final double inputNorm;
    /** The synthetic model's true features when the rows are synthetic (the log then tracks FRR), else null. */
    private final float[] truth;
    /** Rows since each latent last fired (dead when ≥ deadTokens), and firing counts since the last log line. */
    private final long[] sinceFired;
    private final long[] firedSinceLog;
    private long rowsSinceLog;
    private int step;

    private SaeTrainer(SaeConfig cfg, ActivationSource source, RunInfo info, Path out, double scale, double inputNorm,
            float[] decoderBias) {
        this.cfg = cfg;
        this.source = source;
        this.info = info;
        this.out = out;
        this.manager = NDManager.newBaseManager();
        this.scale = scale;
        this.inputNorm = inputNorm;
        this.sae = TrainableSae.create(cfg, source.dIn(), inputNorm, decoderBias, manager);
        this.adam = new AdamW(sae.parameters(), new AdamWConfig(cfg.lr(), 0.9, 0.999, 1e-8, 0), manager);
        this.schedule = new LrSchedule(cfg.lr(), Math.min(cfg.warmupSteps(), cfg.steps()), cfg.steps(), cfg.minLrRatio());
        this.sinceFired = new long[sae.dSae];
        this.firedSinceLog = new long[sae.dSae];
        this.truth = SaeData.groundTruth(info.data());
    }

    /**
     * Trains from scratch into {@code out}. The first {@code batchSize} rows fix the input scale and b_dec's
     * starting point; training rows follow them.
     */
    public static Summary train(SaeConfig cfg, ActivationSource source, RunInfo info, Path out, boolean overwrite,
            boolean showProgress) {
        OutputFolder.prepare(out, OUTPUTS, overwrite, "pass --resume to continue the run in it, or --overwrite");
        try (SaeTrainer t = start(cfg, source, info, out)) {
            return t.run(showProgress, null);
        }
    }

    /** Trains from scratch on {@code data}'s rows, which it opens (and closes), recording them for resume and cfg.json. */
    public static Summary train(SaeConfig cfg, SaeData data, Path out, boolean overwrite, boolean showProgress) {
        try (ActivationSource source = data.open()) {
            return train(cfg, source, new RunInfo(Json.MAPPER.valueToTree(data), data.saeLensConfig()), out, overwrite,
                    showProgress);
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

    /** Continues the run in {@code out} from its checkpoint; {@code source} must be the run's data, reopened. */
    public static Summary resume(Path out, ActivationSource source, boolean showProgress) {
        Path ckpt = out.resolve(CHECKPOINT);
        State s = savedState(out);
        if (source.dIn() != s.dIn()) {
            throw new UserInputException(info(s) + ": rows have width " + source.dIn() + " but the run trained on " + s.dIn());
        }
        source.skip((long) s.config().batchSize() * (s.step() + 1)); // the first sample, then each step's rows
        try (SaeTrainer t = new SaeTrainer(s.config(), source, new RunInfo(s.data(), s.saeLensConfig()), out, s.scale(),
                s.inputNorm(), new float[s.dIn()])) {
            t.restore(ckpt, s);
            JsonNode lastLogged = StepLogFile.keepThrough(out.resolve(LOG), s.step());
            return t.run(showProgress, lastLogged == null ? null : Json.MAPPER.convertValue(lastLogged,
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }));
        }
    }

    /** The state saved in {@code out}'s checkpoint (the CLI reads the data description from it to reopen the data). */
    public static State savedState(Path out) {
        Path file = out.resolve(CHECKPOINT).resolve(STATE);
        if (!Files.isRegularFile(file)) {
            throw new UserInputException(out + ": no " + CHECKPOINT + "/" + STATE + " to resume from (a run killed before"
                    + " its first checkpoint starts again without --resume)");
        }
        return OldSaeState.read(file);
    }

    /**
     * Seconds per training step of {@code cfg} on {@code source}'s rows, for benchmarks: {@code warmup} steps,
     * then the mean of {@code timed} steps (the source's own time included; nothing is written).
     */
    public static double secondsPerStep(SaeConfig cfg, ActivationSource source, int warmup, int timed) {
        try (SaeTrainer t = start(cfg, source, new RunInfo(Json.MAPPER.createObjectNode(), null), null)) {
            long start = 0;
            for (int i = 0; i < warmup + timed; i++) {
                if (i == warmup) {
                    start = System.nanoTime();
                }
                t.step++;
                t.trainStep();
            }
            return (System.nanoTime() - start) / 1e9 / timed;
        }
    }

    private static String info(State s) {
        return String.valueOf(s.data());
    }

    /** Trains from the current step to the end; {@code last} is the log's last line so far (resume), or null. */
    private Summary run(boolean showProgress, Map<String, Object> last) {
        long start = System.nanoTime();
        int first = step;
        Progress progress = showProgress ? new Progress("sae " + cfg.architecture().architecture(), cfg.steps() - first,
                "steps") : null;
        while (step < cfg.steps()) {
            step++;
            Map<String, Object> line = trainStep();
            if (line != null) {
                last = line;
                appendLog(line);
            }
            if (step % cfg.checkpointEvery() == 0 || step == cfg.steps()) {
                checkpoint();
            }
            if (progress != null) {
                progress.step(1, last == null ? "" : progressNote(last));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long rows = (long) (cfg.steps() - first) * cfg.batchSize();
        try (NDManager m = manager.newSubManager()) {
            SparseAutoencoder exported = sae.export(scale, withTraining(info.saeLensConfig()), m);
            exported.save(out.resolve(FINAL), true);
        }
        Summary summary = new Summary(out.resolve(FINAL), cfg.architecture().architecture(), sae.dIn, sae.dSae, cfg.steps(),
                (long) cfg.steps() * cfg.batchSize(), seconds, rows / Math.max(seconds, 1e-9), last);
        AtomicFiles.writeString(out.resolve(SUMMARY), Json.write(Json.object("summary", summary, "config", cfg,
                "data", info.data())));
        return summary;
    }

    private static String progressNote(Map<String, Object> line) {
        String note = String.format("mse %.4g fvu %.3f L0 %.1f", ((Number) line.get("mse")).doubleValue(),
                ((Number) line.get("fvu")).doubleValue(), ((Number) line.get("l0")).doubleValue());
        Object frr = line.get("frr_0.9");
        return frr == null ? note : note + String.format(" FRR(0.9) %.3f", ((Number) frr).doubleValue());
    }

    /** cfg.json of the saved SAE: the caller's fields plus how it was trained. */
    private ObjectNode withTraining(ObjectNode base) {
        ObjectNode c = base.deepCopy();
        ObjectNode t = c.putObject("mono4j");
        t.put("architecture", cfg.architecture().architecture());
        t.set("training", Json.MAPPER.valueToTree(cfg));
        t.put("activation_scale", scale);
        t.put("steps", step);
        return c;
    }

    /** One optimizer step; returns the log line when this step logs, else null. */
    private Map<String, Object> trainStep() {
        double lr = schedule.at(step);
        adam.setLearningRate(lr);
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
        double totalVariance;
        float[] firing;
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
        adam.step();
        adam.zeroGradients();
        if (cfg.unitNormDecoder()) {
            sae.normalizeDecoder();
        }
        double l0 = 0;
        for (int i = 0; i < firing.length; i++) {
            l0 += firing[i];
            sinceFired[i] = firing[i] > 0 ? 0 : sinceFired[i] + n;
            firedSinceLog[i] += (long) firing[i];
        }
        rowsSinceLog += n;
        sae.afterStep(step, firing, n);
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("step " + step + ": loss is " + loss + " (lower --lr?)");
        }
        if (step % cfg.logEvery() != 0 && step != cfg.steps()) {
            return null;
        }
        int deadCount = 0;
        int dense = 0;
        for (int i = 0; i < sinceFired.length; i++) {
            deadCount += sinceFired[i] >= cfg.deadTokens() ? 1 : 0;
            dense += (double) firedSinceLog[i] / rowsSinceLog > cfg.denseThreshold() ? 1 : 0;
        }
        Arrays.fill(firedSinceLog, 0);
        rowsSinceLog = 0;
        Map<String, Object> line = Json.object("step", step, "rows", (long) step * n, "lr", lr, "loss", loss, "mse", mse,
                "fvu", mse / totalVariance, "l0", l0 / n, sae.penaltyName(), penalty, "dead", deadCount, "dense", dense);
        if (truth != null) {
            FeatureRecovery.Scores s = FeatureRecovery.score(truth, sae.wDec.toFloatArray(), sae.dIn);
            line.put("frr_0.8", s.frr08());
            line.put("frr_0.9", s.frr09());
        }
        return line;
    }

    private void appendLog(Map<String, Object> line) {
        try {
            Files.writeString(out.resolve(LOG), Json.line(line) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve(LOG) + ": " + e.getMessage(), e);
        }
    }

    private void checkpoint() {
        AtomicFiles.writeFolder(out.resolve(CHECKPOINT), true, STATE, "SAE checkpoint", tmp -> {
            SafetensorsWriter w = new SafetensorsWriter().metadata("producer", "mono4j SaeTrainer");
            for (Map.Entry<String, NDArray> e : sae.state().entrySet()) {
                w.addF32(e.getKey(), e.getValue().getShape().getShape(), e.getValue().toFloatArray());
            }
            w.addI64("since_fired", new long[] {sinceFired.length}, sinceFired);
            w.addI64("fired_since_log", new long[] {firedSinceLog.length}, firedSinceLog);
            ObjectNode architecture = Json.MAPPER.createObjectNode();
            sae.saveState(w, architecture);
            w.write(tmp.resolve(TENSORS));
            adam.saveState(tmp);
            State s = new State(step, cfg, sae.dIn, scale, inputNorm, architecture, rowsSinceLog, info.data(),
                    info.saeLensConfig());
            Files.writeString(tmp.resolve(STATE), Json.write(s));
        });
    }

    private void restore(Path ckpt, State s) {
        try (SafetensorsReader r = SafetensorsReader.open(ckpt.resolve(TENSORS))) {
            for (Map.Entry<String, NDArray> e : sae.state().entrySet()) {
                float[] v = r.readFloats(e.getKey());
                if (v.length != e.getValue().getShape().size()) {
                    throw new UserInputException(r.path() + ": tensor '" + e.getKey() + "' does not match the config");
                }
                e.getValue().set(v);
            }
            System.arraycopy(r.readLongs("since_fired"), 0, sinceFired, 0, sinceFired.length);
            System.arraycopy(r.readLongs("fired_since_log"), 0, firedSinceLog, 0, firedSinceLog.length);
            sae.restoreState(r, s.architecture());
        }
        adam.loadState(ckpt);
        rowsSinceLog = s.rowsSinceLog();
        step = s.step();
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
        adam.close();
        sae.close();
        manager.close();
    }
}
