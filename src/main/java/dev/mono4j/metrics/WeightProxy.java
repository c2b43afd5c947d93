package dev.mono4j.metrics;

import dev.mono4j.UserInputException;
import dev.mono4j.model.Gpt2Family;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.ParameterLayout;
import dev.mono4j.model.Transformer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The weight proxy of monosemanticity of Yan et al. (DecPO, EMNLP 2024; arXiv 2406.17969 Eq.4, after Wang
 * et al.): per MLP neuron j the product ‖W_in[:,j]‖₂ · b_in[j] of its input weight vector's norm and its
 * input bias. A strongly negative bias on a long input vector makes a neuron fire only for inputs well
 * aligned with it, which is what a detector of one feature among many looks like.
 *
 * <p>Computed as the authors' figure code computes it (hanqi-qi/Revisit_monosemanticity @
 * d9f39ecd770bec641fe1dd1c31fc539cf7ddd76c; the fact sheet /work/shared/papers/decpo.md §4 "Fig 2/3 code"):
 * <ul>
 *   <li>{@link #byLayer} is Figure 2 ({@code Figure2/weight_stats.py}, plot_normalized_median_norm_bias): per
 *       layer the median over neurons of the product, divided by the <em>maximum over layers of the median
 *       of |product|</em>, against relative depth l / (L − 1).</li>
 *   <li>{@link #changedNeurons} is Figure 3 ({@code Figure3/ComputDiff.py}, get_svd and
 *       plot_normalized_median_norm_bias): the same score on the top-N neurons per layer ranked by
 *       Σ_i |W_in^base[i,j] − W_in^tuned[i,j]|, and its relative change (tuned − base) / |base| × 100%
 *       ({@code Figure3/weight_stats.py} multiplies by 100 to plot).</li>
 * </ul>
 * Both load the models with {@code HookedTransformer.from_pretrained}'s defaults ({@code
 * Figure2/save_weight_statistics.py}, {@code Figure3/ComputDiff.py}), which fold ln_2 into the MLP input and
 * centre it (TransformerLens v2.0.0, 9321ca07753f816eaa210a5c7a2cf094c47421fb,
 * {@code HookedTransformer.fold_layer_norm}, called with fold_biases and center_weights true for LayerNorm
 * models): for LN gain γ and bias β,
 * b′ = b_in + βᵀ W_in, then W″ = diag(γ) W_in, then each column centred over d_model,
 * W′[:,j] = W″[:,j] − mean_i W″[i,j]. The centring loses nothing: LayerNorm's standardised input has mean 0,
 * so it is orthogonal to the removed all-ones direction. ({@code center_writing_weights} touches only W_out,
 * b_out and the weights writing to the residual stream, not W_in or b_in.)
 *
 * <p>Needs an MLP input bias and a LayerNorm before the MLP: GPT-2 family only. The paper uses GPT-2,
 * GPT-Neo and GPT-J (Figure 2); Llama-family MLPs have no bias (Eq.2), so for them the proxy is refused with
 * one line. BERT's LayerNorm comes after the MLP, so there is nothing to fold; it is refused too.
 */
public final class WeightProxy {
    /** Figure 3's number of changed neurons kept per layer: {@code topk(k=100)} in ComputDiff.py get_svd. */
    public static final int FIGURE3_TOP_NEURONS = 100;

    private WeightProxy() {
    }

    /**
     * Figure 2's curve for one model.
     *
     * @param medians    per layer l, median_j ‖W′[:,j]‖ b′_j
     * @param scale      max_l median_j |‖W′[:,j]‖ b′_j| (weight_stats.py's denominator)
     * @param normalized medians / scale; all 0 when the scale is 0 (our choice; numpy gives NaN)
     * @param depth      per layer, l / (L − 1) (weight_stats.py's relative_depth; 0 for a single layer)
     */
    public record ByLayer(double[] medians, double scale, double[] normalized, double[] depth) {
    }

    /**
     * Figure 3's curve for a base and a tuned model.
     *
     * @param neurons       per layer, the top-N neurons by Σ_i |W′^base[i,j] − W′^tuned[i,j]|, largest first
     * @param baseScores    the base model's normalised median over those neurons (as {@link ByLayer#normalized})
     * @param tunedScores   the tuned model's, over the same neurons
     * @param percentChange per layer, (tuned − base) / |base| × 100; NaN where the base score is 0 (our
     *                      choice: a relative change of a zero score has no value)
     * @param depth         per layer, l / (L − 1)
     */
    public record Change(int[][] neurons, double[] baseScores, double[] tunedScores, double[] percentChange,
            double[] depth) {
    }

    /** Figure 2: the normalised median product per layer of {@code model}. */
    public static ByLayer byLayer(Transformer model) {
        requireMlpInputBias(model);
        int layers = model.config().numLayers();
        double[][] products = new double[layers][];
        for (int l = 0; l < layers; l++) {
            FoldedMlpIn in = FoldedMlpIn.of(model, l);
            products[l] = in.products(IntStream.range(0, in.f).toArray());
        }
        return normalise(products);
    }

