package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import dev.mono4j.testing.TinyModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Random init is part of every pretrained number the docs record: every weight matrix N(0, 0.02), the
 * residual projections included (no GPT-2 1/√(2L) scaling), biases 0, norm scales 1.
 */
class RandomInitTest {
    @Test
    void everyWeightMatrixOfEveryFamilyIsDrawnWithStd002() {
        var configs = java.util.List.of(TinyModels.gpt2(), TinyModels.llama(), TinyModels.llamaWithBias(), TinyModels.qwen2());
        for (ModelConfig config : java.util.stream.Stream.concat(configs.stream().map(c -> c.toBuilder().numLayers(8).layerWindows(java.util.Collections.nCopies(8, 0)).build()),
                java.util.stream.Stream.of(TinyModels.mistral(8, 4))).toList()) {
            try (Transformer model = Transformer.random(config, 3)) {
                for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                    float[] v = e.getValue().toFloatArray();
                    String key = e.getKey();
                    boolean norm = key.contains("ln_") || key.toLowerCase(java.util.Locale.ROOT).contains("norm");
                    if (key.endsWith(".bias")) {
                        assertEquals(0, maxAbs(v), 0, key);
                    } else if (norm) {
                        assertEquals(1, mean(v), 0, key);
                    } else {
                        assertEquals(0.02, std(v), 0.02 * 0.15, key);
                    }
                }
            }
        }
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(float[] v) {
        double m = mean(v);
        double s = 0;
        for (float x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }

    private static double maxAbs(float[] v) {
        double s = 0;
        for (float x : v) {
            s = Math.max(s, Math.abs(x));
        }
        return s;
    }
}
