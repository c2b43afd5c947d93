package dev.mono4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small BERT encoder as an .onnx file, shaped as PyTorch's exporter writes BertModel at opset 11: named
 * embeddings, LayerNorms and biases; each nn.Linear weight W [out, in] as an anonymous initializer
 * {@code onnx::MatMul_N} holding Wᵀ [in, out], used as Add(bias, MatMul(x, Wᵀ)); LayerNorms decomposed into
 * ReduceMean/Sub/Pow/Add(eps)/Sqrt/Div/Mul/Add; heads split by a Reshape whose shape is a Concat of computed
 * sizes and constant heads and head_dim; scores divided by sqrt(head_dim); erf GELU. The weights are random and
 * the graph is built for its structure, not to be run. Options vary what the converter reads or must reject.
 */
public final class TinyBertOnnx {
    /** Where the graph shows the number of heads. */
    public enum HeadCount {
        /** Reshape(q, Concat(batch, seq, heads, head_dim)) and Div(scores, sqrt(head_dim)), as PyTorch exports. */
        RESHAPE_CONCAT,
        /** Reshape(q, [0, 0, heads, head_dim]) from an int64 initializer, no Div. */
        RESHAPE_CONSTANT,
        /** A computed Reshape shape; only Div(scores, sqrt(head_dim)) shows it. */
        SCORE_SCALE_ONLY,
        /** Neither. */
        NONE
    }

    public static final int VOCAB = 20;
    public static final int MAX_POSITIONS = 10;
    public static final int TYPE_VOCAB = 2;
    public static final int HIDDEN = 12;
    public static final int INTERMEDIATE = 20;

    private int layers = 2;
    private int heads = 3;
    private HeadCount headCount = HeadCount.RESHAPE_CONCAT;
    private boolean fusedLayerNorm;
    private Float eps = 1e-12f;
    private boolean pooler;
    private String float16Tensor = "";
    private final List<Runnable> extras = new ArrayList<>();

    private final Random random = new Random(7);
    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> namedInitializers = new ArrayList<>();
    private final List<ProtoWriter> anonymousInitializers = new ArrayList<>();
    private final List<String> graphInputs = new ArrayList<>(List.of("input_ids", "attention_mask", "token_type_ids"));
    private final Map<String, float[]> hfWeights = new LinkedHashMap<>();
    private int nextValue;
    /** The encoder's output, which the extra nodes read. */
    private String lastHidden;
    private int nextMatMul = 100;

    public TinyBertOnnx layers(int n) {
        layers = n;
        return this;
    }

    /** Heads in the graph (HIDDEN must be a multiple). */
    public TinyBertOnnx heads(int n) {
        heads = n;
        return this;
    }

    public TinyBertOnnx headCount(HeadCount where) {
        headCount = where;
        return this;
    }

    /** LayerNormalization nodes (opset 17) with this epsilon attribute, instead of decomposed LayerNorms. */
    public TinyBertOnnx fusedLayerNorm(float epsilon) {
        fusedLayerNorm = true;
        eps = epsilon;
        return this;
    }

    /** Decomposed LayerNorms that add a graph input instead of a constant epsilon: no LayerNorm shows it. */
    public TinyBertOnnx epsilonNotInGraph() {
        eps = null;
        return this;
    }

    public TinyBertOnnx withPooler() {
        pooler = true;
        return this;
    }

    /** Writes the named initializer with data type FLOAT16, which the reader does not decode. */
    public TinyBertOnnx float16(String name) {
        float16Tensor = name;
        return this;
    }

    /** Adds, after the Linear weights, an anonymous [HIDDEN, 4] weight whose MatMul feeds a Relu (no bias). */
    public TinyBertOnnx matMulWithoutBias(String name) {
        extras.add(() -> {
            anonymousInitializers.add(floatTensor(name, new long[] {HIDDEN, 4}, randoms(HIDDEN * 4)));
            node("Relu", node("MatMul", lastHidden, name));
        });
        return this;
    }

    /** Adds, after the Linear weights, a float initializer that no node uses. */
    public TinyBertOnnx unusedInitializer(String name) {
        extras.add(() -> anonymousInitializers.add(floatTensor(name, new long[] {2, HIDDEN}, randoms(2 * HIDDEN))));
        return this;
    }

