package dev.mono4j.align;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.data.PreferencePairs.Pair;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.data.Shuffle;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.metrics.FeatureDecorrelation;
import dev.mono4j.metrics.MonosemanticScale;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.LoraAdapters;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.train.RunFolder;
import dev.mono4j.train.RunListener;
import dev.mono4j.train.RunLoop;
import dev.mono4j.train.RunPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Preference alignment of a Hugging Face checkpoint: SFT, DPO, IPO, SimPO, and DPO with the L1 or
 * decorrelation regularizer (DecPO) or MEmeL's inhibition at one hook; full fine-tuning or LoRA.
 *
 * <p>One optimizer step runs, per micro-batch, one policy forward and backward over the chosen and the
 * rejected sequences together ({@link PreferenceBatch}); reference log-probs come from a pass without
 * gradient, once for every pair before training ({@link AlignConfig.Reference#PRECOMPUTED}, no second
 * model in memory) or per batch ({@code LIVE}: LoRA switches its adapters off; full fine-tuning keeps a
 * frozen copy).
 *
 * <p>Steps run on {@link RunLoop}. The output folder is a {@link RunFolder}: {@value #LOG_FILE} (one JSON object per step: loss and its parts, DPO's implicit
 * rewards, accuracy and margin, FD at the hook; held-out reward metrics every {@code evalEvery} steps; FD
 * at every layer every {@code fdEvery}), {@value #REFERENCE_FILE}, {@value #CHECKPOINT_DIR}/ (the latest
 * resumable state, replaced whole), and when done {@value #FINAL_DIR}/ (the aligned model, LoRA merged, with
 * its tokenizer), {@value #ADAPTER_DIR}/ (LoRA only: the adapter in PEFT's layout) and {@value #SUMMARY_FILE}.
 *
 * <p>{@link #resume} ends with the same weights, bit for bit, as an uninterrupted run: the pairs of a step
 * are a pure function of (seed, step), dropout is seeded per micro-batch, and the optimizer and MEmeL
 * statistics are saved exactly. A run folder of an older release (align_log.jsonl, align_state.json) continues
 * under today's names.
 */
public final class AlignTrainer implements RunLoop.Method<AlignStepLog> {
    public static final String LOG_FILE = RunFolder.LOG;
    public static final String REFERENCE_FILE = "reference_logps.json";
    public static final String CHECKPOINT_DIR = RunFolder.CHECKPOINT;
    public static final String FINAL_DIR = RunFolder.FINAL;
    public static final String ADAPTER_DIR = "adapter";
    public static final String SUMMARY_FILE = RunFolder.SUMMARY;
    static final String STATE_FILE = RunFolder.STATE;
    static final String MEMEL_FILE = "memel_state.json";
    /** The names of run folders written before {@link RunFolder}, which {@link #resume} still continues. */
    static final RunFolder.OldNames OLD_NAMES = new RunFolder.OldNames("align_log.jsonl", "align_state.json");
    private static final List<String> OUTPUTS = RunFolder.outputs(OLD_NAMES, REFERENCE_FILE, ADAPTER_DIR);
    /** Held-out pairs on which FD is measured at every layer. */
    static final int FD_PAIRS = 64;

    /** What a run needs to continue after a stop, saved in each checkpoint. */
    record State(int step, int totalSteps, AlignConfig config, String model, AlignData.Source data, long dataChecksum) {
    }

    /** What a finished run reports; also written to {@value #SUMMARY_FILE}. */
    public record Summary(Path model, Path adapter, String method, int steps, int trainPairs, int evalPairs,
            double loss, double evalAccuracy, double evalMargin, double fd, double msPerStep, double tokensPerS,
            double wallSeconds) {
    }

    private final AlignConfig cfg;
    private final TransformerLM model;
    private final Tokenizer tok;
    private final AlignData data;
    private final State start;
    private final String hook;
    private final LoraAdapters lora;
    private final MemelInhibition memel;
    private final Path out;
    private final RunPlan plan;
    private PairLogProbs reference;
    private TransformerLM liveReference;
    /** The current step's sums over its micro-batches, from {@link #backward} to {@link #record}. */
    private StepStats current;
    private long trainTokens;

    private AlignTrainer(AlignConfig cfg, TransformerLM model, Tokenizer tok, AlignData data, State start, LoraAdapters lora,
            Path out) {
        this.cfg = cfg;
        this.model = model;
        this.tok = tok;
        this.data = data;
        this.start = start;
        this.hook = hook(cfg, model.config());
        this.lora = lora;
        this.memel = cfg.method() == AlignConfig.Method.MEMEL ? MemelInhibition.of(hook, width(model, hook), cfg) : null;
        this.out = out;
        this.plan = plan(cfg, start.totalSteps());
    }

    /** The middle block's up-projection output ({@code mlp.hook_pre_linear}); GPT-2's MLP activation ({@code mlp.hook_post}). */
    public static String defaultHook(ModelConfig c) {
        return c.family().mlpActivationHook(c.numLayers() / 2);
    }

    /** The block whose up-projection the released DecPO code regularises: {@code --act_layers "10"} in scripts/train_dpo.sh@2da99fb. */
    static final int RELEASED_CODE_LAYER = 10;
    /** Blocks of Llama-2-7b, the model scripts/train_dpo.sh@2da99fb trains. */
    private static final int RELEASED_CODE_MODEL_LAYERS = 32;

    /**
     * The default hook of {@link DecorrelationLoss.Mode#RELEASED_CODE}: the {@code mlp.up_proj} output of block 10
     * (models/llama_hook.py@2da99fb hooks {@code mlp.up_proj}), our {@code mlp.hook_pre_linear}; GPT-2's MLP has no
     * up_proj, and its analogue is {@code mlp.hook_pre}, c_fc's output, the linear map before the nonlinearity. A
     * model of 10 blocks or fewer gets the block at the same relative depth, ⌊10·L/32⌋ (our choice).
     */
    static String releasedCodeHook(ModelConfig c) {
        int layers = c.numLayers();
        int layer = layers > RELEASED_CODE_LAYER ? RELEASED_CODE_LAYER : RELEASED_CODE_LAYER * layers / RELEASED_CODE_MODEL_LAYERS;
        String upProjection = HookPoint.mlpPreLinear(layer);
        return c.hookNames().contains(upProjection) ? upProjection : HookPoint.mlpPre(layer);
    }

    /**
     * The hook a run reads when {@code --hook} is not given: the released-code mode's own, else {@link #defaultHook}.
     * It follows the decorrelation mode, not the method, so every method of a comparison reads the same hook.
     */
    static String defaultHook(AlignConfig cfg, ModelConfig c) {
        return cfg.decorrMode() == DecorrelationLoss.Mode.RELEASED_CODE ? releasedCodeHook(c) : defaultHook(c);
    }

    private static String hook(AlignConfig cfg, ModelConfig c) {
        String h = cfg.hook() != null ? cfg.hook() : defaultHook(cfg, c);
        List<String> known = c.hookNames();
        if (!known.contains(h)) {
            throw new UserInputException("--hook " + h + ": no such hook point in this model (one exact name, e.g. "
                    + defaultHook(cfg, c) + ")");
        }
        return h;
    }

    /** Starts a run of {@code cfg} on the checkpoint in {@code modelDir}; {@code out} must be absent, empty or (with overwrite) an earlier run's. */
    public static Summary run(AlignConfig cfg, Path modelDir, AlignData.Source source, Path out, boolean overwrite,
            RunListener<? super AlignStepLog> listener) {
        return run(cfg, modelDir, source, out, overwrite, NonFinite.REFUSE, listener);
    }

    /**
     * As {@link #run(AlignConfig, Path, AlignData.Source, Path, boolean, RunListener)}; {@code nonFinite}: whether
     * NaN or ±Inf weights load.
     */
    public static Summary run(AlignConfig cfg, Path modelDir, AlignData.Source source, Path out, boolean overwrite,
            NonFinite nonFinite, RunListener<? super AlignStepLog> listener) {
        long t0 = System.nanoTime();
        if (modelDir.toAbsolutePath().normalize().startsWith(out.toAbsolutePath().normalize())) {
            throw new UserInputException(modelDir + ": lies inside the output folder " + out + ", which the run replaces");
        }
        AlignData data = source.load(cfg.evalShare());
        OutputFolder.check(out, OUTPUTS, overwrite,
                "pass --resume to continue the run in it, or --overwrite to replace an earlier run's output");
        try (Tokenizer tok = Tokenizer.load(modelDir);
                TransformerLM model = Checkpoint.loadCausal(modelDir, "alignment", nonFinite)) {
            data.checkVocabulary(tok);
            LoraAdapters lora = cfg.lora() == null ? null : LoraAdapters.create(model, cfg.lora(), cfg.seed());
            State state = new State(0, cfg.totalSteps(data.train().size()), cfg, modelDir.toAbsolutePath().toString(), source,
                    data.checksum());
            AlignTrainer t = new AlignTrainer(cfg, model, tok, data, state, lora, out);
            OutputFolder.prepare(out, OUTPUTS, overwrite, "pass --overwrite");
            t.reference = t.referenceLogProbs();
            return t.train(0, null, nonFinite, listener, t0);
        }
    }

    /** Whether {@code out} holds a checkpoint {@link #resume} can continue from. */
    public static boolean resumable(Path out) {
        return RunFolder.hasCheckpoint(out, OLD_NAMES);
    }

    /** Continues the run in {@code out} from its last checkpoint, with its saved config, model and data. */
    public static Summary resume(Path out, RunListener<? super AlignStepLog> listener) {
        return resume(out, NonFinite.REFUSE, listener);
    }

    /** As {@link #resume(Path, RunListener)}; {@code nonFinite}: whether NaN or ±Inf weights load. */
    public static Summary resume(Path out, NonFinite nonFinite, RunListener<? super AlignStepLog> listener) {
        long t0 = System.nanoTime();
        Path checkpoint = out.resolve(CHECKPOINT_DIR);
        State saved = Json.read(RunFolder.stateToResume(out, OLD_NAMES), State.class, "alignment state");
        if (saved.step() >= saved.totalSteps() && Files.exists(out.resolve(SUMMARY_FILE))) {
            throw new UserInputException(out + ": the run already finished (" + saved.step() + " steps; the model is in "
                    + out.resolve(FINAL_DIR) + ")");
        }
        AlignConfig cfg = saved.config();
        AlignData data = saved.data().load(cfg.evalShare());
        if (data.checksum() != saved.dataChecksum()) {
            throw new UserInputException(data.source() + ": the pairs changed since the run started (checksum "
                    + data.checksum() + ", was " + saved.dataChecksum() + "); resuming would not continue the same run");
        }
        JsonNode last = RunLoop.resumeLog(out, plan(cfg, saved.totalSteps()), saved.step());
        Path modelDir = Path.of(saved.model());
        try (Tokenizer tok = Tokenizer.load(checkpoint);
                TransformerLM model = Checkpoint.loadCausal(cfg.lora() == null ? checkpoint : modelDir, "alignment",
                        nonFinite)) {
            LoraAdapters lora = cfg.lora() == null ? null : LoraAdapters.load(model, checkpoint.resolve(ADAPTER_DIR));
            AlignTrainer t = new AlignTrainer(cfg, model, tok, data, saved, lora, out);
            t.reference = Json.read(out.resolve(REFERENCE_FILE), PairLogProbs.class, "reference log-prob file");
            if (t.memel != null) {
                t.memel.restore(Json.read(checkpoint.resolve(MEMEL_FILE), MonosemanticScale.State.class, "MEmeL state"));
            }
            return t.train(saved.step(), last, nonFinite, listener, t0);
        }
    }

    /** Reference log-probs of every training and held-out pair, written to {@value #REFERENCE_FILE}. */
    private PairLogProbs referenceLogProbs() {
        List<Pair> all = new ArrayList<>(data.train());
        all.addAll(data.eval());
        PairLogProbs ref;
        if (lora != null) {
            lora.setEnabled(false);
        }
        try {
            ref = PairLogProbs.of(model, tok, all, cfg);
        } finally {
            if (lora != null) {
                lora.setEnabled(true);
            }
        }
        AtomicFiles.writeString(out.resolve(REFERENCE_FILE), Json.write(ref));
        return ref;
    }

    /** Every step logs; progress counts steps. */
    private static RunPlan plan(AlignConfig cfg, int total) {
        return new RunPlan(total, 1, cfg.checkpointEvery(), cfg.lrSchedule(total), cfg.adamW(), cfg.gradClip(),
                "align " + cfg.method().id(), "steps", 1);
    }

    /** Trains steps {@code done + 1 ..}; {@code resumedLog} is the log's last line so far (resume), or null. */
    private Summary train(int done, JsonNode resumedLog, NonFinite nonFinite,
            RunListener<? super AlignStepLog> listener, long t0) {
        int total = start.totalSteps();
        Map<String, NDArray> params;
        if (lora != null) {
            model.setTrainable(k -> false);
            params = lora.parameters();
        } else {
            model.setTrainable(k -> true);
            params = model.parameters();
        }
        if (cfg.reference() == AlignConfig.Reference.LIVE && lora == null) {
            liveReference = Checkpoint.loadCausal(Path.of(start.model()), "alignment", nonFinite);
        }
        RunLoop.Result<AlignStepLog> r;
        try {
            r = RunLoop.run(out, plan, this, params, model.manager(), done, listener);
        } finally {
            if (liveReference != null) {
                liveReference.close();
            }
        }
        Map<String, Object> last = r.last() != null ? r.last().fields()
                : resumedLog == null ? null : Json.MAPPER.convertValue(resumedLog, new TypeReference<Map<String, Object>>() { });
        return finish(last, total - done, r.trainNanos(), trainTokens, t0);
    }

    /** Forward and backward of every micro-batch of the step, dropout seeded per micro-batch. */
    @Override
    public double backward(int step) {
        current = new StepStats();
        if (lora != null) {
            lora.setTraining(true);
        }
        for (int k = 0; k < cfg.gradAccum(); k++) {
            Engine.getInstance().setRandomSeed((int) mix(cfg.seed(), step, k)); // dropout, reproducible on resume
            microStep(pairIndices(step, k), current);
        }
        if (lora != null) {
            lora.setTraining(false);
        }
        trainTokens += current.tokens;
        return current.loss / cfg.gradAccum();
    }

    /** The step's line; held-out metrics and FD at every layer, after the update, when due. */
    @Override
    public AlignStepLog record(RunLoop.Step s) {
        Map<String, Object> line = current.log(s.step(), s.lr(), s.gradNorm(), s.nanos());
        if (plan.due(s.step(), cfg.evalEvery())) {
            line.putAll(heldOut());
        }
        if (plan.due(s.step(), cfg.fdEvery())) {
            line.put("fd_layers", fdAtEveryLayer());
        }
        return new AlignStepLog(line);
    }

    @Override
    public Object state(int step) {
        return new State(step, start.totalSteps(), cfg, start.model(), start.data(), start.dataChecksum());
    }

    /** Model (or adapter) and MEmeL state, with the loop's optimizer and trainer state, renamed into place together. */
    @Override
    public void saveCheckpoint(Path dir, AtomicFiles.FolderContent loopFiles) {
        Checkpoint.Extras extras = folder -> {
            loopFiles.writeTo(folder);
            if (memel != null) {
                AtomicFiles.writeString(folder.resolve(MEMEL_FILE), Json.write(memel.state()));
            }
        };
        if (lora == null) {
            Checkpoint.save(model, dir, tok.file(), true, extras);
        } else {
            AtomicFiles.writeFolder(dir, true, STATE_FILE, "alignment checkpoint", folder -> {
                lora.save(folder.resolve(ADAPTER_DIR), start.model(), false);
                Files.copy(tok.file(), folder.resolve("tokenizer.json"));
                extras.writeTo(folder);
            });
        }
    }

    private Summary finish(Map<String, Object> last, int stepsRun, long trainNanos, long trainTokens, long t0) {
        Path adapter = null;
        if (lora != null) {
            adapter = out.resolve(ADAPTER_DIR);
            lora.save(adapter, start.model(), true);
            lora.mergeIntoModel();
        }
        Path finalDir = out.resolve(FINAL_DIR);
        Checkpoint.save(model, finalDir, tok.file(), true);
        Summary s = new Summary(finalDir, adapter, cfg.method().id(), start.totalSteps(), data.train().size(),
                data.eval().size(), num(last, "loss"), num(last, "eval_reward_accuracy"), num(last, "eval_reward_margin"),
                num(last, "fd"), stepsRun == 0 ? Double.NaN : trainNanos / 1e6 / stepsRun,
                trainNanos == 0 ? Double.NaN : trainTokens / (trainNanos / 1e9), (System.nanoTime() - t0) / 1e9);
        AtomicFiles.writeString(out.resolve(SUMMARY_FILE), Json.write(Json.object("summary", s, "config", cfg, "hook", hook,
                "data", data.source())));
        return s;
    }

    private static double num(Map<String, Object> m, String key) {
        return m != null && m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /**
     * The training pairs of micro-batch k of a step: the pairs are read in epochs, each in its own order
     * (a permutation seeded by seed and epoch), so any step's pairs are known without replaying the run.
     */
    int[] pairIndices(int step, int k) {
        int n = data.train().size();
        long first = ((long) (step - 1) * cfg.gradAccum() + k) * cfg.batchSize();
        int[] idx = new int[cfg.batchSize()];
        int[] perm = null;
        long permEpoch = -1;
        for (int i = 0; i < idx.length; i++) {
            long pos = first + i;
            long epoch = pos / n;
            if (epoch != permEpoch) {
                perm = Shuffle.permutation(n, new SplittableRandom(mix(cfg.seed(), epoch, -1)));
                permEpoch = epoch;
            }
            idx[i] = perm[(int) (pos % n)];
        }
        return idx;
    }

    private static long mix(long seed, long a, long b) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + a * 31 + b).nextLong();
    }

    /** Sums over a step's micro-batches, for its log line. */
    private final class StepStats {
        double loss;
        double pref;
        double reg;
        double rewardChosen;
        double rewardRejected;
        double correct;
        double pairs;
        long tokens;
        FeatureDecorrelation fd;
        int[] inhibited;

        double accuracy() {
            return correct / pairs;
        }

        double margin() {
            return (rewardChosen - rewardRejected) / pairs;
        }

        Map<String, Object> log(int step, double lr, double gradNorm, long nanos) {
            int a = cfg.gradAccum();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", step);
            m.put("lr", lr);
            m.put("loss", loss / a);
            m.put("pref_loss", pref / a);
            m.put("reg_loss", reg / a);
            m.put("rewards_chosen", rewardChosen / pairs);
            m.put("rewards_rejected", rewardRejected / pairs);
            m.put("reward_accuracy", accuracy());
            m.put("reward_margin", margin());
            m.put("fd", fd.value());
            m.put("grad_norm", gradNorm);
            m.put("ms", nanos / 1e6);
            m.put("tokens_per_s", tokens / (nanos / 1e9));
            if (inhibited != null) {
                m.put("inhibited", inhibited);
            }
            return m;
        }
    }

    /** Forward and backward on one micro-batch; its loss enters the gradients scaled by 1 / gradAccum. */
    private void microStep(int[] indices, StepStats st) {
        List<Pair> pairs = IntStream.of(indices).mapToObj(data.train()::get).toList();
        PreferenceBatch b = PreferenceBatch.encode(tok, pairs, cfg.maxPromptTokens(), cfg.maxLength());
        int n = b.size();
        float[] refC = new float[n];
        float[] refR = new float[n];
        if (cfg.reference() == AlignConfig.Reference.PRECOMPUTED) {
            for (int i = 0; i < n; i++) {
                refC[i] = reference.chosen()[indices[i]];
                refR[i] = reference.rejected()[indices[i]];
            }
        } else {
            float[] sums = liveReference(b);
            System.arraycopy(sums, 0, refC, 0, n);
            System.arraycopy(sums, n, refR, 0, n);
        }
        try (NDManager m = model.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            Hooks hooks = Hooks.capture(hook);
            if (memel != null) {
                memel.addTo(hooks, b.batch());
            }
            NDArray sums = PolicyLogProbs.sums(model, m, b, hooks);
            NDArray lengths = m.create(b.completionLengths());
            NDArray sumC = sums.get("0:" + n);
            NDArray sumR = sums.get(n + ":");
            NDArray lenC = lengths.get("0:" + n);
            NDArray lenR = lengths.get(n + ":");
            NDArray refSumC = m.create(refC);
            NDArray refSumR = m.create(refR);
            // Per-pair losses [B] (SFT: one number); the losses take summed log-probs and apply --logp themselves.
            NDArray perPair = cfg.method() == AlignConfig.Method.SFT ? SftLoss.compute(sumC, lenC)
                    : PreferenceLoss.compute(cfg.method().loss(), cfg.beta(), cfg.gamma(), cfg.logp(), sumC, sumR, refSumC,
                            refSumR, lenC, lenR).losses();
            NDArray acts = hooks.get(hook);
            NDArray pooled = pooled(acts, b, m);
            NDArray reg = switch (cfg.method()) {
                case L1 -> ActivationL1.compute(pooled);
                case DECPO -> DecorrelationLoss.compute(cfg.decorrMode(),
                        decorrelationInput(cfg.decorrMode().pooling(), acts, pooled));
                default -> null;
            };
            NDArray pref = perPair.mean();
            // A per-pair regularizer [B] (released-code) adds to each pair's loss before the mean, as
            // DPOTrainer.py@2da99fb L210 and L225; a scalar one adds λ·L to the mean alike.
            NDArray loss = reg == null ? pref : perPair.add(reg.mul(m.full(new Shape(), (float) cfg.lambda()))).mean();
            gc.backward(loss.div(m.full(new Shape(), (float) cfg.gradAccum()))); // a tensor, not a Number
            st.loss += loss.getFloat();
            st.pref += pref.getFloat();
            st.reg += reg == null ? 0 : reg.mean().getFloat();
            // DPO's implicit rewards for every method, so reward curves compare across methods.
            NDArray beta = m.full(new Shape(), (float) cfg.beta());
            float[] w = cfg.logp().of(sumC, lenC).sub(cfg.logp().of(refSumC, lenC)).mul(beta).toFloatArray();
            float[] l = cfg.logp().of(sumR, lenR).sub(cfg.logp().of(refSumR, lenR)).mul(beta).toFloatArray();
            for (int i = 0; i < n; i++) {
                st.rewardChosen += w[i];
                st.rewardRejected += l[i];
                st.correct += w[i] > l[i] ? 1 : 0;
            }
            st.pairs += n;
            st.tokens += java.util.Arrays.stream(b.batch().mask()).sum();
            float[] lastTokens = pooled.toFloatArray();
            int d = (int) pooled.getShape().get(1);
            if (st.fd == null) {
                st.fd = new FeatureDecorrelation(d);
            }
            for (int r = 0; r < 2 * n; r++) {
                st.fd.add(lastTokens, r * d);
            }
        }
        if (memel != null) {
            st.inhibited = memel.lastInhibited();
        }
    }

    /** Reference sums {@code [2B]} without gradient: LoRA with its adapters off, or the frozen copy. */
    private float[] liveReference(PreferenceBatch b) {
        TransformerLM ref = lora != null ? model : liveReference;
        if (lora != null) {
            lora.setEnabled(false);
            lora.setTraining(false);
        }
        try (NDManager m = ref.manager().newSubManager()) {
            return PolicyLogProbs.sums(ref, m, b, Hooks.none()).toFloatArray();
        } finally {
            if (lora != null) {
                lora.setEnabled(true);
                lora.setTraining(true);
            }
        }
    }

    /**
     * The vectors L_dec reads from the hook's {@code acts} {@code [2B, T, d]}: {@code pooled} (every row's last real
     * token), or rows 0, 2, 4, … at position T − 1 of the right-padded batch, as DPOTrainer.py@2da99fb L202 and
     * L206 ({@code fea[:, -1, :]}, then rows {@code 0::2}); see {@link DecorrelationLoss.Pooling}.
     */
    static NDArray decorrelationInput(DecorrelationLoss.Pooling pooling, NDArray acts, NDArray pooled) {
        return switch (pooling) {
            case LAST_REAL_TOKEN -> pooled;
            case EVEN_ROWS_LAST_POSITION -> acts.get("0::2, -1, :");
        };
    }

    /** Each row's activation at its last real token: {@code [rows, d]} from {@code [rows, T, d]}. */
    static NDArray pooled(NDArray acts, PreferenceBatch b, NDManager m) {
        int rows = (int) acts.getShape().get(0);
        long[] r = IntStream.range(0, rows).asLongStream().toArray();
        long[] t = IntStream.range(0, rows).mapToLong(b::lastToken).toArray();
        return acts.get("{}, {}, :", m.create(r), m.create(t));
    }

    /** Reward metrics of the current policy on the held-out pairs (no inhibition, no dropout). */
    private Map<String, Object> heldOut() {
        PairLogProbs policy = PairLogProbs.of(model, tok, data.eval(), cfg);
        PairLogProbs.Rewards r = policy.rewards(reference.slice(data.train().size(), data.eval().size()), cfg.beta(), cfg.logp());
        return Json.object("eval_reward_accuracy", r.accuracy(), "eval_reward_margin", r.margin(),
                "eval_rewards_chosen", r.chosen(), "eval_rewards_rejected", r.rejected(),
                "eval_chosen_logp_per_token", r.chosenLogpPerToken());
    }

    /**
     * FD (1 − mean cosine) of the last-token activations at the hook's kind in every block, over the first
     * {@value #FD_PAIRS} held-out pairs' prompt + chosen completion: the paper's Figure 4 over training.
     */
    private List<Double> fdAtEveryLayer() {
        List<Pair> pairs = data.eval().subList(0, Math.min(FD_PAIRS, data.eval().size()));
        int layers = model.config().numLayers();
        FeatureDecorrelation[] fd = new FeatureDecorrelation[layers];
        for (int from = 0; from < pairs.size(); from += cfg.batchSize()) {
            PreferenceBatch b = PreferenceBatch.encode(tok, pairs.subList(from, Math.min(pairs.size(), from + cfg.batchSize())),
                    cfg.maxPromptTokens(), cfg.maxLength());
            try (NDManager m = model.manager().newSubManager()) {
                Hooks hooks = Hooks.capture(HookPoint.layerGlob(hook));
                PolicyLogProbs.sums(model, m, b, hooks);
                for (int l = 0; l < layers; l++) {
                    NDArray p = pooled(hooks.get(HookPoint.inLayer(hook, l)), b, m).get("0:" + b.size()); // chosen rows
                    int d = (int) p.getShape().get(1);
                    fd[l] = fd[l] == null ? new FeatureDecorrelation(d) : fd[l];
                    float[] x = p.toFloatArray();
                    for (int r = 0; r < b.size(); r++) {
                        fd[l].add(x, r * d);
                    }
                }
            }
        }
        List<Double> out = new ArrayList<>();
        for (FeatureDecorrelation f : fd) {
            out.add(f.value());
        }
        return out;
    }

    private static int width(TransformerLM model, String hook) {
        ModelConfig c = model.config();
        return hook.contains(".mlp.hook_") ? c.intermediateSize() : c.hiddenSize();
    }
}
