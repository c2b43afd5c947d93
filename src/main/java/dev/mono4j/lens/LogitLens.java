package dev.mono4j.lens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.TransformerLM;
import java.util.ArrayList;
import java.util.List;

/**
 * The logit lens (nostalgebraist, "interpreting GPT: the logit lens", LessWrong 2020): the residual stream after
 * each layer, read as if it were the last, through the model's final norm and unembedding
 * ({@link TransformerLM#unembed}). Layer "embed" is the residual entering block 0 ({@code blocks.0.hook_resid_pre}:
 * the token embedding, plus the learned positions where the model has them); layer l is
 * {@code blocks.l.hook_resid_post}, so the last layer gives the model's own logits. The final norm is applied with
 * each partial residual's own statistics (mean and variance, or RMS), as TransformerLens'
 * {@code ActivationCache.accumulated_resid(apply_ln=True)} recomputes them (transformer_lens/ActivationCache.py
 * @0033815); direct logit attribution instead freezes them ({@link LogitAttribution}).
 */
public final class LogitLens {
    /** How many of the most likely tokens each position reports (our choice). */
    public static final int DEFAULT_TOP_K = 10;

    /**
     * {@code topK} most likely tokens per layer and position; {@code target} the token whose rank and probability are
     * followed through the layers, or null for each position's final prediction (the model's most likely token).
     */
    public record Config(int topK, Long target) {
        public static final Config DEFAULT = new Config(DEFAULT_TOP_K, null);

        public Config {
            if (topK < 1) {
                throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
            }
            if (target != null && target < 0) {
                throw new IllegalArgumentException("the target token id must be non-negative, got " + target);
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        public static final class Builder {
            private int topK = DEFAULT.topK;
            private Long target = DEFAULT.target;

            public Builder topK(int v) {
                topK = v;
                return this;
            }

            public Builder target(Long v) {
                target = v;
                return this;
            }

            public Config build() {
                return new Config(topK, target);
            }
        }
    }

    public record Token(long id, double prob) {
    }

    /** One position of one layer: its top tokens, and the target's rank (1 = most likely) and probability. */
    public record Position(List<Token> top, long target, int targetRank, double targetProb) {
        public Position {
            top = List.copyOf(top);
        }
    }

    /** A layer's name ("embed", "0", "1", ...) and its positions in text order. */
    public record Layer(String name, List<Position> positions) {
        public Layer {
            positions = List.copyOf(positions);
        }
    }

    public record Result(long[] ids, List<Layer> layers) {
        public Result {
            ids = ids.clone();
            layers = List.copyOf(layers);
        }

        @Override
        public long[] ids() {
            return ids.clone();
        }
    }

    private LogitLens() {
    }

    public static Result run(TransformerLM model, long[] ids, Config cfg) {
        int vocab = model.config().vocabSize();
        if (cfg.topK() > vocab) {
            throw new UserInputException("top-k " + cfg.topK() + " exceeds the model's vocabulary of " + vocab);
        }
        if (cfg.target() != null && cfg.target() >= vocab) {
            throw new UserInputException("target token id " + cfg.target() + " is outside the model's vocabulary [0, "
                    + vocab + ")");
        }
        int layers = model.config().numLayers();
        int t = ids.length;
        try (NDManager step = model.manager().newSubManager()) {
            Hooks hooks = Hooks.capture(HookPoint.residPre(0) + "," + HookPoint.layerGlob(HookPoint.residPost(0)));
            NDArray logits = model.forward(step, TokenBatch.of(ids), hooks);
            NDList residuals = new NDList(hooks.get(HookPoint.residPre(0)));
            for (int l = 0; l < layers; l++) {
                residuals.add(hooks.get(HookPoint.residPost(l)));
            }
            // [layers + 1, T, d_model] → probabilities [layers + 1, T, vocab], one unembedding call for all.
            float[] probs = model.unembed(step, NDArrays.concat(residuals, 0)).softmax(-1).toFloatArray();
            float[] finalLogits = logits.toFloatArray();
            List<Layer> out = new ArrayList<>();
            for (int l = 0; l <= layers; l++) {
                List<Position> positions = new ArrayList<>();
                for (int p = 0; p < t; p++) {
                    int from = (l * t + p) * vocab;
                    long target = cfg.target() != null ? cfg.target() : argmax(finalLogits, p * vocab, vocab);
                    positions.add(position(probs, from, vocab, cfg.topK(), target));
                }
                out.add(new Layer(l == 0 ? "embed" : String.valueOf(l - 1), positions));
            }
            return new Result(ids, out);
        }
    }

    private static Position position(float[] probs, int from, int vocab, int k, long target) {
        List<Token> top = new ArrayList<>(k);
        boolean[] taken = new boolean[vocab];
        for (int i = 0; i < k; i++) { // k passes: k is small next to the vocabulary
            int best = -1;
            for (int v = 0; v < vocab; v++) {
                if (!taken[v] && (best < 0 || probs[from + v] > probs[from + best])) {
                    best = v;
                }
            }
            taken[best] = true;
            top.add(new Token(best, probs[from + best]));
        }
        float p = probs[from + (int) target];
        int rank = 1;
        for (int v = 0; v < vocab; v++) {
            if (probs[from + v] > p) {
                rank++;
            }
        }
        return new Position(top, target, rank, p);
    }

    private static long argmax(float[] x, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[from + i] > x[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
