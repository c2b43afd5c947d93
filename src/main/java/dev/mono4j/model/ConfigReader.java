package dev.mono4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads typed fields of a Hugging Face {@code config.json}, naming the file and the field when one is missing
 * or of the wrong type. Every family reads its config through one of these, so the one-line errors agree.
 */
public final class ConfigReader {
    private final JsonNode json;
    private final Path file;

    public ConfigReader(JsonNode json, Path file) {
        this.json = json;
        this.file = file;
    }

    /** The raw JSON, for fields with family-specific shapes (rope_scaling, layer_types). */
    public JsonNode json() {
        return json;
    }

    public Path file() {
        return file;
    }

    /** A reader over a nested object (e.g. rope_scaling), naming the same file. */
    public ConfigReader nested(JsonNode object) {
        return new ConfigReader(object, file);
    }

    /** The one-line error for this file: {@code <file>: <message>}. */
    public UserInputException error(String message) {
        return new UserInputException(file + ": " + message);
    }

    /** The field's value, or null when it is absent and a default exists; absent and required is an error. */
    private JsonNode field(String key, boolean hasDefault) {
        JsonNode v = json.get(key);
        if (v != null && !v.isNull()) {
            return v;
        }
        if (!hasDefault) {
            throw error("missing field \"" + key + "\"");
        }
        return null;
    }

    /** A non-negative integer; {@code dflt} null makes the field required. */
    public int integer(String key, Integer dflt) {
        JsonNode v = field(key, dflt != null);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw error("field \"" + key + "\" must be a non-negative integer, got " + v);
        }
        return v.asInt();
    }

    /** A number; {@code dflt} null makes the field required. */
    public double number(String key, Double dflt) {
        JsonNode v = field(key, dflt != null);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw error("field \"" + key + "\" must be a number, got " + v);
        }
        return v.asDouble();
    }

    public boolean bool(String key, boolean dflt) {
        JsonNode v = field(key, true);
        return v == null ? dflt : v.asBoolean();
    }

    public String text(String key, String dflt) {
        JsonNode v = field(key, true);
        return v == null ? dflt : v.asText();
    }

    /** {@code bos_token_id}, or -1 when absent. */
    public long bosTokenId() {
        JsonNode b = json.get("bos_token_id");
        return b != null && b.canConvertToLong() ? b.asLong() : -1;
    }

    /** {@code eos_token_id}: one id, a list of ids, or none. */
    public List<Long> eosTokenIds() {
        List<Long> eos = new ArrayList<>();
        JsonNode e = json.get("eos_token_id");
        if (e != null && e.isArray()) {
            e.forEach(x -> eos.add(x.asLong()));
        } else if (e != null && e.canConvertToLong()) {
            eos.add(e.asLong());
        }
        return eos;
    }

    /** Head counts must divide the width and each other, or the reshapes of attention fail mid-run. */
    public void checkHeads(String widthField, int width, String headsField, int heads, int kvHeads) {
        if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0 || width % heads != 0) {
            throw error(headsField + " = " + heads + " and num_key_value_heads = " + kvHeads + " do not fit "
                    + widthField + " = " + width + " (need kv heads dividing heads dividing the width)");
        }
    }
}
