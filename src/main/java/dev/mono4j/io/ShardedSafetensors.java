package dev.mono4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors of a Hugging Face checkpoint folder: either {@code model.safetensors} or the shards listed
 * in {@code model.safetensors.index.json}. Each tensor name maps to the reader of the file that holds it.
 */
public final class ShardedSafetensors implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Map<String, SafetensorsReader> byTensor;
    private final Map<Path, SafetensorsReader> readers;

    private ShardedSafetensors(Map<String, SafetensorsReader> byTensor, Map<Path, SafetensorsReader> readers) {
        this.byTensor = byTensor;
        this.readers = readers;
    }

    public static ShardedSafetensors open(Path dir) {
        Path index = dir.resolve(INDEX_FILE);
        Path single = dir.resolve(SINGLE_FILE);
        Map<String, SafetensorsReader> byTensor = new LinkedHashMap<>();
        Map<Path, SafetensorsReader> readers = new LinkedHashMap<>();
        try {
            if (Files.exists(index)) {
                JsonNode map = Json.read(index).get("weight_map");
                if (map == null || !map.isObject()) {
                    throw new UserInputException(index + ": no \"weight_map\" object");
                }
                for (var it = map.fields(); it.hasNext();) {
                    var e = it.next();
                    Path shard = dir.resolve(e.getValue().asText());
                    SafetensorsReader r = readers.computeIfAbsent(shard, SafetensorsReader::open);
                    if (!r.tensors().containsKey(e.getKey())) {
                        throw new UserInputException(index + ": tensor '" + e.getKey() + "' is mapped to "
                                + shard.getFileName() + ", which has no such tensor");
                    }
                    byTensor.put(e.getKey(), r);
                }
            } else if (Files.exists(single)) {
                SafetensorsReader r = SafetensorsReader.open(single);
                readers.put(single, r);
                r.tensors().keySet().forEach(k -> byTensor.put(k, r));
            } else {
                throw new UserInputException(dir + ": no " + SINGLE_FILE + " or " + INDEX_FILE);
            }
        } catch (RuntimeException e) {
            readers.values().forEach(SafetensorsReader::close);
            throw e;
        }
        return new ShardedSafetensors(Collections.unmodifiableMap(byTensor), readers);
    }

    public Map<String, SafetensorsReader> tensors() {
        return byTensor;
    }

    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    public TensorInfo info(String name) {
        return reader(name).info(name);
    }

    public SafetensorsReader reader(String name) {
        SafetensorsReader r = byTensor.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return r;
    }

    @Override
    public void close() {
        readers.values().forEach(SafetensorsReader::close);
    }
}
