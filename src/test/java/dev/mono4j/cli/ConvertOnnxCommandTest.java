package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.testing.TinyBertOnnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./mono4j convert onnx}: the folder it writes, its summary line, and its one-line errors. */
class ConvertOnnxCommandTest {
    @TempDir
    Path tmp;

    private Path tokenizer() throws Exception {
        return Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\"}}");
    }

    @Test
    void writesAHuggingFaceFolder() throws Exception {
        Path onnx = new TinyBertOnnx().write(tmp.resolve("model.onnx"));
        Path out = tmp.resolve("hf");
        CliTest.Run r = cli("convert", "onnx", onnx, "--tokenizer", tokenizer(), "--out", out);
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        assertTrue(r.out().contains("2 layers, hidden size 12, 3 heads, intermediate size 20")
                && r.out().contains("layer_norm_eps 1.0E-12 (read from the graph)"), r.out());
        try (var files = Files.list(out)) {
            assertEquals(List.of("config.json", "model.safetensors", "tokenizer.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void refusesANonEmptyOutUnlessOverwriting() throws Exception {
        Path onnx = new TinyBertOnnx().layers(1).write(tmp.resolve("model.onnx"));
        Path out = tmp.resolve("hf");
        assertEquals(0, cli("convert", "onnx", onnx, "--tokenizer", tokenizer(), "--out", out).code());
        assertBadInput(cli("convert", "onnx", onnx, "--tokenizer", tokenizer(), "--out", out), out.toString(),
                "folder is not empty", "--overwrite");
        assertEquals(0, cli("convert", "onnx", onnx, "--tokenizer", tokenizer(), "--out", out, "--overwrite").code());
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertBadInput(cli("convert", "onnx", onnx, "--tokenizer", tokenizer(), "--out", out, "--overwrite"), "notes.txt");
    }

    @Test
    void badInputIsAOneLineError() throws Exception {
        Path out = tmp.resolve("hf");
        Path unmappable = new TinyBertOnnx().unusedInitializer("classifier.weight").write(tmp.resolve("classifier.onnx"));
        assertBadInput(cli("convert", "onnx", unmappable, "--tokenizer", tokenizer(), "--out", out),
                unmappable.toString(), "'classifier.weight'");
        assertBadInput(cli("convert", "onnx", tokenizer(), "--tokenizer", tokenizer(), "--out", out),
                "not a valid ONNX file");
        assertBadInput(cli("convert", "onnx", tmp.resolve("none.onnx"), "--tokenizer", tokenizer(), "--out", out),
                "none.onnx: file not found");
        assertBadInput(cli("convert", "onnx", unmappable, "--out", out), "--tokenizer");
        assertTrue(!Files.exists(out), "nothing written");
    }
}
