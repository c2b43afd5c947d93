package dev.mono4j.lcm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.OutputFolder;
import dev.mono4j.model.BaseLcmFamily;
import dev.mono4j.model.ConceptTransformer;
import dev.mono4j.train.RunFolder;
import dev.mono4j.train.RunListener;
import dev.mono4j.train.RunLoop;
import dev.mono4j.train.RunPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a Base-LCM or a Two-Tower diffusion LCM on a concept corpus's TRAIN documents, on {@link RunLoop} (AdamW,
 * warmup and cosine decay, clipping, JSONL log, atomic checkpoints, bit-exact resume, progress, non-finite stop). A
 * step's batch, and the Two-Tower's timesteps, noise and dropped conditions, are pure functions of (seed, step).
 * Every {@code evalEvery} steps the loss on the VALID windows is logged (the Two-Tower's with noise fixed by the
 * seed), and for the Base-LCM the mean ℓ2 to the true next embedding. The run folder is a {@link RunFolder};
 * {@code final/} is the model {@link LcmModels#load} reads.
 */
public final class LcmTrainer implements RunLoop.Method<LcmStepLog> {
    private static final RunFolder.OldNames OLD_NAMES = new RunFolder.OldNames(RunFolder.LOG, RunFolder.STATE);

    /** What a checkpoint's state.json holds. */
    record State(int step, String concepts, LcmTrainConfig config) {
    }

    private final LcmTrainConfig cfg;
    private final LcmNetwork network;
    private final ConceptWindows train;
    private final List<ConceptBatch> valid;
    private final Path concepts;
    private final Path out;
    private final RunPlan plan;

    private LcmTrainer(LcmTrainConfig cfg, LcmNetwork network, ConceptCorpus corpus, Path concepts, Path out) {
        this.cfg = cfg;
        this.network = network;
        this.train = new ConceptWindows(corpus, ConceptCorpus.Split.TRAIN, cfg.context());
        this.valid = new ConceptWindows(corpus, ConceptCorpus.Split.VALID, cfg.context()).all(cfg.batchSize());
        if (train.size() == 0 || valid.isEmpty()) {
            throw new UserInputException(concepts + ": needs TRAIN and VALID documents of at least two sentences");
        }
        this.concepts = concepts;
        this.out = out;
        this.plan = new RunPlan(cfg.steps(), 1, cfg.checkpointEvery(), cfg.schedule(), cfg.adamW(), cfg.gradClip(),
                "lcm train", "windows", cfg.batchSize());
    }

    /** A new network of {@code cfg}'s kind for {@code corpus}, randomly initialised from the seed. */
    static LcmNetwork newNetwork(LcmTrainConfig cfg, ConceptCorpus corpus, Path concepts) {
        LcmSettings settings = new LcmSettings(cfg.model(), corpus.encoder(), corpus.dim(),
                concepts.toAbsolutePath().normalize().toString(), cfg.context(),
                cfg.twoTower() ? cfg.diffusionSteps() : 0, cfg.twoTower() ? cfg.inferenceSteps() : 0,
                cfg.twoTower() ? cfg.guidanceScale() : 1, cfg.twoTower() ? cfg.denoiserLayers() : 0,
                cfg.twoTower() ? cfg.heads() : 0);
        ConceptTransformer body = ConceptTransformer.random(BaseLcmFamily.config(corpus.dim(), cfg.dModel(),
                cfg.layers(), cfg.heads(), cfg.context() + 1, !cfg.twoTower()), cfg.seed());
        if (!cfg.twoTower()) {
            return new BaseLcm(body, settings);
        }
        Denoiser denoiser = Denoiser.random(corpus.dim(), cfg.dModel(), cfg.denoiserLayers(), cfg.heads(),
                cfg.seed() + 1, body.manager());
        return new TwoTowerLcm(body, settings, denoiser, cfg.conditionDrop());
    }

    /** Starts a run in {@code out} (absent or empty, or an earlier run's with {@code overwrite}). */
    public static LcmStepLog run(LcmTrainConfig cfg, ConceptCorpus corpus, Path concepts, Path out, boolean overwrite,
            RunListener<? super LcmStepLog> listener) {
        try (LcmNetwork network = newNetwork(cfg, corpus, concepts)) {
            LcmTrainer t = new LcmTrainer(cfg, network, corpus, concepts, out);
            OutputFolder.prepare(out, RunFolder.outputs(OLD_NAMES), overwrite,
                    "pass --resume to continue the run in it, or --overwrite to replace an earlier run's output");
            return t.train(0, null, listener);
        }
    }

    /** Continues the run in {@code out} from its checkpoint, reading its concept folder with {@code corpusOf}. */
    public static LcmStepLog resume(Path out, java.util.function.Function<Path, ConceptCorpus> corpusOf,
            RunListener<? super LcmStepLog> listener) {
        Path stateFile = RunFolder.stateToResume(out, OLD_NAMES);
        State state = Json.read(stateFile, State.class, "LCM training state");
        Path concepts = Path.of(state.concepts());
        ConceptCorpus corpus = corpusOf.apply(concepts);
        try (LcmNetwork network = LcmNetwork.load(out.resolve(RunFolder.CHECKPOINT))) {
            LcmNetwork resumed = network instanceof TwoTowerLcm tt
                    ? new TwoTowerLcm(tt.body, tt.settings, tt.denoiser(), state.config().conditionDrop()) : network;
            LcmTrainer t = new LcmTrainer(state.config(), resumed, corpus, concepts, out);
            JsonNode last = RunLoop.resumeLog(out, t.plan, state.step());
            return t.train(state.step(), last == null ? null : LcmStepLog.fromJson(last),
                    listener);
        }
    }

    private LcmStepLog train(int done, LcmStepLog last, RunListener<? super LcmStepLog> listener) {
        network.setTrainable();
        RunLoop.Result<LcmStepLog> r = RunLoop.run(out, plan, this, network.parameters(), network.body.manager(), done,
                listener);
        network.save(out.resolve(RunFolder.FINAL), folder -> { });
        LcmStepLog lastLog = r.last() != null ? r.last() : last;
        AtomicFiles.writeString(out.resolve(RunFolder.SUMMARY), Json.write(Json.object("last", lastLog, "config", cfg,
                "concepts", concepts.toAbsolutePath().normalize().toString())));
        return lastLog;
    }

    @Override
    public double backward(int step) {
        ConceptBatch batch = train.batch(cfg.seed(), step, cfg.batchSize());
        SplittableRandom rng = new SplittableRandom(cfg.seed() * 31 + step);
        try (NDManager m = network.body.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = network.loss(m, batch, cfg.loss(), rng);
            gc.backward(loss);
            return loss.getFloat();
        }
    }

    @Override
    public LcmStepLog record(RunLoop.Step s) {
        double[] v = plan.due(s.step(), cfg.evalEvery()) ? validate() : null;
        Double validLoss = v == null ? null : v[0];
        Double validL2 = v == null || !(network instanceof BaseLcm) ? null : v[1];
        return new LcmStepLog(s.step(), s.lr(), s.loss(), s.gradNorm(), cfg.batchSize() / (s.nanos() / 1e9), validLoss,
                validL2);
    }

    @Override
    public Object state(int step) {
        return new State(step, concepts.toAbsolutePath().normalize().toString(), cfg);
    }

    @Override
    public void saveCheckpoint(Path dir, AtomicFiles.FolderContent loopFiles) {
        network.save(dir, loopFiles::writeTo);
    }

    /** The mean loss and (Base-LCM) mean ℓ2 over the VALID batches, with the Two-Tower's noise fixed by the seed. */
    private double[] validate() {
        double loss = 0;
        double l2 = 0;
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        for (ConceptBatch b : valid) {
            try (NDManager m = network.body.manager().newSubManager()) {
                loss += network.loss(m, b, cfg.loss(), rng).getFloat();
                l2 += network instanceof BaseLcm base ? base.meanL2(m, b) : 0;
            }
        }
        return new double[] {loss / valid.size(), l2 / valid.size()};
    }
}
