package dev.mono4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import dev.mono4j.testing.ProtoWriter;
import dev.mono4j.testing.TinyBertOnnx;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written ModelProto reader: the fields it decodes, the encodings it accepts, and its errors. */
class OnnxReaderTest {
    @Test
    void readsOpsetGraphNodesAndInitializers() {
        TinyBertOnnx tiny = new TinyBertOnnx().layers(1);
        OnnxModel model = OnnxReader.read(tiny.build(), "tiny.onnx");
        assertEquals(11, model.opset());
        OnnxGraph g = model.graph();
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), g.inputs());
        assertEquals(1, g.outputs().size());
        assertEquals(g.nodes().get(g.nodes().size() - 1).output(), g.outputs().get(0));

        OnnxTensor words = g.initializers().get("embeddings.word_embeddings.weight");
        assertArrayEquals(new long[] {TinyBertOnnx.VOCAB, TinyBertOnnx.HIDDEN}, words.dims());
        assertArrayEquals(tiny.hfWeights().get("embeddings.word_embeddings.weight"), words.floats(), "raw_data");
        assertArrayEquals(tiny.hfWeights().get("embeddings.LayerNorm.bias"),
                g.initializers().get("embeddings.LayerNorm.bias").floats(), "float_data");
        long[] positions = g.initializers().get("embeddings.position_ids").longs();
        assertEquals(TinyBertOnnx.MAX_POSITIONS, positions.length, "int64_data");
        assertEquals(TinyBertOnnx.MAX_POSITIONS - 1, positions[positions.length - 1]);

        OnnxNode matmul = g.consumers("onnx::MatMul_100").get(0);
        assertEquals("MatMul", matmul.opType());
        OnnxNode add = g.consumers(matmul.output()).get(0);
        assertEquals(List.of("encoder.layer.0.attention.self.query.bias", matmul.output()), add.inputs());
        assertEquals(matmul, g.producer(add.input(1)));
        assertNull(g.producer("onnx::MatMul_100"), "initializers have no producer");
    }

    @Test
    void constantsComeFromConstantNodesAndInitializers() {
        OnnxGraph g = OnnxReader.read(new TinyBertOnnx().layers(1).build(), "tiny.onnx").graph();
        OnnxNode div = g.nodes().stream().filter(n -> n.opType().equals("Div")
                && g.producer(n.input(0)).opType().equals("MatMul")).findFirst().orElseThrow();
        OnnxTensor scale = g.constant(div.input(1));
        assertTrue(scale.isFloatScalar());
        assertEquals(2.0f, scale.floats()[0], "sqrt(head_dim 4)");
        assertNull(g.constant(div.input(0)), "a computed value");
        assertEquals("embeddings.position_ids", g.constant("embeddings.position_ids").name());
    }

    @Test
    void otherDataTypesAreReadOnlyByName() {
        OnnxGraph g = OnnxReader.read(new TinyBertOnnx().layers(1).float16("embeddings.LayerNorm.weight").build(),
                "tiny.onnx").graph();
        OnnxTensor half = g.initializers().get("embeddings.LayerNorm.weight");
        assertEquals(10, half.dataType());
        UserInputException e = assertThrows(UserInputException.class, half::floats);
        assertEquals("tiny.onnx: tensor 'embeddings.LayerNorm.weight' has data type FLOAT16 (10); only FLOAT (1) and"
                + " INT64 (7) tensors can be read", e.getMessage());
        e = assertThrows(UserInputException.class, () -> g.initializers().get("embeddings.position_ids").floats());
        assertTrue(e.getMessage().contains("'embeddings.position_ids' has data type INT64 (7), expected FLOAT (1)"),
                e.getMessage());
    }

    @Test
    void brokenFilesAreOneLineErrors() {
        byte[] model = new TinyBertOnnx().layers(1).build();
        UserInputException e = assertThrows(UserInputException.class,
                () -> OnnxReader.read(Arrays.copyOf(model, model.length / 2), "cut.onnx"));
        assertTrue(e.getMessage().startsWith("cut.onnx: not a valid ONNX file: ") && e.getMessage().contains("past the end"),
                e.getMessage());
        e = assertThrows(UserInputException.class,
                () -> OnnxReader.read("{\"model\": 1}".getBytes(StandardCharsets.UTF_8), "tokenizer.json"));
        assertTrue(e.getMessage().startsWith("tokenizer.json: not a valid ONNX file"), e.getMessage());
        e = assertThrows(UserInputException.class,
                () -> OnnxReader.read(new ProtoWriter().varint(1, 6).toByteArray(), "empty.onnx"));
        assertEquals("empty.onnx: not an ONNX model: it holds no graph", e.getMessage());
        // A tensor whose data does not fill its shape.
        byte[] bad = new ProtoWriter().message(7, new ProtoWriter().message(5, new ProtoWriter().varint(1, 3).varint(2, 1)
                .string(8, "w").bytes(9, new byte[8]))).toByteArray();
        e = assertThrows(UserInputException.class, () -> OnnxReader.read(bad, "short.onnx"));
        assertEquals("short.onnx: tensor 'w' holds 8 bytes of data for shape [3] of FLOAT (1)", e.getMessage());
    }
}
