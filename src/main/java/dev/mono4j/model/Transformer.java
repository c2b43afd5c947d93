package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A transformer in F32 over Hugging Face weights, written as plain tensor operations so that every hook
 * point is visible and autograd flows through all of them. It is composition only: its {@link ModelFamily}
 * gives the embeddings and each block (from the shared pieces of {@link ForwardPass}); the subclass says
 * what the pass returns: next-token logits ({@link TransformerLM}) or the last hidden state
 * ({@link TransformerEncoder}).
 *
 * <p><b>NDManager discipline.</b> The weights live in {@link #manager()} for the model's lifetime. In DJL
 * the result of an operation belongs to the manager of its <em>first operand</em>, so every operation in
 * the forward pass is written with an activation first ({@code x.matMul(w)}, never {@code w.matMul(x)}):
 * all intermediates then land in the caller's per-step manager and are freed when it closes. An operation
 * on a weight alone (e.g. {@code w.transpose()}) would leak one array into the model's manager per call.
 *
 * <p><b>No {@code Number} arguments under autograd.</b> DJL's {@code x.mul(2.0)} wraps the number in a
 * tensor over a Java direct buffer and closes it right after the call, but autograd keeps that tensor
 * for the backward pass; once the garbage collector frees the buffer, backward reads freed memory (we saw
 * NaN losses under GC pressure). Constants are therefore torch-owned tensors made by {@link ForwardPass#scalar}.
 */
public abstract class Transformer implements AutoCloseable {
    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    /** LoRA adapters the projections add, or null. */
    private LoraAdapters adapters;
    /** Training mode, as PyTorch's {@code module.train()}: normalisations use batch statistics and update buffers. */
    private boolean training;

    Transformer(ModelConfig config, NDManager manager, Map<String, NDArray> params) {
        this.config = config;
        this.manager = manager;
        this.params = Collections.unmodifiableMap(params);
    }

    /** A randomly initialised model of the config's family (see {@link #randomParameters}). */
    public static Transformer random(ModelConfig config, long seed) {
        NDManager m = NDManager.newBaseManager();
        return config.family().newModel(config, m, randomParameters(config, seed, m));
    }

    /** As {@link #random(ModelConfig, long)}, refusing a config whose family does not make a {@code type}. */
    static <M extends Transformer> M random(ModelConfig config, long seed, Class<M> type) {
        Transformer model = random(config, seed);
        if (!type.isInstance(model)) {
            model.close();
            throw new IllegalArgumentException(config.family().hfArchitecture() + " is not a " + type.getSimpleName());
        }
        return type.cast(model);
    }

    /**
     * GPT-2-style initialisation: weights N(0, 0.02), biases 0, norm scales 1 (our choice, as since the first
     * version: every model and run recorded in docs was initialised so). GPT-2's and nanoGPT's further 1/√(2L)
     * on the residual projections is not applied; changing the init would change every pretrained number.
     */
    static Map<String, NDArray> randomParameters(ModelConfig config, long seed, NDManager m) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : ParameterLayout.expected(config).entrySet()) {
            String key = e.getKey();
            Shape shape = new Shape(e.getValue());
            boolean isNorm = key.contains("ln_") || key.toLowerCase(java.util.Locale.ROOT).contains("norm");
            float[] v = new float[Math.toIntExact(shape.size())];
            Float constant = config.family().initialValue(key);
            if (constant != null) {
                java.util.Arrays.fill(v, constant);
            } else if (isNorm && key.endsWith(".weight")) {
                java.util.Arrays.fill(v, 1f);
            } else if (!key.endsWith(".bias")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (0.02 * rng.nextGaussian());
                }
            }
            try (NDArray view = m.create(v, shape)) {
                params.put(key, view.duplicate());
            }
        }
        return params;
    }

    public ModelConfig config() {
        return config;
    }

    /** The manager that owns the weights; create per-step sub-managers from it. */
    public NDManager manager() {
        return manager;
    }

    /** Weights by Hugging Face key, F32, in checkpoint order. */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** The number of weights (buffers, such as running statistics, are not counted). */
    public long parameterCount() {
        return params.entrySet().stream().filter(e -> !config.family().isBuffer(e.getKey()))
                .mapToLong(e -> e.getValue().getShape().size()).sum();
    }

    /**
     * Whether forward passes run in training mode (PyTorch's {@code module.train()}; default false, as
     * {@code eval()}): only families with batch-dependent layers (Monet's router BatchNorm) behave differently.
     */
    public boolean training() {
        return training;
    }

    public void setTraining(boolean on) {
        training = on;
    }

    public List<String> hookNames() {
        return config.hookNames();
    }

    /** The output for a padded batch ({@link #outputName}), all arrays owned by {@code step}. */
    public abstract NDArray forward(NDManager step, TokenBatch batch, Hooks hooks);

    /** What {@link #forward} returns, as Hugging Face names it: "logits" or "last_hidden_state". */
    public abstract String outputName();

    /** The last axis of {@link #forward}'s output. */
    public abstract long outputWidth();

    /** The residual stream after the last block: the family's embeddings, then its blocks. */
    NDArray lastHiddenState(ForwardPass f) {
        ModelFamily family = config.family();
        NDArray h = family.embed(f);
        for (int l = 0; l < config.numLayers(); l++) {
            h = family.block(f, l, h);
        }
        return h;
    }

    /**
     * Token ids to embed: real tokens must lie in the vocabulary (an error naming the position otherwise);
     * padding may hold any id (a tokenizer's pad id can exceed the model's vocabulary) and is embedded as 0.
     */
    long[] checkedIds(String source, long[] ids, long[] mask, int batch, int queries, int keys) {
        long[] out = ids;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < queries; t++) {
                long id = ids[b * queries + t];
                boolean real = mask[b * keys + keys - queries + t] != 0;
                if (id >= 0 && id < config.vocabSize()) {
                    continue;
                }
                if (real) {
                    throw new UserInputException(source + "token id " + id + " at [" + b + ", " + t + "] is outside the"
                            + " model's vocabulary [0, " + config.vocabSize() + ")");
                }
                if (out == ids) {
                    out = ids.clone();
                }
                out[b * queries + t] = 0;
            }
        }
        return out;
    }

    /** Checks a batch's real tokens against the vocabulary; errors start with {@code source} (e.g. a file name). */
    public void checkTokenIds(TokenBatch batch, String source) {
        checkedIds(source, batch.ids(), batch.mask(), batch.batchSize(), batch.seqLen(), batch.seqLen());
    }

    LoraAdapters adapters() {
        return adapters;
    }

    /** Routes the block projections through {@code a} from now on; one set of adapters at a time. */
    void attach(LoraAdapters a) {
        if (adapters != null) {
            throw new IllegalStateException("the model already has LoRA adapters attached; close or merge them first");
        }
        adapters = a;
    }

    /** Stops routing through {@code a}, if it is the attached set. */
    void detach(LoraAdapters a) {
        if (adapters == a) {
            adapters = null;
        }
    }

    /** Turns gradient tracking on for the weights whose key the filter accepts, off for the rest and for buffers. */
    public void setTrainable(java.util.function.Predicate<String> which) {
        params.forEach((k, v) -> v.setRequiresGradient(which.test(k) && !config.family().isBuffer(k)));
    }

    /** A copy of one weight as F32 values on the Java heap. */
    public float[] weight(String key) {
        NDArray a = params.get(key);
        if (a == null) {
            throw new IllegalArgumentException("no parameter " + key);
        }
        return a.toFloatArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
