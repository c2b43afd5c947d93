package dev.mono4j.train;

import dev.mono4j.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Model sizes for pretraining from scratch, a capacity ladder for a vocabulary of about 2,000 words
 * (parameter counts at vocabulary 2,000 and context 128, Llama; GPT-2 adds its 128 learned positions):
 *
 * <pre>
 * preset  d_model  layers  heads   parameters
 * xs           32       4      2      114,464
 * s            64       8      4      530,496
 * m           128       8      4    1,839,232
 * l           256      12      8   10,004,736
 * </pre>
 *
 * Embeddings are tied (at this vocabulary they would otherwise be most of a small model). Llama's SwiGLU
 * width is 8d/3 rounded up to a multiple of 8, so its MLP has as many weights as GPT-2's 4d one and the
 * two architectures are compared at equal size; key/value heads equal query heads (no grouping).
 */
public final class ModelPresets {
    /** A model's shape apart from its vocabulary and context. */
    public record Shape(int dModel, int layers, int heads) {
    }

    /** Architectures a model can be trained in: "llama" (RMSNorm, rotary, SwiGLU) and "gpt2". */
    public static final java.util.List<String> ARCHS = java.util.List.of("llama", "gpt2");

    private static final Map<String, Shape> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("xs", new Shape(32, 4, 2));
        PRESETS.put("s", new Shape(64, 8, 4));
        PRESETS.put("m", new Shape(128, 8, 4));
        PRESETS.put("l", new Shape(256, 12, 8));
    }

    private ModelPresets() {
    }

    /** Preset names, smallest first. */
    public static java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(PRESETS.keySet());
    }

    public static Shape shape(String preset) {
        Shape s = PRESETS.get(preset);
        if (s == null) {
            throw new IllegalArgumentException("unknown preset '" + preset + "' (known: " + String.join(", ", names()) + ")");
        }
        return s;
    }

    /** The preset's model for architecture "llama" or "gpt2", a vocabulary and a context length. */
    public static ModelConfig presetConfig(String preset, String arch, int vocab, int seqLen) {
        Shape s = shape(preset);
        return config(arch, s.dModel(), s.layers(), s.heads(), vocab, seqLen);
    }

    /** A model of any shape, built as the presets are; its context ({@code max_position_embeddings}) is seqLen. */
    public static ModelConfig config(String arch, int dModel, int layers, int heads, int vocab, int seqLen) {
        return switch (arch) {
            case "llama" -> ModelConfig.llama(vocab, dModel, layers, heads, heads, swigluWidth(dModel), seqLen, true);
            case "gpt2" -> ModelConfig.gpt2(vocab, dModel, layers, heads, seqLen);
            default -> throw new IllegalArgumentException("unknown arch '" + arch + "' (known: " + String.join(", ", ARCHS)
                    + ")");
        };
    }

    /** 8d/3 rounded up to a multiple of 8: three d×w matrices hold as many weights as GPT-2's two d×4d. */
    static int swigluWidth(int dModel) {
        return (8 * dModel + 23) / 24 * 8;
    }
}
