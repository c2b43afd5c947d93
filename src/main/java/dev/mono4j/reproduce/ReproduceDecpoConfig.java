package dev.mono4j.reproduce;

import dev.mono4j.align.AlignConfig;
import dev.mono4j.align.AlignEval;
import dev.mono4j.align.DecorrelationLoss;
import dev.mono4j.data.conceptworld.ConceptWorldConfig;
import dev.mono4j.data.conceptworld.PreferenceSets;
import dev.mono4j.demo.DemoConfig;
import dev.mono4j.train.ModelPresets;
import dev.mono4j.train.PretrainConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * What {@code ./mono4j reproduce decpo} trains: a capacity ladder pretrained on ConceptWorld (Llama layout, as
 * the paper's Table 2 models, and the same sizes in GPT-2 layout for Figure 2's weight proxy, which needs an MLP
 * input bias), each aligned on every task with every method and seed. Build one with {@link #builder()} (the full
 * run) or {@link #quickBuilder()} (the CI-sized run); the defaults are the constants below.
 *
 * @param presets       model sizes, smallest first (default xs, s, m; the paper's sizes are GPT-2 medium to xl
 *                      and Llama-2/3 7–8B, which two CPU cores cannot train)
 * @param pretrainSteps optimizer steps per preset (same length as presets; default {@link #DEFAULT_PRETRAIN_STEPS})
 * @param docs          ConceptWorld stories to pretrain on (default 20,000, the demo's)
 * @param seed          data and pretraining seed; alignment seeds are seed + 0 .. seeds − 1
 * @param seeds         alignment seeds per method (default 3, the minimum for Table 2)
 * @param tasks         preference tasks (default all three; the first is Figures 2–7's, as the paper's Toxicity)
 * @param methods       Table 2's methods besides DecPO's modes (default sft, dpo, simpo, l1, memel; dpo is required)
 * @param decorrModes   DecPO's regularizer forms, each its own Table 2 row (default every mode)
 * @param alignSteps    optimizer steps of each alignment run, 8 pairs each (default 60, as docs/reproduction.md's λ sweep)
 * @param fig7Layers    blocks DecPO regularizes for Figure 7; empty: every block of each preset
 * @param judgedPrompts held-out prompts judged per model, the first ones (default 0: all 200)
 * @param quick         the CI-sized run (recorded in results.json; the sizes themselves are the fields above)
 */
public record ReproduceDecpoConfig(List<String> presets, List<Integer> pretrainSteps, int docs, long seed, int seeds,
        List<String> tasks, List<AlignConfig.Method> methods, List<DecorrelationLoss.Mode> decorrModes, int alignSteps,
        List<Integer> fig7Layers, int judgedPrompts, boolean quick) {

    public static final List<String> DEFAULT_PRESETS = List.of("xs", "s", "m");
    /** Our choice: the demo's steps for xs and s (docs/reproduction.md, "Model size and monosemanticity"), and s's for the larger ones. */
    public static final java.util.Map<String, Integer> DEFAULT_PRETRAIN_STEPS = java.util.Map.of("xs", 800, "s", 1400,
            "m", 1400, "l", 1400);
    public static final int DEFAULT_DOCS = DemoConfig.DEFAULT.docs();
    public static final long DEFAULT_SEED = 1;
    public static final int DEFAULT_SEEDS = 3;
    public static final List<String> DEFAULT_TASKS = PreferenceSets.TASKS;
    /** The paper's Table 2 rows (§5.1.1) besides ICL (no prompting baseline here), plus MEmeL. */
    public static final List<AlignConfig.Method> DEFAULT_METHODS = List.of(AlignConfig.Method.SFT, AlignConfig.Method.DPO,
            AlignConfig.Method.SIMPO, AlignConfig.Method.L1, AlignConfig.Method.MEMEL);
    public static final int DEFAULT_ALIGN_STEPS = 60;

    /** The CI-sized run (our choice): one small model, briefly pretrained, two seeds, one task, few steps. */
    public static final List<String> QUICK_PRESETS = List.of("xs");
    public static final int QUICK_PRETRAIN_STEPS = 40;
    public static final int QUICK_DOCS = 300;
    public static final int QUICK_SEEDS = 2;
    public static final List<String> QUICK_TASKS = List.of("toxicity");
    public static final int QUICK_ALIGN_STEPS = 4;
    public static final List<Integer> QUICK_FIG7_LAYERS = List.of(1);
    /** Quick runs compare DPO with DecPO's default form only, judged on 20 prompts: what fits in about a minute. */
    public static final List<AlignConfig.Method> QUICK_METHODS = List.of(AlignConfig.Method.DPO);
    public static final List<DecorrelationLoss.Mode> QUICK_DECORR_MODES = List.of(AlignConfig.DEFAULT_DECORR_MODE);
    public static final int QUICK_JUDGED_PROMPTS = 20;

    /** Pretraining's peak learning rate: the demo's (ConceptWorld's topic conditioning is learned far sooner). */
    public static final double PRETRAIN_LR = DemoConfig.DEFAULT.lr();
    /** Alignment's learning rate: the demo's, as DPO's 1e-6 barely moves models this small. */
    public static final double ALIGN_LR = DemoConfig.ALIGN_LR;
    /** Figure 2's ladder: the layout whose MLP has an input bias (metrics.WeightProxy). */
    public static final String WEIGHT_PROXY_ARCH = "gpt2";
    /** The ladder everything else is measured on: Llama's, as the paper's Table 2 models. */
    public static final String ARCH = "llama";

    public ReproduceDecpoConfig {
        presets = List.copyOf(presets);
        pretrainSteps = List.copyOf(pretrainSteps);
        tasks = List.copyOf(tasks);
        methods = List.copyOf(methods);
        decorrModes = List.copyOf(decorrModes);
        fig7Layers = List.copyOf(fig7Layers);
        require(!presets.isEmpty() && presets.size() == pretrainSteps.size(), "give one pretrain step count per preset");
        require(new HashSet<>(presets).size() == presets.size(), "presets must differ: " + presets);
        for (String p : presets) {
            ModelPresets.shape(p); // a known preset
        }
        require(pretrainSteps.stream().allMatch(s -> s >= 1) && alignSteps >= 1, "pretrain and align steps must be at least 1");
        require(seeds >= 1 && judgedPrompts >= 0, "seeds must be at least 1 and judged prompts not negative");
        require(!tasks.isEmpty() && PreferenceSets.TASKS.containsAll(tasks) && new HashSet<>(tasks).size() == tasks.size(),
                "tasks must be distinct ones of " + PreferenceSets.TASKS + ", got " + tasks);
        require(methods.contains(AlignConfig.Method.DPO), "methods must include dpo, which every figure compares with");
        require(!methods.contains(AlignConfig.Method.DECPO), "decpo runs once per --decorr-modes entry; leave it out of methods");
        require(new HashSet<>(methods).size() == methods.size(), "methods must differ: " + methods);
        require(!decorrModes.isEmpty() && new HashSet<>(decorrModes).size() == decorrModes.size(),
                "need at least one decorrelation mode, each once");
        int fewestLayers = presets.stream().mapToInt(p -> ModelPresets.shape(p).layers()).min().orElseThrow();
        require(fig7Layers.stream().allMatch(l -> l >= 0 && l < fewestLayers),
                "fig7 layers must lie in 0.." + (fewestLayers - 1) + " (the smallest preset's blocks), got " + fig7Layers);
        dataConfig(docs, seed);
        for (int i = 0; i < presets.size(); i++) {
            pretrainConfig(ARCH, presets.get(i), pretrainSteps.get(i), seed);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The ConceptWorld corpus every preset is pretrained on (the demo's two dialects). */
    public ConceptWorldConfig data() {
        return dataConfig(docs, seed);
    }

    private static ConceptWorldConfig dataConfig(int docs, long seed) {
        return new ConceptWorldConfig(docs, seed, DemoConfig.DEFAULT.dialects(), 0.05);
    }

    /** How preset i of the given layout is pretrained: evaluated ten times, checkpointed halfway and at the end. */
    public PretrainConfig pretrain(String arch, int i) {
        return pretrainConfig(arch, presets.get(i), pretrainSteps.get(i), seed);
    }

    private static PretrainConfig pretrainConfig(String arch, String preset, int steps, long seed) {
        return PretrainConfig.builder().arch(arch).preset(preset).steps(steps).seed(seed).lr(PRETRAIN_LR)
                .evalEvery(Math.max(1, steps / 10)).checkpointEvery(Math.max(1, steps / 2)).build();
    }

    /**
     * The settings every alignment run shares: held-out rewards and FD at every layer at ¼, ½, ¾ and the end
     * (Figures 4 and 6), a checkpoint halfway so a stopped run resumes.
     */
    public AlignConfig alignBase() {
        int quarter = Math.max(1, alignSteps / 4);
        return AlignConfig.builder(AlignConfig.Method.DPO).lr(ALIGN_LR).steps(alignSteps).evalEvery(quarter).fdEvery(quarter)
                .checkpointEvery(Math.max(1, alignSteps / 2)).build();
    }

    /** How each model is judged: align eval's defaults on the first {@code judgedPrompts} prompts. */
    public AlignEval eval() {
        return new AlignEval(AlignEval.DEFAULT.maxNewTokens(), AlignEval.DEFAULT.temperature(), AlignEval.DEFAULT.seed(),
                judgedPrompts);
    }

    /** Figure 7's blocks for a model of {@code layers} blocks. */
    public List<Integer> fig7LayersFor(int layers) {
        if (!fig7Layers.isEmpty()) {
            return fig7Layers;
        }
        List<Integer> all = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            all.add(l);
        }
        return all;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static Builder quickBuilder() {
        return new Builder().presets(QUICK_PRESETS).pretrainStepsEach(QUICK_PRETRAIN_STEPS).docs(QUICK_DOCS).seeds(QUICK_SEEDS)
                .tasks(QUICK_TASKS).alignSteps(QUICK_ALIGN_STEPS).fig7Layers(QUICK_FIG7_LAYERS).methods(QUICK_METHODS).decorrModes(QUICK_DECORR_MODES)
                .judgedPrompts(QUICK_JUDGED_PROMPTS).quick(true);
    }

    /** Starts from the full run's defaults. */
    public static final class Builder {
        private List<String> presets = DEFAULT_PRESETS;
        private List<Integer> pretrainSteps;
        private Integer pretrainStepsEach;
        private int docs = DEFAULT_DOCS;
        private long seed = DEFAULT_SEED;
        private int seeds = DEFAULT_SEEDS;
        private List<String> tasks = DEFAULT_TASKS;
        private List<AlignConfig.Method> methods = DEFAULT_METHODS;
        private List<DecorrelationLoss.Mode> decorrModes = Arrays.asList(DecorrelationLoss.Mode.values());
        private int alignSteps = DEFAULT_ALIGN_STEPS;
        private List<Integer> fig7Layers = List.of();
        private int judgedPrompts;
        private boolean quick;

        public Builder presets(List<String> v) { presets = v; return this; }
        public Builder pretrainSteps(List<Integer> v) { pretrainSteps = v; return this; }
        /** The same step count for every preset, unless {@link #pretrainSteps} is given. */
        public Builder pretrainStepsEach(Integer v) { pretrainStepsEach = v; return this; }
        public Builder docs(int v) { docs = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder seeds(int v) { seeds = v; return this; }
        public Builder tasks(List<String> v) { tasks = v; return this; }
        public Builder methods(List<AlignConfig.Method> v) { methods = v; return this; }
        public Builder decorrModes(List<DecorrelationLoss.Mode> v) { decorrModes = v; return this; }
        public Builder alignSteps(int v) { alignSteps = v; return this; }
        public Builder fig7Layers(List<Integer> v) { fig7Layers = v; return this; }
        public Builder judgedPrompts(int v) { judgedPrompts = v; return this; }
        public Builder quick(boolean v) { quick = v; return this; }

        /** @throws IllegalArgumentException naming the first invalid field */
        public ReproduceDecpoConfig build() {
            List<Integer> steps = pretrainSteps != null ? pretrainSteps : presets.stream()
                    .map(p -> pretrainStepsEach != null ? pretrainStepsEach : DEFAULT_PRETRAIN_STEPS.getOrDefault(p, 1400)).toList();
            return new ReproduceDecpoConfig(presets, steps, docs, seed, seeds, tasks, methods, decorrModes,
                    alignSteps, fig7Layers, judgedPrompts, quick);
        }
    }
}
