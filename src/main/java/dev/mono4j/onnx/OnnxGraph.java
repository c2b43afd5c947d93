package dev.mono4j.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph: its nodes (in the file's order, which ONNX requires to be topological), its initializers by
 * name (in the file's order), and the names of its inputs and outputs; with indexes to walk it from a value
 * to the node that makes it and to the nodes that use it.
 */
public final class OnnxGraph {
    private final List<OnnxNode> nodes;
    private final Map<String, OnnxTensor> initializers;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, OnnxNode> producers = new HashMap<>();
    private final Map<String, List<OnnxNode>> consumers = new HashMap<>();

    public OnnxGraph(List<OnnxNode> nodes, List<OnnxTensor> initializers, List<String> inputs, List<String> outputs) {
        this.nodes = List.copyOf(nodes);
        this.initializers = new LinkedHashMap<>();
        for (OnnxTensor t : initializers) {
            this.initializers.put(t.name(), t);
        }
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        for (OnnxNode n : nodes) {
            for (String out : n.outputs()) {
                producers.put(out, n);
            }
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
    }

    public List<OnnxNode> nodes() {
        return nodes;
    }

    /** Initializers by name, in the file's order. */
    public Map<String, OnnxTensor> initializers() {
        return initializers;
    }

    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    /** The node that computes {@code value}, or null (a graph input, an initializer, or no such value). */
    public OnnxNode producer(String value) {
        return producers.get(value);
    }

    /** The nodes that take {@code value} as an input, in graph order. */
    public List<OnnxNode> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /**
     * The constant tensor behind {@code value}: an initializer or the {@code value} attribute of a Constant
     * node (as PyTorch's exporter writes them); null when the value is computed.
     */
    public OnnxTensor constant(String value) {
        OnnxTensor init = initializers.get(value);
        if (init != null) {
            return init;
        }
        OnnxNode n = producers.get(value);
        if (n == null || !n.opType().equals("Constant") || !n.attributes().containsKey("value")) {
            return null;
        }
        return n.attributes().get("value").t();
    }
}