    /** The Hugging Face weights the file holds, by name, Linear weights as [out, in]; complete after {@link #build}. */
    public Map<String, float[]> hfWeights() {
        return hfWeights;
    }

    public Path write(Path file) {
        try {
            Files.write(file, build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    public byte[] build() {
        String words = node("Gather", named("embeddings.word_embeddings.weight", VOCAB, HIDDEN), "input_ids");
        String types = node("Gather", named("embeddings.token_type_embeddings.weight", TYPE_VOCAB, HIDDEN), "token_type_ids");
        long[] positions = new long[MAX_POSITIONS];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i;
        }
        // As PyTorch writes it: an int64 buffer, here through int64_data rather than raw_data.
        namedInitializers.add(new ProtoWriter().varint(1, 1).varint(1, MAX_POSITIONS).varint(2, 7)
                .string(8, "embeddings.position_ids").packedVarints(7, positions));
        String positionEmbeddings = node("Gather", named("embeddings.position_embeddings.weight", MAX_POSITIONS, HIDDEN),
                "embeddings.position_ids");
        String h = layerNorm(node("Add", node("Add", words, types), positionEmbeddings), "embeddings.LayerNorm");
        for (int layer = 0; layer < layers; layer++) {
            h = layer(h, "encoder.layer." + layer + ".");
        }
        String output = h;
        if (pooler) {
            output = node("Tanh", linear(h, "pooler.dense", HIDDEN, HIDDEN));
        }
        lastHidden = h;
        extras.forEach(Runnable::run);

        ProtoWriter graph = new ProtoWriter();
        nodes.forEach(n -> graph.message(1, n));
        graph.string(2, "main_graph");
        namedInitializers.forEach(t -> graph.message(5, t));
        anonymousInitializers.forEach(t -> graph.message(5, t));
        graphInputs.forEach(name -> graph.message(11, new ProtoWriter().string(1, name)));
        graph.message(12, new ProtoWriter().string(1, output));
        return new ProtoWriter().varint(1, 6).string(2, "pytorch").message(7, graph)
                .message(8, new ProtoWriter().varint(2, fusedLayerNorm ? 17 : 11)).toByteArray();
    }

    private String layer(String h, String p) {
        String q = linear(h, p + "attention.self.query", HIDDEN, HIDDEN);
        String k = linear(h, p + "attention.self.key", HIDDEN, HIDDEN);
        String v = linear(h, p + "attention.self.value", HIDDEN, HIDDEN);
        String scores = node("MatMul", transpose(splitHeads(q)), transpose(splitHeads(k)));
        if (headCount == HeadCount.RESHAPE_CONCAT || headCount == HeadCount.SCORE_SCALE_ONLY) {
            scores = node("Div", scores, floatConstant((float) Math.sqrt((double) HIDDEN / heads)));
        }
        String context = node("MatMul", node("Softmax", scores), transpose(splitHeads(v)));
        String merged = node("Reshape", transpose(context), longConstant(0, 0, HIDDEN));
        String attention = layerNorm(node("Add", linear(merged, p + "attention.output.dense", HIDDEN, HIDDEN), h),
                p + "attention.output.LayerNorm");
        String pre = linear(attention, p + "intermediate.dense", HIDDEN, INTERMEDIATE);
        String erf = node("Erf", node("Div", pre, floatConstant((float) Math.sqrt(2))));
        String gelu = node("Mul", node("Mul", pre, node("Add", erf, floatConstant(1))), floatConstant(0.5f));
        return layerNorm(node("Add", linear(gelu, p + "output.dense", INTERMEDIATE, HIDDEN), attention),
                p + "output.LayerNorm");
    }

    /** [batch, seq, hidden] to [batch, seq, heads, head_dim], with the shape given as {@link #headCount} says. */
    private String splitHeads(String x) {
        String shape = switch (headCount) {
            case RESHAPE_CONCAT -> node("Concat", size(x, 0), size(x, 1), longConstant(heads), longConstant(HIDDEN / heads));
            case RESHAPE_CONSTANT -> {
                String name = "onnx::Reshape_" + nextMatMul++;
                anonymousInitializers.add(new ProtoWriter().packedVarints(1, new long[] {4}).varint(2, 7).string(8, name)
                        .bytes(9, littleEndianLongs(0, 0, heads, HIDDEN / heads)));
                yield name;
            }
            case SCORE_SCALE_ONLY, NONE -> node("Concat", size(x, 0), size(x, 1), size(x, 2), size(x, 3));
        };
        return node("Reshape", x, shape);
    }

    /** Dimension {@code axis} of x, computed: Unsqueeze(Gather(Shape(x), axis)). */
    private String size(String x, long axis) {
        return node("Unsqueeze", node("Gather", node("Shape", x), longConstant(axis)));
    }

    private String transpose(String x) {
        return node("Transpose", x);
    }

    /** nn.Linear as PyTorch exports it: Add(bias, MatMul(x, Wᵀ)), Wᵀ an anonymous initializer. */
    private String linear(String x, String name, int in, int out) {
        float[] w = randoms(out * in);
        hfWeights.put(name + ".weight", w);
        String bias = named(name + ".bias", out);
        float[] transposed = new float[w.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                transposed[i * out + o] = w[o * in + i];
            }
        }
        String weight = "onnx::MatMul_" + nextMatMul++;
        anonymousInitializers.add(floatTensor(weight, new long[] {in, out}, transposed));
        return node("Add", bias, node("MatMul", x, weight));
    }

    private String layerNorm(String x, String name) {
        String gamma = named(name + ".weight", HIDDEN);
        String beta = named(name + ".bias", HIDDEN);
        if (fusedLayerNorm) {
            String out = "/v" + nextValue++;
            nodes.add(new ProtoWriter().string(1, x).string(1, gamma).string(1, beta).string(2, out)
                    .string(4, "LayerNormalization")
                    .message(5, new ProtoWriter().string(1, "epsilon").fixed32(2, eps).varint(20, 1)));
            return out;
        }
        String centred = node("Sub", x, node("ReduceMean", x));
        String variance = node("ReduceMean", node("Pow", centred, floatConstant(2)));
        String epsilon = eps != null ? floatConstant(eps) : "layer_norm_eps";
        if (eps == null && !graphInputs.contains(epsilon)) {
            graphInputs.add(epsilon);
        }
        String normalized = node("Div", centred, node("Sqrt", node("Add", variance, epsilon)));
        return node("Add", node("Mul", normalized, gamma), beta);
    }

    /** A named float initializer with random values; LayerNorm biases go through float_data, the rest raw_data. */
    private String named(String name, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] values = randoms(n);
        hfWeights.put(name, values);
        long[] shape = java.util.Arrays.stream(dims).asLongStream().toArray();
        if (name.equals(float16Tensor)) {
            namedInitializers.add(tensorHeader(name, shape, 10).bytes(9, new byte[n * 2]));
        } else if (name.endsWith("LayerNorm.bias")) {
            namedInitializers.add(tensorHeader(name, shape, 1).packedFloats(4, values));
        } else {
            namedInitializers.add(floatTensor(name, shape, values));
        }
        return name;
    }

