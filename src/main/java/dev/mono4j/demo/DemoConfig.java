package dev.mono4j.demo;

import dev.mono4j.align.AlignCompare;
import dev.mono4j.align.AlignConfig;
import dev.mono4j.align.AlignEval;
import dev.mono4j.data.conceptworld.ConceptWorldConfig;
import dev.mono4j.data.conceptworld.PreferenceSets;
import dev.mono4j.sae.GbaConfig;
import dev.mono4j.sae.SaeConfig;
import dev.mono4j.train.PretrainConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * The main job's settings. Defaults: 16 min 30 s with every stage on the idle two-core machine with PyTorch's
 * default threads (2026-12-03, the selection stage 23 s of it); earlier, without the Monet and selection stages,
 * 16 min 5 s with one thread while another job used the second core (9 min 16 s before the alignment stage ran three
 * seeds): a
 * 20,000-story ConceptWorld in two dialects, a capacity ladder of two Llama-layout models (xs and s), and
 * each aligned with DPO and DecPO on toxicity, then a GBA SAE on the larger one.
 *
 * @param presets     model sizes to pretrain, smallest first
 * @param steps       optimizer steps per preset (same length as presets)
 * @param lr          peak learning rate; 1e-2 learns ConceptWorld's topic conditioning far sooner than the
 *                    pretrain default 3e-3 at these sizes (docs/benchmarks.md)
 * @param samples     stories sampled from each model for the report
 * @param measureTexts fresh labelled stories each model is measured on (monosemanticity metrics): the ladder's
 *                    models and, in the alignment stage, each base and its aligned models
 * @param alignSteps  optimizer steps of each alignment run (8 pairs each)
 * @param alignSeeds  seeds of each alignment run; 3 by default, because one seed's alignment % is not a finding:
 *                    the same run on another machine (float rounding of other CPU kernels) moved preset xs's DPO
 *                    from 85.5% to 41.5% (docs/reproduction.md, "Reproducibility")
 * @param full        align on every task with every method, instead of DPO vs DecPO on toxicity
 * @param saeTexts    fresh stories whose activations the GBA SAE trains on (largest preset, middle residual stream)
 * @param saeSteps    optimizer steps of the GBA SAE; 0 skips the SAE stage
 * @param monetTexts  fresh stories the Monet stage resects on (half for the experts' statistics, half held out;
 *                    400 by default: about 25 stories per domain on each side, a rough table in about a minute; our
 *                    choice); 0 skips the stage, which trains a Monet-VD of the smallest preset as that preset's Llama
 * @param selectPool  fresh stories the data-selection stage (MoNA with the SAE stage's SAE, against BM25 and random)
 *                    selects 5% of (4,000 by default: 200 selected, about 25 stories of the target domain among them by
 *                    chance; our choice); 0 skips the stage, as does skipping the SAE stage
 */
public record DemoConfig(Path out, int docs, int dialects, List<String> presets, List<Integer> steps, double lr,
        long seed, int samples, int measureTexts, int alignSteps, int alignSeeds, boolean full, int saeTexts, int saeSteps,
        int monetTexts, int selectPool) {
    public static final DemoConfig DEFAULT = new DemoConfig(Path.of("demo-out"), 20_000, 2, List.of("xs", "s"),
            List.of(800, 1400), 1e-2, 1, 4, 1000, 60, 3, false, 2000, 1500, 400, 4000);
    /** Rows per SAE step: 1,024 rows of the cached stories' tokens. */
    public static final int SAE_BATCH_SIZE = 1024;
    /** The SAE's learning rate: 1e-3, as in every GBA run of docs/reproduction.md (SAELens' 3e-4 is untried here). */
    public static final double SAE_LR = 1e-3;
    /** Learning rate of the alignment runs: DPO's 1e-6 barely moves models this small. */
    public static final double ALIGN_LR = 1e-3;

    public DemoConfig {
        presets = List.copyOf(presets);
        steps = List.copyOf(steps);
        if (presets.isEmpty() || presets.size() != steps.size()) {
            throw new IllegalArgumentException("give one step count per preset");
        }
        if (docs < 200 || samples < 0 || measureTexts < 2 || steps.stream().anyMatch(s -> s < 1) || alignSteps < 0
                || alignSeeds < 1) {
            throw new IllegalArgumentException("need docs >= 200 (a validation set of whole windows), samples >= 0,"
                    + " measure texts >= 2, steps >= 1, align steps >= 0 and align seeds >= 1");
        }
        if (monetTexts < 0 || monetTexts == 1) {
            throw new IllegalArgumentException("need monet texts >= 2 (statistics and held-out), or 0 to skip the stage");
        }
        if (selectPool < 0 || selectPool == 1) {
            throw new IllegalArgumentException("need select pool >= 2 stories, or 0 to skip the stage");
        }
        if (saeSteps < 0 || (saeSteps > 0 && saeTexts < 1)) {
            throw new IllegalArgumentException("need sae steps >= 0 and, with an SAE, sae texts >= 1");
        }
        if (new java.util.HashSet<>(presets).size() != presets.size()) {
            throw new IllegalArgumentException("presets must differ: " + presets);
        }
        // Fail now, before any output is replaced or any model trained, on what later stages would refuse.
        // (Fields are not assigned yet in a compact constructor: build from the parameters.)
        dataConfig(docs, seed, dialects);
        for (int i = 0; i < presets.size(); i++) {
            pretrainConfig(PretrainConfig.DEFAULT_ARCH, presets.get(i), steps.get(i), seed, lr);
        }
    }

    /** Preference tasks the ladder is aligned on (none when alignSteps is 0). */
    public List<String> alignTasks() {
        return alignSteps == 0 ? List.of() : full ? PreferenceSets.TASKS : List.of("toxicity");
    }

    public List<AlignConfig.Method> alignMethods() {
        return full ? List.of(AlignConfig.Method.SFT, AlignConfig.Method.DPO, AlignConfig.Method.SIMPO, AlignConfig.Method.L1,
                AlignConfig.Method.DECPO, AlignConfig.Method.MEMEL) : List.of(AlignConfig.Method.DPO, AlignConfig.Method.DECPO);
    }

    /** How each preset is aligned: every method from the same pretrained model, same pairs and seeds. */
    public AlignCompare alignment() {
        AlignConfig base = AlignConfig.builder(AlignConfig.Method.DPO).lr(ALIGN_LR).steps(Math.max(1, alignSteps))
                .seed(seed).evalEvery(Math.max(1, alignSteps / 6)).fdEvery(Math.max(1, alignSteps / 6))
                .checkpointEvery(alignSteps).build();
        return new AlignCompare(alignMethods(), alignSeeds(), base, null, AlignEval.DEFAULT, measureTexts);
    }

    /** The GBA SAE trained on the largest preset (paper defaults: 10 groups, targets 0.1 to 0.001, tied weights). */
    public SaeConfig sae() {
        return SaeConfig.DEFAULT.toBuilder().architecture(GbaConfig.DEFAULT).batchSize(SAE_BATCH_SIZE).lr(SAE_LR)
                .steps(Math.max(1, saeSteps)).seed(seed).logEvery(Math.max(1, saeSteps / 20))
                .checkpointEvery(Math.max(1, saeSteps)).build();
    }

    /** The ConceptWorld this demo generates. */
    public ConceptWorldConfig data() {
        return dataConfig(docs, seed, dialects);
    }

    /** How the i-th preset is trained. */
    public PretrainConfig pretrain(int i) {
        return pretrainConfig(PretrainConfig.DEFAULT_ARCH, presets.get(i), steps.get(i), seed, lr);
    }

    /** The Monet stage's model: the smallest preset's training, as Monet-VD with the paper's λ. */
    public PretrainConfig monetPretrain() {
        return pretrainConfig("monet-vd", presets.get(0), steps.get(0), seed, lr);
    }

    /** Whether the demo runs its data-selection stage (it selects with the SAE stage's SAE). */
    public boolean select() {
        return selectPool > 0 && saeSteps > 0;
    }

    /** Whether the demo runs its Monet stage. */
    public boolean monet() {
        return monetTexts > 0;
    }

    private static ConceptWorldConfig dataConfig(int docs, long seed, int dialects) {
        return new ConceptWorldConfig(docs, seed, dialects, 0.05);
    }

    /** Evaluated ten times during the run, checkpointed at its end. */
    private static PretrainConfig pretrainConfig(String arch, String preset, int steps, long seed, double lr) {
        return PretrainConfig.builder().arch(arch).preset(preset).steps(steps).seed(seed).lr(lr).evalEvery(Math.max(1, steps / 10))
                .checkpointEvery(steps).build();
    }
}
