package dev.mono4j.onnx;

import dev.mono4j.UserInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an .onnx file (a protobuf ModelProto) without a protobuf library: the file is read whole into one
 * array and the messages below are decoded by hand with {@link ProtoReader}; tensors stored as raw_data stay
 * views of that array. Field numbers are those of onnx.proto:
 *
 * <pre>
 * ModelProto:   graph 7, opset_import 8
 * OperatorSetIdProto: domain 1, version 2
 * GraphProto:   node 1, initializer 5, input 11, output 12
 * NodeProto:    input 1, output 2, name 3, op_type 4, attribute 5
 * AttributeProto: name 1, f 2, t 5
 * ValueInfoProto: name 1
 * TensorProto:  dims 1, data_type 2, float_data 4, int64_data 7, name 8, raw_data 9, data_location 14
 * </pre>
 *
 * Everything else is skipped. Tensors of other data types are kept without their values
 * ({@link OnnxTensor#require} names them when asked).
 */
public final class OnnxReader {
    /** TensorProto.DataLocation EXTERNAL: the values are in a separate file. */
    private static final long EXTERNAL = 1;

    private final String source;

    private OnnxReader(String source) {
        this.source = source;
    }

    public static OnnxModel read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 8) {
                throw new UserInputException(file + ": larger than 2 GB; ONNX files of that size keep their weights"
                        + " in external data files, which are not supported");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserInputException(file + ": file not found");
        } catch (IOException e) {
            throw new UserInputException(file + ": cannot read: " + e.getMessage());
        }
        return read(bytes, file.toString());
    }

    /** Reads a model from its bytes; {@code source} names it in error messages. */
    public static OnnxModel read(byte[] bytes, String source) {
        return new OnnxReader(source).model(new ProtoReader(bytes, 0, bytes.length, source));
    }

    private OnnxModel model(ProtoReader in) {
        List<OnnxModel.OperatorSet> opsets = new ArrayList<>();
        OnnxGraph graph = null;
        while (in.hasNext()) {
            switch (in.nextField()) {
                case 7 -> graph = graph(in.message());
                case 8 -> opsets.add(opset(in.message()));
                default -> in.skip();
            }
        }
        if (graph == null) {
            throw new UserInputException(source + ": not an ONNX model: it holds no graph");
        }
        return new OnnxModel(source, opsets, graph);
    }

    private OnnxModel.OperatorSet opset(ProtoReader in) {
        String domain = "";
        long version = 0;
        while (in.hasNext()) {
            switch (in.nextField()) {
                case 1 -> domain = in.string();
                case 2 -> {
                    in.expect(ProtoReader.VARINT);
                    version = in.varint();
                }
                default -> in.skip();
            }
        }
        return new OnnxModel.OperatorSet(domain, version);
    }

    private OnnxGraph graph(ProtoReader in) {
        List<OnnxNode> nodes = new ArrayList<>();
        List<OnnxTensor> initializers = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        while (in.hasNext()) {
            switch (in.nextField()) {
                case 1 -> nodes.add(node(in.message()));
                case 5 -> initializers.add(tensor(in.message()));
                case 11 -> inputs.add(valueName(in.message()));
                case 12 -> outputs.add(valueName(in.message()));
                default -> in.skip();
            }
        }
        return new OnnxGraph(nodes, initializers, inputs, outputs);
    }

    private static String valueName(ProtoReader in) {
        String name = "";
        while (in.hasNext()) {
            if (in.nextField() == 1) {
                name = in.string();
            } else {
                in.skip();
            }
        }
        return name;
    }

    private OnnxNode node(ProtoReader in) {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String opType = "";
        Map<String, OnnxNode.Attribute> attributes = new LinkedHashMap<>();
        while (in.hasNext()) {
            switch (in.nextField()) {
                case 1 -> inputs.add(in.string());
                case 2 -> outputs.add(in.string());
                case 3 -> name = in.string();
                case 4 -> opType = in.string();
                case 5 -> attribute(in.message(), attributes);
                default -> in.skip();
            }
        }
        return new OnnxNode(name, opType, inputs, outputs, attributes);
    }

    private void attribute(ProtoReader in, Map<String, OnnxNode.Attribute> into) {
        String name = "";
        Float f = null;
        OnnxTensor t = null;
        while (in.hasNext()) {
            switch (in.nextField()) {
                case 1 -> name = in.string();
                case 2 -> {
                    in.expect(ProtoReader.FIXED32);
                    f = in.fixed32Float();
                }
                case 5 -> t = tensor(in.message());
                default -> in.skip();
            }
        }
        into.put(name, new OnnxNode.Attribute(f, t));
    }

    private OnnxTensor tensor(ProtoReader in) {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        ByteBuffer raw = null;
        GrowingBuffer floatData = new GrowingBuffer();
        GrowingBuffer int64Data = new GrowingBuffer();
        boolean external = false;
        while (in.hasNext()) {
            switch (in.nextField()) {
                case 1 -> in.integers(dims::add);
                case 2 -> {
                    in.expect(ProtoReader.VARINT);
                    dataType = (int) in.varint();
                }
                case 4 -> in.floats(v -> floatData.reserve(4).putFloat((float) v));
                case 7 -> in.integers(v -> int64Data.reserve(8).putLong(v));
                case 8 -> name = in.string();
                case 9 -> raw = in.bytesView();
                case 14 -> {
                    in.expect(ProtoReader.VARINT);
                    external = in.varint() == EXTERNAL;
                }
                default -> in.skip();
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        ByteBuffer data = null;
        if (!external && dataType == OnnxTensor.FLOAT) {
            data = raw != null ? raw : floatData.contents();
        } else if (!external && dataType == OnnxTensor.INT64) {
            data = raw != null ? raw : int64Data.contents();
        }
        OnnxTensor t = new OnnxTensor(source, name, dataType, shape, data, external);
        if (data != null && data.remaining() != t.numel() * (dataType == OnnxTensor.FLOAT ? 4 : 8)) {
            throw new UserInputException(source + ": tensor '" + name + "' holds " + data.remaining() + " bytes of data"
                    + " for shape " + t.shapeString() + " of " + OnnxTensor.typeName(dataType));
        }
        return t;
    }

    /** Gathers the values of a float_data or int64_data field as little-endian bytes, like raw_data. */
    private static final class GrowingBuffer {
        private ByteBuffer bytes = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);

        /** The buffer, with room for {@code n} more bytes. */
        ByteBuffer reserve(int n) {
            if (bytes.remaining() < n) {
                ByteBuffer larger = ByteBuffer.allocate(Math.multiplyExact(bytes.capacity(), 2)).order(ByteOrder.LITTLE_ENDIAN);
                bytes = larger.put(bytes.flip());
            }
            return bytes;
        }

        ByteBuffer contents() {
            return bytes.duplicate().flip().order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
