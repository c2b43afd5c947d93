package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.sae.ArchitectureConfig;
import dev.mono4j.sae.BaConfig;
import dev.mono4j.sae.BatchTopKConfig;
import dev.mono4j.sae.GbaConfig;
import dev.mono4j.sae.JumpReluConfig;
import dev.mono4j.sae.ReluConfig;
import dev.mono4j.sae.SaeArchitectures;
import dev.mono4j.sae.SaeConfig;
import dev.mono4j.sae.SaeData;
import dev.mono4j.sae.TopKConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The flags of {@code sae train} and {@code sae compare}: data, each {@link SaeConfig} field but the architecture,
 * and each architecture's own settings. An architecture's flags apply to it only: one given for none of the chosen
 * architectures is an error naming both.
 */
final class SaeTrainOptions {
    private static final SaeConfig D = SaeConfig.DEFAULT;
    private static final TopKConfig T = TopKConfig.DEFAULT;
    private static final JumpReluConfig J = JumpReluConfig.DEFAULT;
    private static final GbaConfig G = GbaConfig.DEFAULT;

    /** An architecture's flags, one per field of its config record, and the record they build. */
    private record ArchitectureFlags(List<String> flags, Function<SaeTrainOptions, ArchitectureConfig> config) {
    }

    private static final List<String> GBA_FLAGS = List.of("--gba-groups", "--htf", "--ltf", "--adapt-every",
            "--gamma-minus", "--gamma-plus", "--gba-epsilon", "--gba-untied", "--gba-jumprelu", "--gba-peak",
            "--gba-output-scale");
    /** By registered architecture name; an architecture without an entry trains with its defaults. */
    private static final Map<String, ArchitectureFlags> FLAGS = new LinkedHashMap<>();

    static {
        List<String> topK = List.of("--k", "--aux-k", "--aux-coefficient", "--dense-decode");
        FLAGS.put("topk", new ArchitectureFlags(topK, o -> new TopKConfig(o.k, o.auxK, o.auxCoefficient, !o.denseDecode)));
        FLAGS.put("batchtopk", new ArchitectureFlags(topK,
                o -> new BatchTopKConfig(o.k, o.auxK, o.auxCoefficient, !o.denseDecode)));
        FLAGS.put("relu", new ArchitectureFlags(List.of("--l1"), o -> new ReluConfig(o.l1)));
        FLAGS.put("jumprelu", new ArchitectureFlags(List.of("--l0", "--bandwidth", "--init-threshold"),
                o -> new JumpReluConfig(o.l0, o.bandwidth, o.initThreshold)));
        FLAGS.put("gba", new ArchitectureFlags(GBA_FLAGS, o -> new GbaConfig(o.groups, o.htf, o.ltf, o.adaptEvery,
                o.gammaMinus, o.gammaPlus, o.epsilon, !o.untied, o.gbaJumpRelu, o.gbaPeak, o.gbaOutputScale)));
        FLAGS.put("ba", new ArchitectureFlags(GBA_FLAGS.stream().filter(f -> !f.equals("--gba-groups") && !f.equals("--ltf"))
                .toList(), o -> new BaConfig(o.htf, o.adaptEvery, o.gammaMinus, o.gammaPlus, o.epsilon, !o.untied,
                o.gbaJumpRelu, o.gbaPeak, o.gbaOutputScale)));
    }

    @Option(names = "--activations", description = "Activation store folder (from `sae cache`).")
    Path activations;

    @Option(names = "--synthetic", description = "Synthetic superposition folder (from `sae synth`); rows are sampled fresh.")
    Path synthetic;

    @Option(names = "--buffer-rows", description = "Rows of the store's shuffling buffer (default ${DEFAULT-VALUE}).")
    int bufferRows = SaeData.DEFAULT_BUFFER_ROWS;

    @Option(names = "--d-sae", description = "Latents (default: --expansion × d_in).")
    int dSae = D.dSae();

    @Option(names = "--expansion", description = "d_sae / d_in when --d-sae is not given (default ${DEFAULT-VALUE}).")
    int expansion = D.expansion();

