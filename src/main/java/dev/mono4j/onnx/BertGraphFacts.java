package dev.mono4j.onnx;

import dev.mono4j.UserInputException;
import java.util.Collection;
import java.util.OptionalDouble;

/**
 * The two config values that no weight's shape shows, read from the operators around the weights:
 * the number of attention heads and LayerNorm's epsilon.
 */
final class BertGraphFacts {
    private static final String FIRST_QUERY_BIAS = "encoder.layer.0.attention.self.query.bias";

    private BertGraphFacts() {
    }

    /**
     * num_attention_heads: from the Reshape that splits layer 0's queries into [batch, seq, heads, head_dim]
     * (its shape is a constant or, as PyTorch exports it, a Concat of computed batch and sequence sizes with
     * constant heads and head_dim); failing that, from the Div of the attention scores (a MatMul of two
     * computed values) by the constant sqrt(head_dim). A clear error when neither is in the graph.
     */
    static int attentionHeads(OnnxModel model, long hidden) {
        OnnxGraph g = model.graph();
        int heads = headsFromReshape(g, hidden);
        if (heads < 0) {
            heads = headsFromScale(g, hidden);
        }
        if (heads < 0) {
            throw new UserInputException(model.source() + ": cannot infer num_attention_heads: no Reshape splits the"
                    + " output of " + FIRST_QUERY_BIAS + "'s Add into heads with a constant head count, and no Div"
                    + " scales the attention scores by a constant sqrt(head_dim)");
        }
        return heads;
    }

    private static int headsFromReshape(OnnxGraph g, long hidden) {
        for (OnnxNode add : g.consumers(FIRST_QUERY_BIAS)) {
            for (OnnxNode reshape : g.consumers(add.output())) {
                Long[] shape = reshape.opType().equals("Reshape") ? constantEntries(g, reshape.input(1)) : null;
                if (shape == null || shape.length != 4) {
                    continue;
                }
                Long heads = shape[2];
                Long headDim = shape[3];
                // Reshape's 0 copies a dimension and -1 is inferred, so either of the two may be left open.
                boolean headDimOpen = headDim == null || headDim == -1;
                if (heads != null && heads > 0 && hidden % heads == 0 && (headDimOpen || heads * headDim == hidden)) {
                    return Math.toIntExact(heads);
                }
                if ((heads == null || heads == -1) && headDim != null && headDim > 0 && hidden % headDim == 0) {
                    return Math.toIntExact(hidden / headDim);
                }
            }
        }
        return -1;
    }

    /** The entries of a shape value that are constant (null for the computed ones); null if it is not a shape. */
    private static Long[] constantEntries(OnnxGraph g, String value) {
        OnnxTensor whole = g.constant(value);
        if (whole != null) {
            return whole.dataType() == OnnxTensor.INT64 && whole.rank() == 1
                    ? java.util.Arrays.stream(whole.longs()).boxed().toArray(Long[]::new) : null;
        }
        OnnxNode concat = g.producer(value);
        if (concat == null || !concat.opType().equals("Concat")) {
            return null;
        }
        Long[] entries = new Long[concat.inputs().size()];
        for (int i = 0; i < entries.length; i++) {
            OnnxTensor part = g.constant(concat.input(i));
            if (part != null && part.dataType() == OnnxTensor.INT64 && part.numel() == 1) {
                entries[i] = part.longs()[0];
            }
        }
        return entries;
    }

    private static int headsFromScale(OnnxGraph g, long hidden) {
        for (OnnxNode div : g.nodes()) {
            if (!div.opType().equals("Div") || !isProductOfComputedValues(g, g.producer(div.input(0)))) {
                continue;
            }
            OnnxTensor scale = g.constant(div.input(1));
            if (scale == null || !scale.isFloatScalar()) {
                continue;
            }
            double squared = (double) scale.floats()[0] * scale.floats()[0];
            long headDim = Math.round(squared);
            if (headDim > 0 && Math.abs(squared - headDim) < 1e-3 * headDim && hidden % headDim == 0) {
                return Math.toIntExact(hidden / headDim);
            }
        }
        return -1;
    }

    /** Whether {@code n} multiplies two computed values, as Q Kᵀ does (a Linear layer multiplies by a weight). */
    private static boolean isProductOfComputedValues(OnnxGraph g, OnnxNode n) {
        return n != null && n.opType().equals("MatMul") && g.constant(n.input(0)) == null && g.constant(n.input(1)) == null;
    }

    /**
     * layer_norm_eps as the graph computes it: a LayerNormalization node's epsilon, or, where PyTorch's
     * exporter decomposed LayerNorm into Mul(Div(x - mean, Sqrt(Add(variance, eps))), weight), the constant
     * of that Add. Empty when no LayerNorm shows it. config.json holds one epsilon, so LayerNorms that
     * disagree are an error.
     *
     * @param layerNormWeights the names of the LayerNorm weights (gamma), from which each LayerNorm is found
     */
    static OptionalDouble layerNormEps(OnnxModel model, Collection<String> layerNormWeights) {
        Float found = null;
        String foundAt = null;
        for (String weight : layerNormWeights) {
            Float eps = epsilonOf(model.graph(), weight);
            if (eps == null) {
                continue;
            }
            if (found != null && !found.equals(eps)) {
                throw new UserInputException(model.source() + ": the LayerNorm of " + foundAt + " uses epsilon " + found
                        + " but that of " + weight + " uses " + eps + "; config.json holds one layer_norm_eps");
            }
            found = eps;
            foundAt = weight;
        }
        // The float's shortest decimal form: 1e-12f becomes 1.0E-12, not 9.999999960041972E-13.
        return found == null ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(Float.toString(found)));
    }

    private static Float epsilonOf(OnnxGraph g, String weight) {
        for (OnnxNode n : g.consumers(weight)) {
            if (n.opType().equals("LayerNormalization") && n.input(1).equals(weight)) {
                OnnxNode.Attribute epsilon = n.attributes().get("epsilon");
                return epsilon != null && epsilon.f() != null ? epsilon.f() : 1e-5f; // ONNX's default epsilon
            }
            Float eps = n.opType().equals("Mul") ? epsilonOfDecomposed(g, n, weight) : null;
            if (eps != null) {
                return eps;
            }
        }
        return null;
    }

    /** The eps in {@code scale} = Mul(Div(x - mean, Sqrt(Add(variance, eps))), weight); null if it is not that. */
    private static Float epsilonOfDecomposed(OnnxGraph g, OnnxNode scale, String weight) {
        OnnxNode div = g.producer(scale.input(0).equals(weight) ? scale.input(1) : scale.input(0));
        OnnxNode sqrt = div != null && div.opType().equals("Div") ? g.producer(div.input(1)) : null;
        OnnxNode add = sqrt != null && sqrt.opType().equals("Sqrt") ? g.producer(sqrt.input(0)) : null;
        if (add == null || !add.opType().equals("Add")) {
            return null;
        }
        for (String operand : add.inputs()) {
            OnnxTensor c = g.constant(operand);
            if (c != null && c.isFloatScalar()) {
                return c.floats()[0];
            }
        }
        return null;
    }
}
