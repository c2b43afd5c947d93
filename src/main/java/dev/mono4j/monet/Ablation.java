package dev.mono4j.monet;

import ai.djl.ndarray.types.Shape;
import dev.mono4j.hooks.Hooks;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Units removed at inference: per hook point, a 0/1 tensor over the hook's trailing dimensions that the tensor is
 * multiplied by (one multiply per hook). For Monet the hook is the expert grid {@code [B, T, √N, √N]}, where a 0
 * removes an expert (g_ij = 0, [P] arXiv 2412.04139v4 §5.1); for a dense model the MLP's hidden activation
 * {@code [B, T, width]} (mlp.hook_post), where a 0 removes a neuron's contribution to the down projection.
 */
public final class Ablation {
    private record Keep(float[] values, Shape shape) {
    }

    private final Map<String, Keep> keep = new LinkedHashMap<>();

    /** Multiplies hook {@code name} by {@code values} (1 keeps, 0 removes), broadcast over the leading dimensions. */
    Ablation multiply(String name, float[] values, long... shape) {
        keep.put(name, new Keep(values, new Shape(shape)));
        return this;
    }

    /** The hook points changed. */
    public java.util.Set<String> hooks() {
        return java.util.Collections.unmodifiableSet(keep.keySet());
    }

    /** How many entries are 0 at hook {@code name}. */
    public int removed(String name) {
        int n = 0;
        for (float v : keep.get(name).values) {
            n += v == 0 ? 1 : 0;
        }
        return n;
    }

    /**
     * Interventions for any number of forward passes (generation included): the 0/1 values are built once; each pass
     * copies them into its own manager, {@code prod(shape)} floats per hook.
     */
    public Hooks interventions() {
        Hooks h = Hooks.none();
        if (!keep.isEmpty()) {
            h.intervene(String.join(",", keep.keySet()), (name, x) -> {
                Keep k = keep.get(name);
                return x.mul(x.getManager().create(k.values, k.shape));
            });
        }
        return h;
    }
}
