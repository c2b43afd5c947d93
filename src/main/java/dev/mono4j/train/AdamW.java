package dev.mono4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW over a set of parameters whose gradients a GradientCollector filled. Call {@link #step()} after
 * the collector is closed (updating weights inside it would record the update in the graph), then
 * {@link #zeroGradients()}: PyTorch adds each backward's gradients to the previous ones.
 */
public final class AdamW implements AutoCloseable {
    private final AdamWConfig cfg;
    private final Map<String, NDArray> params;
    private final NDManager state;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private final Map<String, Integer> paramSteps = new LinkedHashMap<>();
    private int t;

    public AdamW(Map<String, NDArray> params, AdamWConfig cfg, NDManager parent) {
        this.cfg = cfg;
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
                NDArray update = own(mt.div(bc1), tmp).divi(denom).muli(cfg.lr());
                if (cfg.weightDecay() > 0 && p.getShape().dimension() >= 2) {
                    p.muli(1 - cfg.lr() * cfg.weightDecay());
                }
                p.subi(update);
            }
        }
    }

    public void zeroGradients() {
        Gradients.zero(params.values());
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