    private static ProtoWriter floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return tensorHeader(name, dims, 1).bytes(9, raw.array());
    }

    /** dims (one varint field each, as PyTorch writes them), data_type and name. */
    private static ProtoWriter tensorHeader(String name, long[] dims, int dataType) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, dataType).string(8, name);
    }

    private String floatConstant(float value) {
        ByteBuffer raw = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, value);
        return constant(new ProtoWriter().varint(2, 1).bytes(9, raw.array()));
    }

    /** An int64 Constant: a scalar for one value, else a vector. */
    private String longConstant(long... values) {
        ProtoWriter t = new ProtoWriter();
        if (values.length > 1) {
            t.varint(1, values.length);
        }
        return constant(t.varint(2, 7).bytes(9, littleEndianLongs(values)));
    }

    private String constant(ProtoWriter tensor) {
        String out = "/v" + nextValue++;
        nodes.add(new ProtoWriter().string(2, out).string(3, "/Constant_" + nextValue).string(4, "Constant")
                .message(5, new ProtoWriter().string(1, "value").message(5, tensor).varint(20, 4)));
        return out;
    }

    private String node(String op, String... inputs) {
        String out = "/v" + nextValue++;
        ProtoWriter n = new ProtoWriter();
        for (String in : inputs) {
            n.string(1, in);
        }
        nodes.add(n.string(2, out).string(3, "/" + op + "_" + nextValue).string(4, op));
        return out;
    }

    private static byte[] littleEndianLongs(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return b.array();
    }

    private float[] randoms(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
