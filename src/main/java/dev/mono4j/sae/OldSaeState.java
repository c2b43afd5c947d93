package dev.mono4j.sae;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads a checkpoint's state file (state.json; sae_state.json before SAE training ran on the run loop, renamed by
 * {@link dev.mono4j.train.RunFolder#stateToResume}), of this version or of one before SAE architectures became types
 * (issue 15); the latter wrote the config flat: {@code "architecture": "GBA"} beside every architecture's knobs (k, l1Coefficient,
 * l0Coefficient, bandwidth, initThreshold, auxK, auxCoefficient, sparseDecode, gba), and the architectures' extra
 * state (batchThreshold, gbaWindowRows) beside the step. This is the one place that knows that layout: it moves
 * the chosen architecture's knobs into its record and drops the others, as the old code ignored them.
 */
final class OldSaeState {
    /** The flat config's knobs, which the new layout keeps in the architecture's record. */
    private static final List<String> OLD_KNOBS = List.of("k", "l1Coefficient", "l0Coefficient", "bandwidth",
            "initThreshold", "auxK", "auxCoefficient", "sparseDecode", "gba");
    /** The old architectures' state fields beside the step. */
    private static final List<String> OLD_STATE = List.of("batchThreshold", "gbaWindowRows");

    private OldSaeState() {
    }

    static SaeTrainer.State read(Path file) {
        JsonNode state = Json.read(file);
        try {
            return Json.MAPPER.treeToValue(upgrade(state), SaeTrainer.State.class);
        } catch (JsonProcessingException e) { // also a record that fails validation
            throw new UserInputException(file + ": not a valid SAE training state: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new UserInputException(file + ": not a valid SAE training state: " + e.getMessage());
        }
    }

    /** {@code state} in this version's layout (unchanged when it is already). */
    static JsonNode upgrade(JsonNode state) {
        JsonNode config = state.path("config");
        if (!config.path("architecture").isTextual()) {
            return state;
        }
        ObjectNode s = state.deepCopy();
        ObjectNode c = (ObjectNode) s.get("config");
        String name = c.get("architecture").asText().toLowerCase(Locale.ROOT);
        ObjectNode arch = Json.MAPPER.createObjectNode().put("name", name);
        switch (name) {
            case "relu" -> arch.set("l1Coefficient", c.get("l1Coefficient"));
            case "topk", "batchtopk" -> {
                for (String f : List.of("k", "auxK", "auxCoefficient", "sparseDecode")) {
                    arch.set(f, c.get(f));
                }
            }
            case "jumprelu" -> {
                for (String f : List.of("l0Coefficient", "bandwidth", "initThreshold")) {
                    arch.set(f, c.get(f));
                }
            }
            case "gba" -> arch.setAll((ObjectNode) c.get("gba"));
            case "ba" -> {
                arch.setAll((ObjectNode) c.get("gba"));
                arch.remove(List.of("groups", "ltf"));
            }
            default -> throw new IllegalArgumentException("unknown SAE architecture '" + name + "'");
        }
        c.remove(OLD_KNOBS);
        c.set("architecture", arch);
        ObjectNode extra = s.putObject("architecture");
        for (String f : OLD_STATE) {
            JsonNode v = s.remove(f);
            if (v != null && !v.isNull()) {
                extra.set(f, v);
            }
        }
        return s;
    }
}
