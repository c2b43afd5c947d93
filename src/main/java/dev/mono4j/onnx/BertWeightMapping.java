package dev.mono4j.onnx;

import dev.mono4j.UserInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives each initializer of an exported BertModel graph its Hugging Face name and layout.
 *
 * <p>PyTorch's exporter keeps the names of the tensors it passes through unchanged (embeddings, LayerNorms,
 * biases), but turns each nn.Linear weight W [out, in] into an anonymous initializer {@code onnx::MatMul_NNN}
 * holding Wᵀ [in, out], so that {@code MatMul(x, Wᵀ)} computes x Wᵀ. Such a weight is recognised by the graph
 * around it: it is a MatMul's second input, and the MatMul's output goes into an Add with a named bias
 * {@code X.bias}; the weight is then {@code X.weight}, transposed back to [out, in].
 */
final class BertWeightMapping {
    /** A tensor of the Hugging Face checkpoint and where its values are in the graph. */
    record Weight(String name, long[] shape, OnnxTensor source, boolean transposed) {
        long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private BertWeightMapping() {
    }

    /**
     * The weights by Hugging Face name, in the graph's initializer order. Initializers that cannot be weights
     * are skipped: tensors that are not floating point ({@code embeddings.position_ids}, shape constants,
     * masks) and single numbers (an epsilon, a scale). Any other initializer that is neither a BertModel
     * parameter name nor a Linear weight found by the pattern above is an error naming it, the first such
     * one in the file.
     */
    static Map<String, Weight> map(OnnxModel model) {
        OnnxGraph g = model.graph();
        Map<String, Weight> weights = new LinkedHashMap<>();
        for (OnnxTensor t : g.initializers().values()) {
            Weight w = weightOf(g, t);
            if (w == null) {
                continue;
            }
            t.require(OnnxTensor.FLOAT);
            Weight earlier = weights.putIfAbsent(w.name(), w);
            if (earlier != null) {
                throw unmapped(t, "it would be " + w.name() + ", which initializer '" + earlier.source().name()
                        + "' already is");
            }
        }
        return weights;
    }

    private static Weight weightOf(OnnxGraph g, OnnxTensor t) {
        List<OnnxNode> matmuls = g.consumers(t.name()).stream()
                .filter(n -> n.opType().equals("MatMul") && n.input(1).equals(t.name())).toList();
        if (!matmuls.isEmpty()) {
            return linearWeight(g, t, matmuls);
        }
        if (BertParameters.isParameter(t.name())) {
            return new Weight(t.name(), t.dims(), t, false);
        }
        if (!t.isFloatingPoint() || t.numel() == 1) {
            return null;
        }
        throw unmapped(t, "it is not a BertModel parameter name, and no MatMul uses it as its weight");
    }

    private static Weight linearWeight(OnnxGraph g, OnnxTensor w, List<OnnxNode> matmuls) {
        if (matmuls.size() > 1) {
            throw unmapped(w, matmuls.size() + " MatMul nodes use it as their weight; a Linear weight has one");
        }
        OnnxNode matmul = matmuls.get(0);
        OnnxNode add = g.consumers(matmul.output()).stream().filter(n -> n.opType().equals("Add")).findFirst()
                .orElseThrow(() -> unmapped(w, "the output of its " + matmul.describe() + " goes into no Add of a bias"));
        String biasName = add.input(0).equals(matmul.output()) ? add.input(1) : add.input(0);
        OnnxTensor bias = g.initializers().get(biasName);
        if (bias == null || !biasName.endsWith(".bias")) {
            throw unmapped(w, "the " + add.describe() + " after its " + matmul.describe() + " adds '" + biasName
                    + "', not a named bias initializer X.bias");
        }
        String name = biasName.substring(0, biasName.length() - "bias".length()) + "weight";
        if (!BertParameters.isParameter(name)) {
            throw unmapped(w, "its bias '" + biasName + "' makes it '" + name + "', which is not a BertModel parameter");
        }
        if (w.rank() != 2 || bias.rank() != 1 || w.dims()[1] != bias.dims()[0]) {
            throw unmapped(w, "its shape does not fit its bias '" + biasName + "' " + bias.shapeString()
                    + " (a MatMul weight is [in, out])");
        }
        return new Weight(name, new long[] {w.dims()[1], w.dims()[0]}, w, true);
    }

    private static UserInputException unmapped(OnnxTensor t, String why) {
        return new UserInputException(t.source() + ": cannot map initializer '" + t.name() + "' " + t.shapeString()
                + " to a BertModel weight: " + why);
    }
}
