package dev.mono4j.onnx;

import java.util.List;

/**
 * The parts of an ONNX ModelProto the converter needs: the operator sets it imports and its graph.
 *
 * @param source the file it was read from, for error messages
 */
public record OnnxModel(String source, List<OperatorSet> opsets, OnnxGraph graph) {

    /** One entry of opset_import; the default ONNX domain is "" (or "ai.onnx"). */
    public record OperatorSet(String domain, long version) {
    }

    /** The version of the default ONNX operator set, or -1 when the model imports none. */
    public long opset() {
        return opsets.stream().filter(o -> o.domain().isEmpty() || o.domain().equals("ai.onnx"))
                .mapToLong(OperatorSet::version).max().orElse(-1);
    }
}
