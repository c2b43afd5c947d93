package dev.mono4j.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mono4j.model.BertFamily;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.SentenceEmbeddings.Pooling;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelPull} on the real all-MiniLM-L6-v2 jar in the local Maven repository (the test dependency puts it
 * there), offline, into a temp cache. Profile {@code real-models}: {@code mvn -P real-models verify}.
 */
@Tag("real-models")
class RealModelPullTest {
    @TempDir
    Path cache;

    @Test
    void pullsAllMiniLmL6V2FromTheLocalRepository() {
        var options = new ModelPull.Options(ModelPull.defaultMavenRepository(), cache, true, false);
        Path folder = ModelPull.pull(PretrainedModel.MINILM, options, line -> { });
        ModelConfig config = ModelConfig.read(folder.resolve("config.json"));
        assertEquals(BertFamily.BERT, config.family());
        assertEquals(6, config.numLayers());
        assertEquals(384, config.hiddenSize());
        assertEquals(12, config.numHeads());
        assertEquals(Pooling.MEAN, ModelPull.pooling(folder).orElseThrow());
    }
}