    @Option(names = "--k", description = "TopK: active latents per row; BatchTopK: their average (default ${DEFAULT-VALUE}).")
    int k = T.k();

    @Option(names = "--l1", description = "ReLU's L1 coefficient (default ${DEFAULT-VALUE}).")
    double l1 = ReluConfig.DEFAULT.l1Coefficient();

    @Option(names = "--l0", description = "JumpReLU's L0 coefficient (default ${DEFAULT-VALUE}).")
    double l0 = J.l0Coefficient();

    @Option(names = "--bandwidth", description = "JumpReLU's straight-through kernel width ε (default ${DEFAULT-VALUE}).")
    double bandwidth = J.bandwidth();

    @Option(names = "--init-threshold", description = "JumpReLU's initial threshold (default ${DEFAULT-VALUE}).")
    double initThreshold = J.initThreshold();

    @Option(names = "--aux-k", description = "AuxK: dead latents that model the residual; 0 disables (default ${DEFAULT-VALUE}).")
    int auxK = T.auxK();

    @Option(names = "--aux-coefficient", description = "AuxK loss weight α (default ${DEFAULT-VALUE}).")
    double auxCoefficient = T.auxCoefficient();

    @Option(names = "--dead-tokens", description = "Rows without firing after which a latent is dead (default ${DEFAULT-VALUE}).")
    long deadTokens = D.deadTokens();

    @Option(names = "--dense-threshold", description = "Firing share above which a latent is dense (default ${DEFAULT-VALUE}).")
    double denseThreshold = D.denseThreshold();

    @Option(names = "--gba-groups", description = "GBA: groups K (default ${DEFAULT-VALUE}; BA uses 1).")
    int groups = G.groups();

    @Option(names = "--htf", description = "GBA: highest target frequency; BA's target (default ${DEFAULT-VALUE}; the paper's later version uses 0.5).")
    double htf = G.htf();

    @Option(names = "--ltf", description = "GBA: lowest target frequency (default ${DEFAULT-VALUE}).")
    double ltf = G.ltf();

    @Option(names = "--adapt-every", description = "GBA: steps between bias adaptations T (default ${DEFAULT-VALUE}).")
    int adaptEvery = G.adaptEvery();

    @Option(names = "--gamma-minus", description = "GBA: bias decrease step γ₋ (default ${DEFAULT-VALUE}).")
    double gammaMinus = G.gammaMinus();

    @Option(names = "--gamma-plus", description = "GBA: bias increase step γ₊ (default ${DEFAULT-VALUE}).")
    double gammaPlus = G.gammaPlus();

    @Option(names = "--gba-epsilon", description = "GBA: firing share below which a latent counts dead (default ${DEFAULT-VALUE}).")
    double epsilon = G.epsilon();

    @Option(names = "--gba-untied", description = "GBA: train a separate encoder instead of W_enc = W_decᵀ.")
    boolean untied;

    @Option(names = "--gba-jumprelu", description = "GBA: gate latents with threshold −b (JumpReLU) instead of shifting by b.")
    boolean gbaJumpRelu;

    @Option(names = "--gba-peak", description = "GBA: the peak r_m a bias steps by, of the pre-activation with its bias "
            + "(the paper's) or of the projection without it (mono4j's earlier choice): pre-activation or projection "
            + "(default ${DEFAULT-VALUE}).")
    GbaConfig.Peak gbaPeak = G.peak();

    @Option(names = "--gba-output-scale", description = "GBA: the per-latent output scale a_m: trained (the paper's "
            + "method) or fixed at 1 (its v1 experiments as one source reads them) (default ${DEFAULT-VALUE}).")
    GbaConfig.OutputScale gbaOutputScale = G.outputScale();

    @Option(names = "--dense-decode", description = "TopK/BatchTopK: compute every latent densely (slower, same result).")
    boolean denseDecode;

    @Option(names = "--free-decoder-norm", description = "Do not hold decoder rows at unit norm.")
    boolean freeDecoderNorm;

    @Option(names = "--no-normalize", description = "Train on raw activations (default: scaled to mean norm √d_in).")
    boolean noNormalize;

