package dev.mono4j.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.pull.ModelPull;
import dev.mono4j.model.SentenceEmbeddings;
import dev.mono4j.model.TransformerEncoder;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints sentence embeddings of texts from an encoder, one JSON array per text. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Sentence embeddings from an encoder (BERT): pooled, L2-normalised, one JSON array per --text."
                + " CHECKPOINT is a BertModel folder, e.g. from 'models pull' or 'convert onnx'.")
final class EmbedCommand extends CliCommand {
    @Mixin
    CheckpointFolder checkpoint;

    @Mixin
    NonFiniteOption nonFinite;

    @Option(names = "--text", required = true, description = "Text to embed; repeat for several.")
    List<String> texts;

    @Option(names = "--pooling", description = "${COMPLETION-CANDIDATES} (all-MiniLM-L6-v2: MEAN, bge-small-en-v1.5: CLS;"
            + " default: what the folder's source.json from 'models pull' names, else MEAN).")
    SentenceEmbeddings.Pooling pooling;

    @Option(names = "--no-normalize", description = "Print the pooled vectors without L2 normalisation.")
    boolean noNormalize;

    @Option(names = "--batch-size", defaultValue = "16", description = "Texts per forward pass.")
    int batchSize;

    @Override
    public void run() {
        if (batchSize < 1) {
            throw new UserInputException("--batch-size must be at least 1");
        }
        Path dir = checkpoint.dir;
        try (TransformerEncoder model = Checkpoint.loadEncoder(dir, "embed", nonFinite.policy());
                Tokenizer tok = Tokenizer.load(dir)) {
            var json = Json.MAPPER.copy().disable(SerializationFeature.INDENT_OUTPUT);
            SentenceEmbeddings.Pooling p = ModelPull.poolingFor(dir, pooling);
            for (float[] e : SentenceEmbeddings.embed(model, tok, texts, p, !noNormalize, batchSize)) {
                out().println(json.valueToTree(e).toString());
            }
        }
    }
}
