package dev.mono4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.data.TokenStream;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.model.AuxiliaryLoss;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.ModelFamily;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pretrains a small Llama, GPT-2 or Monet from scratch, or continues training a checkpoint
 * ({@link PretrainConfig#init()}: fine-tuning), on a text file (one document per line) with AdamW,
 * linear warmup and cosine decay, global-norm gradient clipping and gradient accumulation, on {@link RunLoop}.
 * The training forward passes run in training mode ({@link dev.mono4j.model.Transformer#setTraining}: a
 * Monet's router BatchNorm uses the micro-batch's statistics and updates its running ones, which are saved with
 * the weights); validation and everything else run in inference mode. A family's auxiliary loss
 * ({@link ModelFamily#auxiliaryLoss}, a Monet's routing losses) is added with weight
 * {@link PretrainConfig#moeAuxWeight()} and its metrics are logged with each step.
 *
 * <p>The output folder is a {@link RunFolder}: {@value #LOG_FILE} (one JSON object per step), {@value #CHECKPOINT_DIR}/
 * (the latest resumable state: an HF checkpoint plus optimizer state and {@value #STATE_FILE}, replaced as a whole
 * at each save), and when the run ends {@value #FINAL_DIR}/ (the trained model as an HF folder with its
 * tokenizer, for {@code inspect}, {@code generate} and everything else that loads checkpoints) and
 * {@value RunFolder#SUMMARY}. The final model gets a folder of its own because a checkpoint folder is replaced
 * whole, which would delete the log.
 *
 * <p>A run from a checkpoint records the starting model's validation loss before any step
 * ({@link PretrainSummary#initialValidLoss()}), beside the loss after training.
 *
 * <p>Stopped at any point, {@link #resume} continues from the last checkpoint and ends with the same
 * weights, bit for bit, as a run that was never stopped: the batch of each step is a pure function of
 * (seed, step, micro-batch), the learning rate of the step number, and the optimizer state is saved exactly.
 */
public final class Pretrainer implements RunLoop.Method<StepLog> {
    public static final String LOG_FILE = RunFolder.LOG;
    public static final String CHECKPOINT_DIR = RunFolder.CHECKPOINT;
    public static final String FINAL_DIR = RunFolder.FINAL;
    public static final String STATE_FILE = RunFolder.STATE;
    /** The names of run folders written before {@link RunFolder}, which {@link #resume} still continues. */
    static final RunFolder.OldNames OLD_NAMES = new RunFolder.OldNames("train_log.jsonl", "trainer_state.json");
    private static final List<String> OUTPUTS = RunFolder.outputs(OLD_NAMES);

    private final PretrainConfig cfg;
    private final TransformerLM model;
    private final TokenStream train;
    private final List<TokenBatch> valid;
    private final TrainerState state;
    private final Path out;
    private final Path tokenizerJson;
    private final RunPlan plan;
    /** The auxiliary loss's metrics of the step {@link #backward} ran last, for its log line. */
    private Map<String, Double> auxiliary = Map.of();

    /** {@code resumed}: the state of the checkpoint a resumed run continues from; null for a new run. */
    private Pretrainer(PretrainConfig cfg, TransformerLM model, Data data, Path out, Path tokenizerJson,
            TrainerState resumed) {
        this.cfg = cfg;
        this.model = model;
        this.train = data.train;
        this.valid = data.valid.documentBatches(cfg.evalBatches() * cfg.batchSize(), cfg.batchSize(), cfg.seqLen());
        // A run from a checkpoint measures that model now, before any step, with the evaluations' own loss; the
        // state keeps the number, since a resumed run starts from its own checkpoint and never sees that model.
        this.state = resumed != null ? resumed : TrainerState.start(cfg, data.train, data.valid,
                cfg.init() != null ? DocumentLoss.mean(model, valid) : null);
        this.out = out;
        this.tokenizerJson = tokenizerJson;
        this.plan = plan(cfg);
    }

    /** Every step logs; the tokens of a step are its progress. */
    static RunPlan plan(PretrainConfig cfg) {
        return new RunPlan(cfg.steps(), 1, cfg.checkpointEvery(), cfg.schedule(), cfg.adamW(), cfg.gradClip(), "pretrain",
                "tokens", cfg.tokensPerStep());
    }

    /** Starts a run in {@code out}, which must be absent or empty. */
    public static PretrainSummary run(PretrainConfig cfg, Path train, Path valid, Path tokenizer, Path out,
            RunListener<? super StepLog> listener) {
        return run(cfg, train, valid, tokenizer, out, false, listener);
    }

    /**
     * Starts a run in {@code out}. With {@code overwrite}, an earlier run's outputs there are deleted first;
     * a folder holding anything else is refused either way. {@code tokenizer} may be null for a run from a
     * checkpoint ({@link PretrainConfig#init()}), which then uses the checkpoint's tokenizer.json; one given
     * instead must have the model's vocabulary size.
     */
    public static PretrainSummary run(PretrainConfig cfg, Path train, Path valid, Path tokenizer, Path out,
            boolean overwrite, RunListener<? super StepLog> listener) {
        long start = System.nanoTime();
        Path init = cfg.init() != null ? Path.of(cfg.init()) : null;
        Path tokenizerJson = tokenizer != null ? tokenizer : initTokenizer(init);
        List<Path> inputs = new ArrayList<>(List.of(train, valid, tokenizerJson));
        if (init != null) {
            inputs.add(init);
        }
        for (Path input : inputs) {
            if (input.toAbsolutePath().normalize().startsWith(out.toAbsolutePath().normalize())) {
                throw new UserInputException(input + ": lies inside the output folder " + out
                        + ", which the run replaces; copy it elsewhere first");
            }
        }
        Data data;
        TransformerLM model;
        try (Tokenizer tok = Tokenizer.load(tokenizerJson)) {
            long eos = eosId(tok);
            data = Data.read(train, valid, tok, eos, cfg.seqLen());
            model = init != null ? initModel(cfg, init, tokenizer != null ? tok : null)
                    : TransformerLM.random(cfg.modelConfig(tok.vocabSize()).withSpecialTokens(tok.bosId().orElse(-1),
                            List.of(eos)), cfg.seed());
        }
        try (model) {
            // Only now, with every input read and checked, may an earlier run's outputs be replaced.
            OutputFolder.prepare(out, OUTPUTS, overwrite,
                    "pass --resume to continue the run in it, or --overwrite to replace an earlier run's output");
            return new Pretrainer(cfg, model, data, out, tokenizerJson, null).train(0, null, listener, start);
        }
    }

    /** The tokenizer a run from {@code init} uses when none is given: the checkpoint's own. */
    private static Path initTokenizer(Path init) {
        if (init == null) {
            throw new IllegalArgumentException("a tokenizer is needed to train from scratch");
        }
        Path own = init.resolve("tokenizer.json");
        if (!Files.isRegularFile(own)) {
            throw new UserInputException(init + ": no tokenizer.json beside the checkpoint; pass --tokenizer");
        }
        return own;
    }

    /**
     * The checkpoint a run starts from, after the checks its config.json allows before any weight is read: the
     * training windows fit its positions, a tokenizer given instead of its own ({@code givenTokenizer}, else null)
     * has its vocabulary size, and a routing-loss weight other than the default has a routing loss to weigh.
     */
    private static TransformerLM initModel(PretrainConfig cfg, Path init, Tokenizer givenTokenizer) {
        Path configJson = init.resolve("config.json");
        ModelConfig c = ModelConfig.read(configJson);
        if (cfg.seqLen() > c.maxPositions()) {
            throw new UserInputException("--seq-len " + cfg.seqLen() + " exceeds the model's "
                    + c.family().positionLimitField() + " " + c.maxPositions() + " in " + configJson);
        }
        if (givenTokenizer != null && givenTokenizer.vocabSize() != c.vocabSize()) {
            throw new UserInputException(givenTokenizer.file() + ": " + givenTokenizer.vocabSize()
                    + " tokens, but the model in " + configJson + " has vocab_size " + c.vocabSize() + "; pass its tokenizer, or none to use "
                    + init.resolve("tokenizer.json"));
        }
        if (cfg.moeAuxWeight() != PretrainConfig.DEFAULT_MOE_AUX_WEIGHT && c.family().auxiliaryLoss(c).isEmpty()) {
            throw new UserInputException("--moe-aux-weight applies to a model with routing losses (Monet), not the "
                    + c.family().hfArchitecture() + " in " + configJson);
        }
        return Checkpoint.loadCausal(init, "fine-tuning");
    }

    /**
     * Continues the run in {@code out} from its last checkpoint, with the config, tokenizer and data files it
     * started with. Log lines written after that checkpoint are dropped, as those steps are done again. A run
     * folder of an older release (train_log.jsonl, trainer_state.json) continues under today's names.
     */
    public static PretrainSummary resume(Path out, RunListener<? super StepLog> listener) {
        long start = System.nanoTime();
        TrainerState saved = TrainerState.read(RunFolder.stateToResume(out, OLD_NAMES));
        if (saved.step() >= saved.config().steps() && Files.exists(out.resolve(FINAL_DIR).resolve("config.json"))) {
            throw new UserInputException(out + ": the run already finished (" + saved.step() + " steps; the model is in "
                    + out.resolve(FINAL_DIR) + ")");
        }
        Path checkpoint = out.resolve(CHECKPOINT_DIR);
        Path tokenizer = checkpoint.resolve("tokenizer.json");
        Data data;
        try (Tokenizer tok = Tokenizer.load(tokenizer)) {
            data = Data.read(Path.of(saved.train()), Path.of(saved.valid()), tok, eosId(tok), saved.config().seqLen());
        }
        saved.checkSameData(data.train, data.valid);
        JsonNode last = RunLoop.resumeLog(out, plan(saved.config()), saved.step());
        try (TransformerLM model = Checkpoint.loadCausal(checkpoint, "pretraining")) {
            Pretrainer p = new Pretrainer(saved.config(), model, data, out, tokenizer, saved);
            return p.train(saved.step(), StepLog.fromJson(last), listener, start);
        }
    }

    /**
     * The id put after every document: the tokenizer's end-of-sequence special token, which also becomes the
     * model's {@code eos_token_id}, so generation stops where documents end.
     */
    private static long eosId(Tokenizer tok) {
        return tok.eosId().orElseThrow(() -> new UserInputException(tok.file() + ": no end-of-sequence special token"
                + " (<eos>, </s>, <|endoftext|> or <|end_of_text|>) to put between documents"));
    }

    /** The encoded data of a run; both files must hold at least one window. */
    private record Data(TokenStream train, TokenStream valid) {
        static Data read(Path train, Path valid, Tokenizer tok, long eos, int seqLen) {
            Data d = new Data(TokenStream.read(train, tok, eos), TokenStream.read(valid, tok, eos));
            d.train.requireWindow(seqLen);
            d.valid.requireWindow(seqLen);
            return d;
        }
    }

    /** Trains steps {@code done + 1 ..}; {@code last} is the log's last line so far (resume), or null. */
    private PretrainSummary train(int done, StepLog last, RunListener<? super StepLog> listener, long start) {
        model.setTrainable(k -> true);
        RunLoop.Result<StepLog> r = RunLoop.run(out, plan, this, model.parameters(), model.manager(), done, listener);
        StepLog lastLog = r.last() != null ? r.last() : last;
        Path finalDir = out.resolve(FINAL_DIR);
        Checkpoint.save(model, finalDir, tokenizerJson, true);
        long tokensPerStep = cfg.tokensPerStep();
        long trainedTokens = (cfg.steps() - done) * tokensPerStep;
        PretrainSummary s = new PretrainSummary(finalDir, cfg.steps(), cfg.steps() * tokensPerStep, model.parameterCount(),
                lastLog.loss(), state.initialValidLoss(), lastLog.validLoss(),
                r.trainNanos() == 0 ? 0 : trainedTokens / (r.trainNanos() / 1e9),
                (System.nanoTime() - start) / 1e9);
        AtomicFiles.writeString(out.resolve(RunFolder.SUMMARY), Json.write(Json.object("summary", s, "config", cfg)));
        return s;
    }

    /** Returns the LM loss (comparable across archs); the auxiliary loss's metrics go to the step's log line. */
    @Override
    public double backward(int step) {
        StepLoss loss = accumulateGradients(model, microBatches(step), cfg.moeAuxWeight());
        auxiliary = loss.auxiliary();
        return loss.nll();
    }

    /** The step's line; the validation loss after its update when an evaluation is due. */
    @Override
    public StepLog record(RunLoop.Step s) {
        long tokensPerStep = cfg.tokensPerStep();
        Double validLoss = plan.due(s.step(), cfg.evalEvery()) ? DocumentLoss.mean(model, valid) : null;
        return new StepLog(s.step(), s.step() * tokensPerStep, s.lr(), s.loss(), s.gradNorm(),
                tokensPerStep / (s.nanos() / 1e9), auxiliary, validLoss);
    }

    @Override
    public Object state(int step) {
        return state.atStep(step);
    }

    /** Model and tokenizer as an HF checkpoint, with the loop's optimizer and trainer state beside them. */
    @Override
    public void saveCheckpoint(Path dir, AtomicFiles.FolderContent loopFiles) {
        Checkpoint.save(model, dir, tokenizerJson, true, loopFiles::writeTo);
    }

    /** The micro-batches of optimizer step {@code step}, each a pure function of (seed, step, index). */
    private List<TokenBatch> microBatches(int step) {
        List<TokenBatch> micro = new ArrayList<>();
        for (int k = 0; k < cfg.gradAccum(); k++) {
            micro.add(train.batch(cfg.seed(), step, k, cfg.batchSize(), cfg.seqLen()));
        }
        return micro;
    }

    /**
     * A step's losses over its micro-batches: the mean next-token NLL, and the mean of each metric of the model's
     * auxiliary loss (empty without one).
     */
    record StepLoss(double nll, Map<String, Double> auxiliary) {
    }

    /**
     * Runs forward (in training mode) and backward on each micro-batch, one GradientCollector at a time, leaving
     * the gradient of the mean objective over all of them in the parameters (PyTorch adds each backward's
     * gradients until they are zeroed; every micro-batch's objective is scaled by 1 / count). The objective is
     * the NLL, plus {@code auxWeight} times the family's auxiliary loss where it has one ([P] Monet Eq. 18).
     */
    static StepLoss accumulateGradients(TransformerLM model, List<TokenBatch> microBatches, double auxWeight) {
        Optional<AuxiliaryLoss> aux = model.config().family().auxiliaryLoss(model.config());
        double nllMean = 0;
        Map<String, Double> metrics = new LinkedHashMap<>();
        model.setTraining(true);
        try {
            for (TokenBatch batch : microBatches) {
                try (NDManager step = model.manager().newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    Hooks hooks = aux.map(a -> Hooks.capture(String.join(",", a.hooks()))).orElseGet(Hooks::none);
                    NDArray nll = meanNll(model, step, batch, hooks);
                    NDArray objective = nll;
                    if (aux.isPresent()) {
                        AuxiliaryLoss.Value v = aux.get().compute(hooks, batch);
                        objective = nll.add(v.loss().mul(step.full(new Shape(), (float) auxWeight)));
                        v.metrics().forEach((k, x) -> metrics.merge(k, x / microBatches.size(), Double::sum));
                    }
                    gc.backward(objective.div(step.full(new Shape(), (float) microBatches.size()))); // a tensor, not a Number
                    nllMean += nll.getFloat() / microBatches.size();
                }
            }
        } finally {
            model.setTraining(false);
        }
        return new StepLoss(nllMean, metrics);
    }

    /** Mean over all positions of -log p(next token): every window is real text, so no mask is needed. */
    private static NDArray meanNll(TransformerLM model, NDManager step, TokenBatch batch, Hooks hooks) {
        return LogProbs.nextToken(model.forward(step, batch, hooks), batch).mean().neg();
    }
}
