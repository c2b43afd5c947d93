package dev.mono4j.model;

import java.util.Arrays;
import java.util.Map;

/**
 * Every weight a checkpoint of a config must hold, under its Hugging Face key, with its shape, as the config's
 * family lays it out ({@link ModelFamily#parameters}). Layouts are kept as HF stores them (GPT-2's Conv1D
 * weights {@code [in, out]}, Linear weights {@code [out, in]}), so saved checkpoints load in HF unchanged.
 */
public final class ParameterLayout {
    private ParameterLayout() {
    }

    public static String layerPrefix(ModelConfig c, int layer) {
        return c.family().layerPrefix(layer);
    }

    public static Map<String, long[]> expected(ModelConfig c) {
        return c.family().parameters(c);
    }

    /** Number of weights a checkpoint of this config holds (tied embeddings counted once, buffers not at all). */
    public static long count(ModelConfig c) {
        return expected(c).entrySet().stream().filter(e -> !c.family().isBuffer(e.getKey()))
                .mapToLong(e -> Arrays.stream(e.getValue()).reduce(1, (x, y) -> x * y)).sum();
    }
}
