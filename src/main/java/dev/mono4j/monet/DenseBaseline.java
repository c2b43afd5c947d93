package dev.mono4j.monet;

import ai.djl.ndarray.NDArray;
import dev.mono4j.UserInputException;
import dev.mono4j.data.LabelledText;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.MonetFamily;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The dense baseline of a resection ([P] arXiv 2412.04139v4 §5.1 masks a LLaMA's domain-selective MLP neurons):
 * a dense model's most label-selective neurons of mlp.hook_post (the input of the down projection) set to 0.
 * Selectivity is the same ratio as the experts' (mean on the label over the runner-up's, {@link SelectivityRule}),
 * over the mean |activation| (our choice: a neuron's activation may be negative, and masking removes either sign).
 * Neurons are ranked across all layers together (our choice).
 */
final class DenseBaseline implements AutoCloseable {
    /** What each {@link ResectConfig.DenseBudget} means, as the report states it. */
    static String budgetNote(ResectConfig.DenseBudget rule) {
        return switch (rule) {
            case UNITS -> "dense neurons = round(share of Monet's expert units masked (an expert counts once per layer"
                    + " of its routing group) x the dense model's MLP neurons), our choice";
            case WEIGHTS -> "dense neurons = round(removed expert weights / weights per neuron), our choice: an expert"
                    + " holds 2·m·d nominal weights (U and V, [P] Eq. 6-15, shared with its grid row and column) in each"
                    + " layer of its group; a neuron 3·d in a gated (SwiGLU) MLP (gate row, up row, down column), 2·d"
                    + " otherwise";
        };
    }

    private final TransformerLM model;
    private final Tokenizer tok;
    private final List<LabelledText> evalTexts;
    private final ResectConfig cfg;
    private final Map<String, Double> base;
    private final Map<String, double[]> means; // label → per neuron over all layers, layer-major
    private final int width;

    private DenseBaseline(TransformerLM model, Tokenizer tok, List<LabelledText> evalTexts, ResectConfig cfg,
            Map<String, double[]> means, int width) {
        this.model = model;
        this.tok = tok;
        this.evalTexts = evalTexts;
        this.cfg = cfg;
        this.means = means;
        this.width = width;
        this.base = TokenNll.byLabel(model, tok, evalTexts, cfg.batchSize(), cfg.maxTokens(), Hooks.none());
    }

    /** Loads the dense model and measures its neurons on the statistics texts; {@link #close} frees it. */
    static DenseBaseline collect(Path dir, List<LabelledText> statsTexts, List<LabelledText> evalTexts, ResectConfig cfg,
            NonFinite nonFinite) {
        TransformerLM model = Checkpoint.loadCausal(dir, "the dense baseline (--dense)", nonFinite);
        if (model.config().family() == MonetFamily.MONET) {
            model.close();
            throw new UserInputException("--dense " + dir + ": a Monet model; the baseline needs a dense one (e.g. Llama)");
        }
        Tokenizer tok = null;
        try {
            tok = Tokenizer.load(dir);
            return measure(model, tok, statsTexts, evalTexts, cfg);
        } catch (RuntimeException e) { // the caller only closes what it receives
            if (tok != null) {
                tok.close();
            }
            model.close();
            throw e;
        }
    }

    /** The neurons' mean |activation| per label over {@code statsTexts}, and the unmasked NLL on {@code evalTexts}. */
    private static DenseBaseline measure(TransformerLM model, Tokenizer tok, List<LabelledText> statsTexts,
            List<LabelledText> evalTexts, ResectConfig cfg) {
        int layers = model.config().numLayers();
        String glob = HookPoint.layerGlob(HookPoint.mlpPost(0));
        int[] widthOf = new int[1];
        LabelMeans[] perLayer = new LabelMeans[layers];
        Passes.run(model, tok, statsTexts, cfg.batchSize(), cfg.maxTokens(), () -> Hooks.capture(glob), pass -> {
            Map<String, long[]> rows = pass.rowsByLabel();
            for (int l = 0; l < layers; l++) {
                NDArray a = pass.hooks().get(HookPoint.mlpPost(l));
                int w = Math.toIntExact(a.getShape().get(2));
                widthOf[0] = w;
                if (perLayer[l] == null) {
                    perLayer[l] = new LabelMeans(w);
                }
                int layer = l;
                rows.forEach((label, flat) -> perLayer[layer].add(label,
                        pass.rows(a, flat).abs().sum(new int[] {0}).toFloatArray(), flat.length));
            }
        });
        Map<String, double[]> means = new java.util.TreeMap<>();
        for (int l = 0; l < layers; l++) {
            int layer = l;
            perLayer[l].means().forEach((label, m) -> System.arraycopy(m, 0,
                    means.computeIfAbsent(label, k -> new double[layers * widthOf[0]]), layer * widthOf[0], widthOf[0]));
        }
        return new DenseBaseline(model, tok, evalTexts, cfg, means, widthOf[0]);
    }

    /**
     * Neurons matching what the experts removed ({@link ResectConfig#denseBudget}, see {@link #budgetNote}):
     * {@code unitShare} of all neurons, or {@code removedWeights} over the weights of one neuron.
     */
    int budget(double unitShare, long removedWeights) {
        return switch (cfg.denseBudget()) {
            case UNITS -> Math.toIntExact(Math.round(unitShare * width * model.config().numLayers()));
            case WEIGHTS -> {
                boolean gated = model.hookNames().contains(HookPoint.mlpPreLinear(0));
                long perNeuron = (gated ? 3L : 2L) * model.config().hiddenSize();
                yield Math.toIntExact(Math.round((double) removedWeights / perNeuron));
            }
        };
    }

    /** Δ NLL with the {@code neurons} most selective neurons for {@code label} set to 0. */
    Resection.Delta resect(String label, int neurons) {
        if (!means.containsKey(label)) {
            throw new UserInputException("--dense: label " + label + " has no statistics texts");
        }
        int layers = model.config().numLayers();
        float[][] keep = new float[layers][width];
        for (float[] k : keep) {
            java.util.Arrays.fill(k, 1f);
        }
        for (SelectivityRule.Unit u : SelectivityRule.top(means, label, neurons)) {
            keep[u.index() / width][u.index() % width] = 0f;
        }
        Ablation a = new Ablation();
        for (int l = 0; l < layers; l++) {
            a.multiply(HookPoint.mlpPost(l), keep[l], width);
        }
        return Resection.Delta.of(label, base,
                TokenNll.byLabel(model, tok, evalTexts, cfg.batchSize(), cfg.maxTokens(), a.interventions()));
    }

    @Override
    public void close() {
        tok.close();
        model.close();
    }
}
