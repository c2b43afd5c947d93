package dev.mono4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.testing.TinyBertOnnx;
import dev.mono4j.testing.TinyBertOnnx.HeadCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny BERT graph written as PyTorch exports one, converted to a Hugging Face folder and read back. */
class OnnxBertConverterTest {
    @TempDir
    Path tmp;

    private Path tokenizer() throws Exception {
        return Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\"}}");
    }

    private OnnxBertConverter convert(TinyBertOnnx tiny) throws Exception {
        return OnnxBertConverter.convert(tiny.write(tmp.resolve("model.onnx")), tokenizer());
    }

    @Test
    void recoversNamesTransposesWeightsAndInfersTheConfig() throws Exception {
        TinyBertOnnx tiny = new TinyBertOnnx().layers(2);
        OnnxBertConverter converter = convert(tiny);
        Path out = tmp.resolve("hf");
        Files.createDirectories(out);
        converter.save(out);

        JsonNode config = Json.read(out.resolve("config.json"));
        assertEquals("BertModel", config.get("architectures").get(0).asText());
        assertEquals("bert", config.get("model_type").asText());
        assertEquals(TinyBertOnnx.VOCAB, config.get("vocab_size").asInt());
        assertEquals(TinyBertOnnx.HIDDEN, config.get("hidden_size").asInt());
        assertEquals(2, config.get("num_hidden_layers").asInt());
        assertEquals(3, config.get("num_attention_heads").asInt());
        assertEquals(TinyBertOnnx.INTERMEDIATE, config.get("intermediate_size").asInt());
        assertEquals(TinyBertOnnx.MAX_POSITIONS, config.get("max_position_embeddings").asInt());
        assertEquals(TinyBertOnnx.TYPE_VOCAB, config.get("type_vocab_size").asInt());
        assertEquals(1e-12, config.get("layer_norm_eps").asDouble(), "the float 1e-12f, written as 1e-12");
        assertEquals("gelu", config.get("hidden_act").asText());
        assertTrue(converter.epsFromGraph());
        assertEquals(11, converter.opset());
        assertEquals(Files.readString(tokenizer()), Files.readString(out.resolve("tokenizer.json")));

        Map<String, float[]> expected = tiny.hfWeights();
        try (SafetensorsReader st = SafetensorsReader.open(out.resolve("model.safetensors"))) {
            assertEquals(expected.keySet(), st.tensors().keySet(), "every weight, embeddings.position_ids skipped");
            for (var e : expected.entrySet()) {
                assertArrayEquals(e.getValue(), st.readFloats(e.getKey()), e.getKey());
            }
            assertEquals("[20, 12]", st.info("encoder.layer.1.intermediate.dense.weight").shapeString(), "[out, in]");
            assertEquals("[12, 20]", st.info("encoder.layer.1.output.dense.weight").shapeString());
            assertEquals(converter.parameters(), st.tensors().values().stream().mapToLong(t -> t.numel()).sum());
        }
    }

    @Test
    void aPoolerIsMappedToo() throws Exception {
        TinyBertOnnx tiny = new TinyBertOnnx().layers(1).withPooler();
        Path out = Files.createDirectories(tmp.resolve("hf"));
        convert(tiny).save(out);
        try (SafetensorsReader st = SafetensorsReader.open(out.resolve("model.safetensors"))) {
            assertArrayEquals(tiny.hfWeights().get("pooler.dense.weight"), st.readFloats("pooler.dense.weight"));
        }
    }

    @Test
    void headCountFromAConstantReshapeOrFromTheScoreScale() throws Exception {
        assertEquals(4, convert(new TinyBertOnnx().heads(4).headCount(HeadCount.RESHAPE_CONSTANT)).config()
                .numHeads());
        assertEquals(6, convert(new TinyBertOnnx().heads(6).headCount(HeadCount.SCORE_SCALE_ONLY)).config()
                .numHeads(), "head_dim 2 from the scale sqrt(2)");
        UserInputException e = assertThrows(UserInputException.class,
                () -> convert(new TinyBertOnnx().headCount(HeadCount.NONE)));
        assertTrue(e.getMessage().startsWith(tmp.resolve("model.onnx") + ": cannot infer num_attention_heads: "),
                e.getMessage());
    }

    @Test
    void epsilonFromLayerNormalizationNodesOrBertsDefault() throws Exception {
        OnnxBertConverter fused = convert(new TinyBertOnnx().fusedLayerNorm(1e-5f));
        assertEquals(1e-5, fused.config().normEps());
        assertTrue(fused.epsFromGraph());
        assertEquals(17, fused.opset());
        OnnxBertConverter hidden = convert(new TinyBertOnnx().epsilonNotInGraph());
        assertEquals(1e-12, hidden.config().normEps());
        assertFalse(hidden.epsFromGraph());
    }

    @Test
    void theFirstInitializerThatDoesNotMapIsNamed() throws Exception {
        UserInputException e = assertThrows(UserInputException.class,
                () -> convert(new TinyBertOnnx().matMulWithoutBias("onnx::MatMul_900").unusedInitializer("classifier.weight")));
        assertTrue(e.getMessage().startsWith(tmp.resolve("model.onnx") + ": cannot map initializer 'onnx::MatMul_900'"
                + " [12, 4] to a BertModel weight: the output of its MatMul '") && e.getMessage().endsWith(
                "' goes into no Add of a bias"), e.getMessage());
        e = assertThrows(UserInputException.class,
                () -> convert(new TinyBertOnnx().unusedInitializer("classifier.weight")));
        assertTrue(e.getMessage().endsWith("cannot map initializer 'classifier.weight' [2, 12] to a BertModel weight:"
                + " it is not a BertModel parameter name, and no MatMul uses it as its weight"), e.getMessage());
        e = assertThrows(UserInputException.class,
                () -> convert(new TinyBertOnnx().float16("encoder.layer.1.output.LayerNorm.bias")));
        assertTrue(e.getMessage().contains("tensor 'encoder.layer.1.output.LayerNorm.bias' has data type FLOAT16 (10)"),
                e.getMessage());
    }

    @Test
    void aBadTokenizerFailsBeforeTheModelIsRead() throws Exception {
        Path bad = Files.writeString(tmp.resolve("tok.json"), "{\"model\": ");
        UserInputException e = assertThrows(UserInputException.class,
                () -> OnnxBertConverter.convert(tmp.resolve("missing.onnx"), bad));
        assertTrue(e.getMessage().startsWith(bad + ": invalid JSON"), e.getMessage());
    }
}
