package dev.mono4j.onnx;

import java.util.List;
import java.util.Map;

/**
 * One node of an ONNX graph: an operator applied to named values. An input may be "" (an optional input
 * left out). Of the attributes, only the kinds the converter reads are kept: a float and a tensor.
 */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs,
        Map<String, Attribute> attributes) {

    /** One attribute; the fields the attribute does not use are null. */
    public record Attribute(Float f, OnnxTensor t) {
    }

    /** The node's input at {@code index}, or "" when it has fewer. */
    public String input(int index) {
        return index < inputs.size() ? inputs.get(index) : "";
    }

    public String output() {
        return outputs.isEmpty() ? "" : outputs.get(0);
    }

    /** A name for messages: the node's own, or its operator and first output. */
    public String describe() {
        return opType + " '" + (name.isEmpty() ? output() : name) + "'";
    }
}
