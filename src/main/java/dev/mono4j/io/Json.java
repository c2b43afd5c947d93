package dev.mono4j.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.mono4j.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One shared Jackson mapper and file helpers that turn failures into one-line user errors. */
public final class Json {
    /** JSON has no NaN or infinity: a number without a value (a metric that is undefined) is written null. */
    private static final SimpleModule FINITE = new SimpleModule().addSerializer(Double.class, new NonFinite())
            .addSerializer(double.class, new NonFinite());
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(FINITE);
    private static final ObjectMapper COMPACT = new ObjectMapper().registerModule(FINITE);

    private static final class NonFinite extends StdSerializer<Double> {
        NonFinite() {
            super(Double.class);
        }

        @Override
        public void serialize(Double v, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (Double.isFinite(v)) {
                gen.writeNumber(v);
            } else {
                gen.writeNull();
            }
        }
    }

    private Json() {
    }

    /** A JSON file's tree; a missing, empty or malformed file is a one-line error naming it. */
    public static JsonNode read(Path file) {
        try {
            JsonNode tree = MAPPER.readTree(Files.readAllBytes(file));
            if (tree == null || tree.isMissingNode()) { // Jackson's answer for no content at all
                throw new UserInputException(file + ": the file is empty (expected JSON)");
            }
            return tree;
        } catch (NoSuchFileException e) {
            throw new UserInputException(file + ": file not found");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UserInputException(file + ": invalid JSON at line " + e.getLocation().getLineNr()
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UserInputException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** A file read into a record or class; a file that does not fit is an error naming it and {@code what} it should be. */
    public static <T> T read(Path file, Class<T> type, String what) {
        try {
            return MAPPER.treeToValue(read(file), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) { // also a record that fails validation
            throw new UserInputException(file + ": not a valid " + what + ": " + e.getOriginalMessage());
        }
    }

    /**
     * A JSON object with keys in the order given: {@code object("a", 1, "b", 2)}. Use it instead of
     * {@code Map.of}, whose iteration order changes from one JVM run to the next (output must be reproducible).
     */
    public static Map<String, Object> object(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("object() takes key, value pairs");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /**
     * Parses one line of a JSONL file; a line that is not JSON is a user error naming {@code where}
     * ("data.jsonl:12"). Whether the value has the fields a reader needs is the reader's to check.
     */
    public static JsonNode parseLine(String raw, String where) {
        try {
            return MAPPER.readTree(raw);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UserInputException(where + ": not a JSON object (" + e.getOriginalMessage() + ")");
        }
    }

    /** One line of JSON (for JSONL files). */
    public static String line(Object value) {
        try {
            return COMPACT.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
