package dev.mono4j.reproduce;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import dev.mono4j.train.PretrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sub-run folder is reused only when it was made with the config asked for now. */
class ReusedRunConfigTest {
    @TempDir
    Path tmp;

    @Test
    void aFolderMadeWithAnotherConfigIsRefusedNamingTheField() throws Exception {
        PretrainConfig asked = PretrainConfig.builder().preset("xs").steps(800).build();
        Path summary = tmp.resolve("summary.json");
        Files.writeString(summary, Json.write(Json.object("summary", Map.of(), "config", asked)));
        ReproduceDecpo.checkSameConfig(summary, asked);

        Files.writeString(summary, Json.write(Json.object("config", PretrainConfig.builder().preset("xs").steps(400).build())));
        UserInputException e = assertThrows(UserInputException.class, () -> ReproduceDecpo.checkSameConfig(summary, asked));
        assertTrue(e.getMessage().startsWith(summary + ": this run was made with steps = 400, not 800"), e.getMessage());

        // A folder of an older release records fewer fields; those it has must agree.
        Map<String, Object> older = Json.MAPPER.convertValue(asked, Map.class);
        older.remove("evalBatches");
        Files.writeString(summary, Json.write(Json.object("config", older)));
        ReproduceDecpo.checkSameConfig(summary, asked);
    }
}
