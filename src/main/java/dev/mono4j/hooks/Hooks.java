package dev.mono4j.hooks;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * What one forward pass does at its hook points: capture tensors and replace them by a function of
 * themselves. Both happen inside the autograd graph: a captured tensor can feed a loss, and a
 * replacement's gradient flows back into the weights.
 *
 * <p>Captured tensors belong to the forward pass's NDManager; read or use them before closing it.
 * An intervention that runs under a GradientCollector must combine tensors only: DJL's Number-argument
 * ops ({@code x.mul(0.5)}) hand autograd a tensor the garbage collector may free before backward
 * (see the class comment of the model package's {@code Transformer}); write {@code x.mul(x.getManager().full(new Shape(), 0.5f))}.
 * A Hooks object is for one forward pass: a later pass would overwrite its captures.
 */
public final class Hooks {
    private record Intervention(Pattern names, BiFunction<String, NDArray, NDArray> fn) {
    }

    private final List<Pattern> capture = new ArrayList<>();
    private final List<Pattern> gradients = new ArrayList<>();
    private final List<Intervention> interventions = new ArrayList<>();
    private final Map<String, NDArray> captured = new LinkedHashMap<>();
    /** Per hook whose gradient is wanted, the zero tensor added there: its gradient after backward is ∂L/∂x. */
    private final Map<String, NDArray> gradientProbes = new LinkedHashMap<>();

    /** Hooks that do nothing. */
    public static Hooks none() {
        return new Hooks();
    }

    /** Captures every hook point matching the globs (see {@link HookPoint#glob}). */
    public static Hooks capture(String globs) {
        return new Hooks().alsoCapture(globs);
    }

    public Hooks alsoCapture(String globs) {
        capture.add(HookPoint.glob(globs));
        return this;
    }

    /**
     * Records ∂L/∂x at every hook point matching the globs (TransformerLens' backward hooks): the pass adds a zero
     * tensor that requires a gradient at each such hook, and after a GradientCollector's {@code backward(L)}
     * {@link #gradient} reads the gradient that reached it. The forward pass must run inside that collector.
     */
    public Hooks alsoCaptureGradients(String globs) {
        gradients.add(HookPoint.glob(globs));
        return this;
    }

    /** Replaces the tensor at every hook point matching the globs by {@code fn(tensor)}. */
    public Hooks intervene(String globs, UnaryOperator<NDArray> fn) {
        return intervene(globs, (name, x) -> fn.apply(x));
    }

    /** As {@link #intervene(String, UnaryOperator)}, with the hook's name passed to the function. */
    public Hooks intervene(String globs, BiFunction<String, NDArray, NDArray> fn) {
        interventions.add(new Intervention(HookPoint.glob(globs), fn));
        return this;
    }

    /**
     * Called by the model at each hook point: applies the interventions in the order they were added, then adds
     * the gradient probe and captures the result when asked. Captures and gradients see the tensor the rest of
     * the model will use.
     */
    public NDArray apply(String name, NDArray x) {
        for (Intervention iv : interventions) {
            if (iv.names.matcher(name).matches()) {
                x = iv.fn.apply(name, x);
            }
        }
        if (gradients.stream().anyMatch(p -> p.matcher(name).matches())) {
            NDArray probe = x.zerosLike();
            probe.setRequiresGradient(true);
            gradientProbes.put(name, probe);
            x = x.add(probe);
        }
        for (Pattern p : capture) {
            if (p.matcher(name).matches()) {
                captured.put(name, x);
                break;
            }
        }
        return x;
    }

    /**
     * Whether this pass captures or replaces the hook point {@code name}: a model may compute a costly hook's
     * tensor only when asked (Monet's expert grid).
     */
    public boolean touches(String name) {
        return capture.stream().anyMatch(p -> p.matcher(name).matches())
                || gradients.stream().anyMatch(p -> p.matcher(name).matches())
                || interventions.stream().anyMatch(iv -> iv.names.matcher(name).matches());
    }

    /**
     * A position-wise hook's tensor as {@code [batch, pos, width]}: per-head hooks ({@code [batch, pos, head, d]})
     * flattened head-major, the layout SAEs trained on TransformerLens' {@code hook_z} read; others unchanged.
     * Attention scores and patterns have no vector per position (see {@link HookPoint#positionwise}).
     */
    public static NDArray positionRows(String name, NDArray x) {
        if (!HookPoint.positionwise(name)) {
            throw new IllegalArgumentException(name + " is [batch, head, query, key], not a vector per position");
        }
        long[] s = x.getShape().getShape();
        return s.length == 3 ? x : x.reshape(s[0], s[1], -1);
    }

    /** The captured tensors by hook name, in forward order. */
    public Map<String, NDArray> captured() {
        return Collections.unmodifiableMap(captured);
    }

    /** The hooks whose gradient this pass records, in forward order (see {@link #alsoCaptureGradients}). */
    public List<String> gradientNames() {
        return List.copyOf(gradientProbes.keySet());
    }

    /**
     * ∂L/∂x at hook {@code name}, after {@code backward(L)}: x's shape, owned by the pass's manager. Zero when L does
     * not depend on the hook (DJL leaves an untouched gradient at zero).
     */
    public NDArray gradient(String name) {
        NDArray probe = gradientProbes.get(name);
        if (probe == null) {
            throw new IllegalArgumentException("hook " + name + " recorded no gradient (recorded: " + gradientProbes.keySet() + ")");
        }
        return probe.getGradient();
    }

    public NDArray get(String name) {
        NDArray a = captured.get(name);
        if (a == null) {
            throw new IllegalArgumentException("hook " + name + " was not captured (captured: " + captured.keySet() + ")");
        }
        return a;
    }

}
