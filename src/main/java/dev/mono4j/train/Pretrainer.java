package dev.mono4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.data.TokenStream;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Pretrains a small Llama or GPT-2 from scratch on a text file (one document per line) with AdamW,
 * linear warmup and cosine decay, global-norm gradient clipping and gradient accumulation.
 *
 * <p>The output folder holds {@value #LOG_FILE} (one JSON object per step), {@value #CHECKPOINT_DIR}/ (the
 * latest resumable state: an HF checkpoint plus optimizer state and {@value #STATE_FILE}, replaced as a whole
 * at each save) and, when the run ends, {@value #FINAL_DIR}/ (the trained model as an HF folder with its
 * tokenizer, for {@code inspect}, {@code generate} and everything else that loads checkpoints). The final model
 * gets a folder of its own because a checkpoint folder is replaced whole, which would delete the log.
 *
 * <p>Stopped at any point, {@link #resume} continues from the last checkpoint and ends with the same
 * weights, bit for bit, as a run that was never stopped: the batch of each step is a pure function of
 * (seed, step, micro-batch), the learning rate of the step number, and the optimizer state is saved exactly.
 */
public final class Pretrainer {
    public static final String LOG_FILE = "train_log.jsonl";
    public static final String CHECKPOINT_DIR = "checkpoint";
    public static final String FINAL_DIR = "final";
    public static final String STATE_FILE = "trainer_state.json";
    private static final List<String> OUTPUTS = List.of(LOG_FILE, CHECKPOINT_DIR, FINAL_DIR);
    private static final ObjectWriter ONE_LINE = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

    private final PretrainConfig cfg;
    private final TransformerLM model;
    private final TokenStream train;
    private final List<TokenBatch> valid;
    private final TrainerState state;
    private final Path out;
    private final Path tokenizerJson;
    private final Consumer<StepLog> onLog;

    private Pretrainer(PretrainConfig cfg, TransformerLM model, Data data, Path out, Path tokenizerJson,
            Consumer<StepLog> onLog) {
        this.cfg = cfg;
        this.model = model;
        this.train = data.train;
        this.valid = data.valid.documentBatches(cfg.evalBatches() * cfg.batchSize(), cfg.batchSize(), cfg.seqLen());
        this.state = TrainerState.start(cfg, data.train, data.valid);
        this.out = out;
        this.tokenizerJson = tokenizerJson;
        this.onLog = onLog;
    }

    /** Starts a run in {@code out}, which must be absent or empty. */
    public static PretrainSummary run(PretrainConfig cfg, Path train, Path valid, Path tokenizer, Path out,
            Consumer<StepLog> onLog) {
        return run(cfg, train, valid, tokenizer, out, false, onLog);
    }

    /**
     * Starts a run in {@code out}. With {@code overwrite}, an earlier run's outputs there are deleted first;
     * a folder holding anything else is refused either way.
     */
    public static PretrainSummary run(PretrainConfig cfg, Path train, Path valid, Path tokenizer, Path out,
            boolean overwrite, Consumer<StepLog> onLog) {
        long start = System.nanoTime();
        for (Path input : List.of(train, valid, tokenizer)) {
            if (input.toAbsolutePath().normalize().startsWith(out.toAbsolutePath().normalize())) {
                throw new UserInputException(input + ": lies inside the output folder " + out
                        + ", which the run replaces; copy it elsewhere first");
            }
        }
        Data data;
        ModelConfig modelConfig;
        try (Tokenizer tok = Tokenizer.load(tokenizer)) {
            long eos = eosId(tok);
            data = Data.read(train, valid, tok, eos, cfg.seqLen());
            modelConfig = cfg.modelConfig(tok.vocabSize()).withSpecialTokens(tok.bosId().orElse(-1), List.of(eos));
        }
        // Only now, with every input read and checked, may an earlier run's outputs be replaced.
        OutputFolder.prepare(out, OUTPUTS, overwrite,
                "pass --resume to continue the run in it, or --overwrite to replace an earlier run's output");
        try (TransformerLM model = TransformerLM.random(modelConfig, cfg.seed())) {
            AtomicFiles.writeString(out.resolve(LOG_FILE), "");
            return new Pretrainer(cfg, model, data, out, tokenizer, onLog).train(null, start);
        }
    }

    /**
     * Continues the run in {@code out} from its last checkpoint, with the config, tokenizer and data files it
     * started with. Log lines written after that checkpoint are dropped, as those steps are done again.
     */
    public static PretrainSummary resume(Path out, Consumer<StepLog> onLog) {
        long start = System.nanoTime();
        Path checkpoint = out.resolve(CHECKPOINT_DIR);
        if (!Files.exists(checkpoint.resolve(STATE_FILE))) {
            throw new UserInputException(out + ": no " + CHECKPOINT_DIR + "/" + STATE_FILE + " to resume from (a run killed"
                    + " while replacing its checkpoint leaves the previous one as ." + CHECKPOINT_DIR + ".old-*: rename it)");
        }
        TrainerState saved = TrainerState.read(checkpoint.resolve(STATE_FILE));
        if (saved.step() >= saved.config().steps() && Files.exists(out.resolve(FINAL_DIR).resolve("config.json"))) {
            throw new UserInputException(out + ": the run already finished (" + saved.step() + " steps; the model is in "
                    + out.resolve(FINAL_DIR) + ")");
        }
        Path tokenizer = checkpoint.resolve("tokenizer.json");
        Data data;
        try (Tokenizer tok = Tokenizer.load(tokenizer)) {
            data = Data.read(Path.of(saved.train()), Path.of(saved.valid()), tok, eosId(tok), saved.config().seqLen());
        }
        saved.checkSameData(data.train, data.valid);
        JsonNode kept = StepLogFile.keepThrough(out.resolve(LOG_FILE), saved.step());
        StepLog last = kept == null ? null : StepLog.fromJson(kept);
        if (last == null || last.step() != saved.step()) {
            throw new UserInputException(out.resolve(LOG_FILE) + ": has no line for step " + saved.step()
                    + ", the checkpoint's step; the log does not belong to this run");
        }
        try (TransformerLM model = Checkpoint.loadCausal(checkpoint, "pretraining")) {
            Pretrainer p = new Pretrainer(saved.config(), model, data, out, tokenizer, onLog);
            return p.train(new Resumed(saved.step(), checkpoint, last), start);
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

    /** Where a resumed run starts: its step, the checkpoint holding the optimizer state, the last log line kept. */
    private record Resumed(int step, Path checkpoint, StepLog lastLog) {
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

    private PretrainSummary train(Resumed resumed, long start) {
        model.setTrainable(k -> true);
        LrSchedule schedule = cfg.schedule();
        long tokensPerStep = cfg.tokensPerStep();
        int first = resumed == null ? 1 : resumed.step + 1;
        StepLog last = resumed == null ? null : resumed.lastLog;
        long trainNanos = 0;
        Progress progress = new Progress("pretrain", (cfg.steps() - first + 1) * tokensPerStep, "tokens");
        try (AdamW opt = new AdamW(model.parameters(), cfg.adamW(), model.manager());
                BufferedWriter log = Files.newBufferedWriter(out.resolve(LOG_FILE), StandardCharsets.UTF_8,
                        StandardOpenOption.APPEND)) {
            if (resumed != null) {
                opt.loadState(resumed.checkpoint);
            }
            for (int step = first; step <= cfg.steps(); step++) {
                long t0 = System.nanoTime();
                double lr = schedule.at(step);
                double loss = accumulateGradients(model, microBatches(step));
                double gradNorm = GradientClipping.clipGlobalNorm(model.parameters().values(), cfg.gradClip());
                opt.setLearningRate(lr);
                opt.step();
                opt.zeroGradients();
                long nanos = System.nanoTime() - t0;
                trainNanos += nanos;
                Double validLoss = due(step, cfg.evalEvery()) ? DocumentLoss.mean(model, valid) : null;
                last = new StepLog(step, step * tokensPerStep, lr, loss, gradNorm, tokensPerStep / (nanos / 1e9), validLoss);
                log.write(ONE_LINE.writeValueAsString(last.toJson()));
                log.newLine();
                log.flush(); // a killed run keeps every finished step's line
                onLog.accept(last);
                progress.step(tokensPerStep, String.format(Locale.ROOT, "loss %.3f", loss)
                        + (validLoss == null ? "" : String.format(Locale.ROOT, " valid %.3f", validLoss)));
                if (due(step, cfg.checkpointEvery())) {
                    saveCheckpoint(step, opt);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve(LOG_FILE) + ": " + e.getMessage(), e);
        }
        Path finalDir = out.resolve(FINAL_DIR);
        Checkpoint.save(model, finalDir, tokenizerJson, true);
        long trainedTokens = (cfg.steps() - first + 1) * tokensPerStep;
        return new PretrainSummary(finalDir, cfg.steps(), cfg.steps() * tokensPerStep, model.parameterCount(), last.loss(),
                last.validLoss(), trainNanos == 0 ? 0 : trainedTokens / (trainNanos / 1e9), (System.nanoTime() - start) / 1e9);
    }

    /** Evaluations and checkpoints come every {@code every} steps (0: never) and after the last step. */
    private boolean due(int step, int every) {
        return step == cfg.steps() || every > 0 && step % every == 0;
    }

    /** Model, tokenizer, optimizer state and trainer state, renamed into place together. */
    private void saveCheckpoint(int step, AdamW opt) {
        Checkpoint.save(model, out.resolve(CHECKPOINT_DIR), tokenizerJson, true, folder -> {
            opt.saveState(folder);
            state.atStep(step).write(folder.resolve(STATE_FILE));
        });
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
     * Runs forward and backward on each micro-batch, one GradientCollector at a time, leaving the gradient of
     * the mean loss over all of them in the parameters (PyTorch adds each backward's gradients until they are
     * zeroed; every micro-batch's loss is scaled by 1 / count). Returns that mean loss.
     */
    static double accumulateGradients(TransformerLM model, List<TokenBatch> microBatches) {
        double loss = 0;
        for (TokenBatch batch : microBatches) {
            try (NDManager step = model.manager().newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray nll = meanNll(model, step, batch);
                gc.backward(nll.div(step.full(new Shape(), (float) microBatches.size()))); // a tensor, not a Number
                loss += nll.getFloat() / microBatches.size();
            }
        }
        return loss;
    }

    /** Mean over all positions of -log p(next token): every window is real text, so no mask is needed. */
    private static NDArray meanNll(TransformerLM model, NDManager step, TokenBatch batch) {
        return LogProbs.nextToken(model.forward(step, batch, Hooks.none()), batch).mean().neg();
    }
}
