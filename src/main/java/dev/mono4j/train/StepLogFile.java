package dev.mono4j.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A training run's JSONL log, one object with a {@code step} field per line, as resuming needs it. */
public final class StepLogFile {
    private StepLogFile() {
    }

    /**
     * Rewrites the log without the lines after {@code step} (those steps run again) and without a
     * half-written last line (the run was killed while writing it); returns the last line kept, or null.
     */
    public static JsonNode keepThrough(Path log, int step) {
        StringBuilder kept = new StringBuilder();
        JsonNode last = null;
        try {
            for (String line : Files.exists(log) ? Files.readAllLines(log) : List.<String>of()) {
                JsonNode j;
                try {
                    j = Json.MAPPER.readTree(line);
                } catch (JsonProcessingException e) {
                    continue;
                }
                if (j != null && j.path("step").asInt(Integer.MAX_VALUE) <= step) {
                    kept.append(line).append('\n');
                    last = j;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log + ": " + e.getMessage(), e);
        }
        AtomicFiles.writeString(log, kept.toString());
        return last;
    }
}
