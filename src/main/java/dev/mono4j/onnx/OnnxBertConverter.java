package dev.mono4j.onnx;

import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Dtype;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.ParameterLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Turns a BERT-family encoder exported to ONNX by PyTorch (BertModel: all-MiniLM-L6-v2, bge-small-en-v1.5, ...)
 * into a Hugging Face folder: config.json, model.safetensors (F32, HF names and layouts) and tokenizer.json.
 * {@link #convert} reads, maps and checks everything, so a bad input fails before anything is written;
 * {@link #save} writes. See docs/models.md, "Importing ONNX encoders".
 */
public final class OnnxBertConverter {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** What {@link #save} writes into a folder. */
    public static final List<String> OUTPUTS = List.of(CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE);
    /** BERT's layer_norm_eps, used when no LayerNorm in the graph shows its own. */
    public static final double DEFAULT_EPS = 1e-12;

    private final OnnxModel model;
    private final ModelConfig config;
    private final boolean epsFromGraph;
    private final List<BertWeightMapping.Weight> weights;
    private final byte[] tokenizer;

    private OnnxBertConverter(OnnxModel model, ModelConfig config, boolean epsFromGraph,
            List<BertWeightMapping.Weight> weights, byte[] tokenizer) {
        this.model = model;
        this.config = config;
        this.epsFromGraph = epsFromGraph;
        this.weights = weights;
        this.tokenizer = tokenizer;
    }

    /** Reads the model and the tokenizer and maps the graph; a graph that does not map is a one-line error. */
    public static OnnxBertConverter convert(Path onnx, Path tokenizerJson) {
        Json.read(tokenizerJson); // a one-line error now, not a broken folder later
        byte[] tokenizer;
        try {
            tokenizer = Files.readAllBytes(tokenizerJson);
        } catch (IOException e) {
            throw new UserInputException(tokenizerJson + ": cannot read: " + e.getMessage());
        }
        OnnxModel model = OnnxReader.read(onnx);
        Map<String, BertWeightMapping.Weight> byName = BertWeightMapping.map(model);

        int hidden = dim(model, byName, "embeddings.word_embeddings.weight", 1);
        int layers = byName.keySet().stream().mapToInt(BertParameters::layerOf).max().orElse(-1) + 1;
        if (layers == 0) {
            throw new UserInputException(model.source() + ": no encoder.layer.N weights; not a BertModel graph");
        }
        List<String> layerNorms = byName.keySet().stream().filter(n -> n.endsWith("LayerNorm.weight")).toList();
        OptionalDouble eps = BertGraphFacts.layerNormEps(model, layerNorms);
        ModelConfig config = ModelConfig.bert(dim(model, byName, "embeddings.word_embeddings.weight", 0), hidden, layers,
                BertGraphFacts.attentionHeads(model, hidden),
                dim(model, byName, "encoder.layer.0.intermediate.dense.bias", 0),
                dim(model, byName, "embeddings.position_embeddings.weight", 0),
                dim(model, byName, "embeddings.token_type_embeddings.weight", 0), eps.orElse(DEFAULT_EPS));

        // The weights the runtime loads, then the pooler when the export has one (the runtime ignores it).
        Map<String, long[]> shapes = new LinkedHashMap<>(ParameterLayout.expected(config));
        if (BertParameters.POOLER.stream().anyMatch(byName::containsKey)) {
            shapes.put("pooler.dense.weight", new long[] {hidden, hidden});
            shapes.put("pooler.dense.bias", new long[] {hidden});
        }
        List<BertWeightMapping.Weight> ordered = new ArrayList<>();
        for (var expected : shapes.entrySet()) {
            BertWeightMapping.Weight w = byName.get(expected.getKey());
            if (w == null) {
                throw new UserInputException(model.source() + ": no initializer maps to " + expected.getKey() + " "
                        + Arrays.toString(expected.getValue()) + ", which a BertModel with " + layers + " layers has");
            }
            if (!Arrays.equals(w.shape(), expected.getValue())) {
                throw new UserInputException(model.source() + ": " + w.name() + " (initializer '" + w.source().name()
                        + "') has shape " + Arrays.toString(w.shape()) + ", expected " + Arrays.toString(expected.getValue())
                        + " for hidden size " + hidden + " and intermediate size " + config.intermediateSize());
            }
            ordered.add(w);
        }
        return new OnnxBertConverter(model, config, eps.isPresent(), ordered, tokenizer);
    }

    /** One dimension of a weight the config is read from; its absence means the graph is no BertModel. */
    private static int dim(OnnxModel model, Map<String, BertWeightMapping.Weight> byName, String name, int axis) {
        BertWeightMapping.Weight w = byName.get(name);
        if (w == null || w.shape().length <= axis) {
            throw new UserInputException(model.source() + ": no initializer maps to " + name
                    + (w == null ? "" : " with " + (axis + 1) + " dimensions") + "; not a BertModel graph");
        }
        return Math.toIntExact(w.shape()[axis]);
    }

    public ModelConfig config() {
        return config;
    }

    /** Whether layer_norm_eps was read from the graph (else it is {@link #DEFAULT_EPS}). */
    public boolean epsFromGraph() {
        return epsFromGraph;
    }

    /** The version of the ONNX operator set the model was exported with. */
    public long opset() {
        return model.opset();
    }

    /** The number of values in model.safetensors. */
    public long parameters() {
        return weights.stream().mapToLong(BertWeightMapping.Weight::numel).sum();
    }

    /** Writes config.json, model.safetensors and tokenizer.json into {@code folder}, each file atomically. */
    public void save(Path folder) {
        SafetensorsWriter safetensors = new SafetensorsWriter();
        for (BertWeightMapping.Weight w : weights) {
            if (w.transposed()) {
                safetensors.add(w.name(), Dtype.F32, w.shape(), w.numel() * Float.BYTES, out -> writeTransposed(w.source(), out));
            } else {
                safetensors.add(w.name(), Dtype.F32, w.shape(), w.source().f32());
            }
        }
        safetensors.write(folder.resolve(WEIGHTS_FILE));
        AtomicFiles.writeString(folder.resolve(CONFIG_FILE), Json.write(config.toHfJson()) + "\n");
        AtomicFiles.write(folder.resolve(TOKENIZER_FILE), out -> out.write(tokenizer));
    }

    /**
     * Writes a MatMul weight Wᵀ [in, out] as nn.Linear's W [out, in], one row of W at a time, so no transposed
     * copy of the whole tensor is ever held.
     */
    private static void writeTransposed(OnnxTensor matmulWeight, WritableByteChannel out) throws IOException {
        int in = Math.toIntExact(matmulWeight.dims()[0]);
        int outFeatures = Math.toIntExact(matmulWeight.dims()[1]);
        FloatBuffer source = matmulWeight.f32().asFloatBuffer();
        ByteBuffer row = ByteBuffer.allocate(in * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int o = 0; o < outFeatures; o++) {
            row.clear();
            for (int i = 0; i < in; i++) {
                row.putFloat(source.get(i * outFeatures + o));
            }
            row.flip();
            while (row.hasRemaining()) {
                out.write(row);
            }
        }
    }
}
