package dev.mono4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Dtype;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW over a set of parameters whose gradients a GradientCollector filled. Call {@link #step()} after
 * the collector is closed (updating weights inside it would record the update in the graph), then
 * {@link #zeroGradients()}: PyTorch adds each backward's gradients to the previous ones.
 */
public final class AdamW implements AutoCloseable {
    /** Moments, as PyTorch names them: {@code exp_avg.<key>} and {@code exp_avg_sq.<key>}, F32. */
    public static final String STATE_TENSORS = "optimizer.safetensors";
    /** Step counts: {@code t} and {@code param_steps} (each parameter's own updates, for bias correction). */
    public static final String STATE_JSON = "optimizer.json";

    private final AdamWConfig cfg;
    private final Map<String, NDArray> params;
    private final NDManager state;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private final Map<String, Integer> paramSteps = new LinkedHashMap<>();
    private int t;
    private double lr;

    public AdamW(Map<String, NDArray> params, AdamWConfig cfg, NDManager parent) {
        this.cfg = cfg;
        this.lr = cfg.lr();
        this.params = new LinkedHashMap<>(params);
        this.state = parent.newSubManager();
        params.forEach((k, p) -> {
            m.put(k, state.zeros(p.getShape()));
            v.put(k, state.zeros(p.getShape()));
        });
    }

    public int steps() {
        return t;
    }

    public double learningRate() {
        return lr;
    }

    /** The learning rate of the following steps (a schedule sets it before each step; starts at the config's). */
    public void setLearningRate(double lr) {
        this.lr = lr;
    }

    public void step() {
        t++;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            NDArray g = Gradients.of(p);
            if (g == null) {
                continue; // the loss did not reach this parameter: no moment update, no decay (as PyTorch)
            }
            // Bias correction counts this parameter's own updates, as PyTorch's per-parameter state['step'].
            int n = paramSteps.merge(e.getKey(), 1, Integer::sum);
            double bc1 = 1 - Math.pow(cfg.beta1(), n);
            double bc2 = 1 - Math.pow(cfg.beta2(), n);
            try (NDManager tmp = state.newSubManager()) {
                // Temporaries go into a manager closed after each update. The gradient handle is owned by
                // the parameter's manager; attaching it here keeps the model's manager from growing.
                g.attach(tmp);
                NDArray mt = m.get(e.getKey()).muli(cfg.beta1()).addi(g.mul(1 - cfg.beta1()));
                NDArray vt = v.get(e.getKey()).muli(cfg.beta2()).addi(g.square().muli(1 - cfg.beta2()));
                NDArray denom = own(vt.div(bc2), tmp).sqrt().addi(cfg.eps());
                NDArray update = own(mt.div(bc1), tmp).divi(denom).muli(lr);
                if (cfg.weightDecay() > 0 && p.getShape().dimension() >= 2) {
                    p.muli(1 - lr * cfg.weightDecay());
                }
                p.subi(update);
            }
        }
    }

    public void zeroGradients() {
        Gradients.zero(params.values());
    }

    /**
     * Writes the moments and step counts into {@code folder} ({@link #STATE_TENSORS}, {@link #STATE_JSON}),
     * so that {@link #loadState} continues exactly where this optimizer is. The learning rate is not saved:
     * schedules set it from the step.
     */
    public void saveState(Path folder) {
        SafetensorsWriter w = new SafetensorsWriter().metadata("producer", "mono4j AdamW");
        for (String k : params.keySet()) {
            addF32(w, "exp_avg." + k, m.get(k));
            addF32(w, "exp_avg_sq." + k, v.get(k));
        }
        w.write(folder.resolve(STATE_TENSORS));
        AtomicFiles.writeString(folder.resolve(STATE_JSON), Json.write(Json.object("t", t, "param_steps", paramSteps)));
    }

    /** Reads what {@link #saveState} wrote; every parameter's moments must be there with its shape. */
    public void loadState(Path folder) {
        Path tensors = folder.resolve(STATE_TENSORS);
        Path json = folder.resolve(STATE_JSON);
        try (SafetensorsReader r = SafetensorsReader.open(tensors)) {
            for (String k : params.keySet()) {
                replace(m, k, r, "exp_avg." + k);
                replace(v, k, r, "exp_avg_sq." + k);
            }
        }
        JsonNode counts = Json.read(json);
        if (!counts.path("t").canConvertToInt() || !counts.path("param_steps").isObject()) {
            throw new UserInputException(json + ": expected {\"t\": int, \"param_steps\": {...}}");
        }
        t = counts.get("t").asInt();
        paramSteps.clear();
        counts.get("param_steps").fields().forEachRemaining(e -> paramSteps.put(e.getKey(), e.getValue().asInt()));
    }

    private void replace(Map<String, NDArray> moments, String key, SafetensorsReader r, String name) {
        NDArray old = moments.get(key);
        long[] shape = old.getShape().getShape();
        if (!r.tensors().containsKey(name) || !Arrays.equals(r.info(name).shape(), shape)) {
            throw new UserInputException(r.path() + ": tensor '" + name + "' is missing or not of shape "
                    + Arrays.toString(shape) + "; the optimizer state does not match the model");
        }
        // create(float[]) wraps a Java buffer; duplicate() copies it into memory torch owns.
        try (NDArray view = state.create(r.readFloats(name), old.getShape())) {
            moments.put(key, view.duplicate());
        }
        old.close();
    }

    private static void addF32(SafetensorsWriter w, String name, NDArray a) {
        w.add(name, Dtype.F32, a.getShape().getShape(), a.getShape().size() * 4, out -> {
            var bytes = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        });
    }

    /** Moves an array made from optimizer state (hence owned by the state manager) into {@code tmp}. */
    private static NDArray own(NDArray x, NDManager tmp) {
        x.attach(tmp);
        return x;
    }

    @Override
    public void close() {
        state.close();
    }
}
