package dev.mono4j.cli;

import dev.mono4j.model.ModelConfig;
import dev.mono4j.onnx.OnnxBertConverter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./mono4j convert onnx MODEL.onnx --tokenizer T.json --out DIR}: a BERT-family encoder (docs/models.md). */
@Command(name = "onnx", mixinStandardHelpOptions = true,
        description = "Convert a BERT-family encoder exported to ONNX by PyTorch into a Hugging Face folder"
                + " (config.json, model.safetensors, tokenizer.json).")
final class ConvertOnnxCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model (weights inside the file).")
    Path model;

    @Option(names = "--tokenizer", required = true, description = "The model's tokenizer.json, copied into --out.")
    Path tokenizer;

    @Mixin
    OutputFolderOptions output;

    @Override
    public void run() {
        // Refuse a bad --out before reading the model, and convert before touching --out, so a failed run
        // leaves an earlier one in place.
        output.check(OnnxBertConverter.OUTPUTS);
        OnnxBertConverter converter = OnnxBertConverter.convert(model, tokenizer);
        output.prepare(OnnxBertConverter.OUTPUTS);
        converter.save(output.out);
        ModelConfig c = converter.config();
        out().printf("wrote %s: BertModel, %,d parameters, %d layers, hidden size %d, %d heads,"
                + " intermediate size %d, vocabulary %,d, layer_norm_eps %s (%s), from ONNX opset %d%n", output.out,
                converter.parameters(), c.numLayers(), c.hiddenSize(), c.numHeads(), c.intermediateSize(),
                c.vocabSize(), c.normEps(), converter.epsFromGraph() ? "read from the graph" : "BERT's default",
                converter.opset());
    }
}