    /**
     * Figure 3: per layer, the {@code topN} neurons whose folded input weights changed most from {@code base}
     * to {@code tuned}, each model's normalised median product over them, and its relative change.
     */
    public static Change changedNeurons(Transformer base, Transformer tuned, int topN) {
        requireMlpInputBias(base);
        requireMlpInputBias(tuned);
        ModelConfig b = base.config();
        ModelConfig t = tuned.config();
        if (b.numLayers() != t.numLayers() || b.hiddenSize() != t.hiddenSize()
                || b.intermediateSize() != t.intermediateSize()) {
            throw new UserInputException("the weight proxy's changed neurons need two models of one shape: the base"
                    + " has " + shape(b) + ", the tuned model " + shape(t));
        }
        if (topN < 1 || topN > b.intermediateSize()) {
            throw new UserInputException("the weight proxy's top changed neurons per layer must be 1.."
                    + b.intermediateSize() + " (the MLP width), not " + topN);
        }
        int layers = b.numLayers();
        int[][] neurons = new int[layers][];
        double[][] baseProducts = new double[layers][];
        double[][] tunedProducts = new double[layers][];
        for (int l = 0; l < layers; l++) {
            FoldedMlpIn before = FoldedMlpIn.of(base, l);
            FoldedMlpIn after = FoldedMlpIn.of(tuned, l);
            neurons[l] = mostChanged(before, after, topN);
            baseProducts[l] = before.products(neurons[l]);
            tunedProducts[l] = after.products(neurons[l]);
        }
        ByLayer before = normalise(baseProducts);
        ByLayer after = normalise(tunedProducts);
        double[] percent = new double[layers];
        for (int l = 0; l < layers; l++) {
            double from = before.normalized()[l];
            // ComputDiff.py: (sp_score_dpo − sp_score_ori) / abs(sp_score_ori); Figure3/weight_stats.py: × 100
            percent[l] = from == 0 ? Double.NaN : (after.normalized()[l] - from) / Math.abs(from) * 100;
        }
        return new Change(neurons, before.normalized(), after.normalized(), percent, before.depth());
    }

    /**
     * The top {@code n} neurons by Σ_i |W′a[i,j] − W′b[i,j]| (ComputDiff.py: torch.abs(ori − dpo).sum(0).topk),
     * largest first; equal sums in index order (our choice: torch leaves the order of ties unspecified).
     */
    static int[] mostChanged(FoldedMlpIn a, FoldedMlpIn b, int n) {
        double[] change = new double[a.f];
        for (int i = 0; i < a.d; i++) {
            for (int j = 0; j < a.f; j++) {
                change[j] += Math.abs(a.w[i * a.f + j] - b.w[i * a.f + j]);
            }
        }
        return IntStream.range(0, a.f).boxed()
                .sorted(Comparator.comparingDouble((Integer j) -> change[j]).reversed())
                .limit(n).mapToInt(Integer::intValue).toArray();
    }

    /** weight_stats.py: median(p, axis=1) / max(median(|p|, axis=1)), against arange(L) / (L − 1). */
    static ByLayer normalise(double[][] productsByLayer) {
        int layers = productsByLayer.length;
        double[] medians = new double[layers];
        double scale = 0;
        for (int l = 0; l < layers; l++) {
            medians[l] = median(productsByLayer[l]);
            scale = Math.max(scale, median(Arrays.stream(productsByLayer[l]).map(Math::abs).toArray()));
        }
        double s = scale;
        double[] normalized = Arrays.stream(medians).map(m -> s == 0 ? 0 : m / s).toArray();
        double[] depth = IntStream.range(0, layers).mapToDouble(l -> layers == 1 ? 0 : (double) l / (layers - 1))
                .toArray();
        return new ByLayer(medians, scale, normalized, depth);
    }

    /** numpy's median: the middle value, or the mean of the middle two. */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return Quantiles.of(s, 0.5);
    }

    private static void requireMlpInputBias(Transformer model) {
        if (model.config().family() != Gpt2Family.GPT2) {
            throw new UserInputException("the weight proxy needs an MLP input bias after a LayerNorm, which only"
                    + " GPT-2-family models have (this model is " + model.config().family() + ")");
        }
    }

    private static String shape(ModelConfig c) {
        return c.numLayers() + " layers of " + c.hiddenSize() + " → " + c.intermediateSize();
    }

    /**
     * One layer's MLP input as TransformerLens' fold_layer_norm leaves it: W′ {@code [d, f]} row-major (neuron
     * j is column j, as GPT-2's Conv1D stores c_fc) and b′ {@code [f]}, in double.
     */
    record FoldedMlpIn(double[] w, double[] b, int d, int f) {

        static FoldedMlpIn of(Transformer model, int layer) {
            ModelConfig c = model.config();
            String p = ParameterLayout.layerPrefix(c, layer);
            return fold(model.weight(p + "mlp.c_fc.weight"), model.weight(p + "mlp.c_fc.bias"),
                    model.weight(p + "ln_2.weight"), model.weight(p + "ln_2.bias"), c.hiddenSize(), c.intermediateSize());
        }

        /** b′ = b + βᵀW, W″ = diag(γ) W, W′ = W″ − 1·mean_i W″[i,:] (fold_layer_norm, in this order). */
        static FoldedMlpIn fold(float[] w, float[] b, float[] gamma, float[] beta, int d, int f) {
            double[] folded = new double[d * f];
            double[] bias = new double[f];
            double[] mean = new double[f];
            for (int j = 0; j < f; j++) {
                bias[j] = b[j];
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < f; j++) {
                    bias[j] += beta[i] * (double) w[i * f + j];
                    folded[i * f + j] = gamma[i] * (double) w[i * f + j];
                    mean[j] += folded[i * f + j] / d;
                }
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < f; j++) {
                    folded[i * f + j] -= mean[j];
                }
            }
            return new FoldedMlpIn(folded, bias, d, f);
        }

        /** ‖W′[:,j]‖₂ · b′_j for each listed neuron j, in the order listed. */
        double[] products(int[] neurons) {
            double[] out = new double[neurons.length];
            for (int k = 0; k < neurons.length; k++) {
                int j = neurons[k];
                double norm = 0;
                for (int i = 0; i < d; i++) {
                    norm += w[i * f + j] * w[i * f + j];
                }
                out[k] = Math.sqrt(norm) * b[j];
            }
            return out;
        }
    }
}