    @Option(names = "--b-dec-init", description = "b_dec's start: geometric-median, mean or zero (default ${DEFAULT-VALUE}).")
    SaeConfig.DecoderBiasInit bDecInit = SaeConfig.DEFAULT.decoderBiasInit();

    @Option(names = "--freeze-b-dec", description = "Keep b_dec where --b-dec-init put it instead of training it "
            + "(GBA on synthetic data needs it; see docs/sae.md).")
    boolean freezeBDec;

    @Option(names = "--lr", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr = D.lr();

    @Option(names = "--warmup", description = "Warm-up steps (default ${DEFAULT-VALUE}).")
    int warmup = D.warmupSteps();

    @Option(names = "--min-lr-ratio", description = "Cosine decay ends at lr × this (default ${DEFAULT-VALUE}).")
    double minLrRatio = D.minLrRatio();

    @Option(names = "--batch-size", description = "Rows per step (default ${DEFAULT-VALUE}).")
    int batchSize = D.batchSize();

    @Option(names = "--steps", description = "Optimizer steps (default ${DEFAULT-VALUE}).")
    int steps = D.steps();

    @Option(names = "--seed", description = "Initialisation, groups and data order (default ${DEFAULT-VALUE}).")
    long seed = D.seed();

    @Option(names = "--log-every", description = "Steps between log lines (default ${DEFAULT-VALUE}).")
    int logEvery = D.logEvery();

    @Option(names = "--checkpoint-every", description = "Steps between checkpoints (default ${DEFAULT-VALUE}).")
    int checkpointEvery = D.checkpointEvery();

    /**
     * The settings of each architecture in {@code names} (registered names, see {@link SaeArchitectures}) from its
     * flags. A flag of another architecture given in {@code spec}'s command line is an error naming it and
     * {@code option}, the flag that chose the architectures.
     */
    List<ArchitectureConfig> architectures(CommandSpec spec, String option, List<String> names) {
        List<ArchitectureConfig> configs = new ArrayList<>();
        List<String> allowed = new ArrayList<>();
        for (String name : names) {
            String a = Flags.check(() -> SaeArchitectures.defaults(name)).architecture();
            ArchitectureFlags f = FLAGS.get(a);
            configs.add(f == null ? SaeArchitectures.defaults(a) : Flags.check(() -> f.config().apply(this)));
            if (f != null) {
                allowed.addAll(f.flags());
            }
        }
        for (Map.Entry<String, ArchitectureFlags> e : FLAGS.entrySet()) {
            for (String flag : e.getValue().flags()) {
                if (!allowed.contains(flag) && spec.commandLine().getParseResult().hasMatchedOption(flag)) {
                    throw new UserInputException(flag + " does not apply to " + option + " " + String.join(",", names)
                            + " (it sets " + owners(flag) + ")");
                }
            }
        }
        return configs;
    }

    private static String owners(String flag) {
        return String.join(", ", FLAGS.entrySet().stream().filter(e -> e.getValue().flags().contains(flag))
                .map(Map.Entry::getKey).toList());
    }

    /** The run's settings with the architecture {@code a}. */
    SaeConfig config(ArchitectureConfig a) {
        return Flags.check(() -> SaeConfig.builder().architecture(a).dSae(dSae).expansion(expansion).deadTokens(deadTokens)
                .denseThreshold(denseThreshold).unitNormDecoder(!freeDecoderNorm).normalize(!noNormalize)
                .decoderBias(bDecInit, freezeBDec).lr(lr).warmupSteps(warmup).minLrRatio(minLrRatio).batchSize(batchSize)
                .steps(steps).seed(seed).logEvery(logEvery).checkpointEvery(checkpointEvery).build());
    }

    SaeData data() {
        if ((activations == null) == (synthetic == null)) {
            throw new UserInputException("give either --activations STORE or --synthetic DIR");
        }
        return Flags.check(() -> activations != null ? SaeData.store(activations, seed, bufferRows)
                : SaeData.synthetic(synthetic, seed));
    }
}
