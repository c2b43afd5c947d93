package dev.mono4j.data.factorgraph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.mono4j.UserInputException;
import dev.mono4j.console.Progress;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code factorgraph eval}: a causal LM's loss on a factor-graph split against the exact Bayes optimum. For each line
 * the model reads everything up to the query and predicts the answer token; its log-probabilities of the K candidate
 * tokens of the masked variable ({@link FactorGraphTokens}) give:
 * <ul>
 *   <li>NLL: −ln q(true value), q the model's distribution renormalised over the K candidates, so that it is a
 *       proper distribution over the variable's values (the headline number, our choice);</li>
 *   <li>raw NLL: −ln of the model's unrenormalised probability of the answer token, as the LM loss sees it
 *       (≥ NLL; the difference is −ln of the mass the model puts on the K candidates);</li>
 *   <li>Bayes NLL: −ln p*(true value | the other variables), the exact conditional on the same lines; excess =
 *       NLL − Bayes NLL, both on the sampled values, so its mean converges to the expected excess risk;</li>
 *   <li>KL(p* ‖ q) per line: the same expectation without the noise of the sampled value (E[excess | line] =
 *       KL), so it is the lower-variance estimate of the excess (our addition);</li>
 *   <li>accuracy of argmax q against the true value, beside the Bayes classifier's (argmax p*); ties to the lowest
 *       value.</li>
 * </ul>
 * Each is reported on all lines, on the lines whose masked variable is a root (whose conditional the OOD split
 * changes) and on the rest (whose conditional it leaves unchanged).
 */
public final class FactorGraphEval {
    public static final int DEFAULT_BATCH_SIZE = 64;

    private FactorGraphEval() {
    }

    /** One line's scores (nats). */
    public record Scored(double nll, double rawNll, double bayesNll, double klFromBayes, double candidateMass, boolean correct,
            boolean bayesCorrect) {
    }

    /** Means over a group of lines (nats; accuracies as fractions). */
    public record Group(int lines, double nll, double rawNll, double bayesNll, double excess, double klFromBayes,
            double candidateMass, double accuracy, double bayesAccuracy) {
        /** The means of {@code scored}; null when it is empty. */
        static Group of(List<Scored> scored) {
            if (scored.isEmpty()) {
                return null;
            }
            double nll = mean(scored, Scored::nll);
            double bayes = mean(scored, Scored::bayesNll);
            return new Group(scored.size(), nll, mean(scored, Scored::rawNll), bayes, nll - bayes,
                    mean(scored, Scored::klFromBayes), mean(scored, Scored::candidateMass),
                    mean(scored, s -> s.correct() ? 1 : 0), mean(scored, s -> s.bayesCorrect() ? 1 : 0));
        }

        private static double mean(List<Scored> s, java.util.function.ToDoubleFunction<Scored> f) {
            return s.stream().mapToDouble(f).average().orElseThrow();
        }

        /** One line for the console. */
        public String describe() {
            return String.format(Locale.ROOT, "%,d lines: NLL %.4f (raw %.4f), Bayes %.4f, excess %.4f, KL %.4f,"
                    + " accuracy %.1f%% (Bayes %.1f%%)", lines, nll, rawNll, bayesNll, excess, klFromBayes, 100 * accuracy,
                    100 * bayesAccuracy);
        }
    }

    /**
     * The split's groups: all lines, root-masked lines, the rest (a group without lines is null); {@code blanket} the
     * Markov-blanket recovery, null unless asked for.
     */
    public record Result(String split, Group all, Group roots, Group nonRoots, Blanket blanket) {
    }

    /**
     * Markov-blanket recovery at the query position (the position that predicts the answer), per layer, as the
     * mean over lines of {@link BlanketRecovery#selectAtQuery}'s F1 (workspace.md §5, claim 2). {@code selection}
     * names the weights ranked: a workspace model's write pattern (which tokens the slots wrote, summed over heads and
     * slots; for the hard write, zero outside each slot's top-k) or, for every other model, the attention pattern
     * (summed over heads). {@code chanceF1} is the mean F1 of a uniformly random selection of the same size.
     */
    public record Blanket(String selection, List<Double> f1ByLayer, double meanF1, int bestLayer, double bestF1,
            double chanceF1) {
        /** One line for the console. */
        public String describe() {
            return String.format(Locale.ROOT, "blanket F1 (%s, top-|MB| observations at the query): mean over layers"
                    + " %.4f, best layer %d %.4f, chance %.4f; by layer %s", selection, meanF1, bestLayer, bestF1, chanceF1,
                    f1ByLayer.stream().map(f -> String.format(Locale.ROOT, "%.4f", f)).toList());
        }
    }

    /** Scores one line from the model's log-probabilities of the K candidate answer tokens (values 0..K−1). */
    public static Scored score(double[] candidateLogProbs, FactorGraphSample sample) {
        double[] p = sample.conditional();
        if (candidateLogProbs.length != p.length) {
            throw new IllegalArgumentException(candidateLogProbs.length + " candidates for " + p.length + " values");
        }
        double max = java.util.Arrays.stream(candidateLogProbs).max().orElseThrow();
        double sum = 0;
        for (double lp : candidateLogProbs) {
            sum += Math.exp(lp - max);
        }
        double logMass = max + Math.log(sum);
        double kl = 0;
        for (int k = 0; k < p.length; k++) {
            if (p[k] > 0) {
                kl += p[k] * (Math.log(p[k]) - (candidateLogProbs[k] - logMass));
            }
        }
        int value = sample.value();
        return new Scored(logMass - candidateLogProbs[value], -candidateLogProbs[value], sample.bayesNll(), kl,
                Math.exp(logMass), argmax(candidateLogProbs) == value, argmax(p) == value);
    }

    /**
     * Runs the model over the lines, {@code batchSize} at a time, and scores each at its answer position. The lines
     * are encoded with {@code tok} (the model's own tokenizer); a tokenizer without the factor-graph tokens, or a
     * line longer than the model's positions, is one line naming the problem. With {@code blanket}, it also captures
     * each layer's selection pattern and scores {@link Blanket}.
     */
    public static Result run(TransformerLM model, Tokenizer tok, FactorGraphSplit split, List<FactorGraphSample> samples,
            int batchSize, boolean blanket) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be at least 1");
        }
        CandidateTokens candidates = new CandidateTokens(tok);
        List<Scored> scored = new ArrayList<>(samples.size());
        int layers = model.config().numLayers();
        boolean workspace = model.hookNames().contains(HookPoint.workspaceWritePattern(0));
        double[] f1Sums = new double[layers];
        double chanceSum = 0;
        Progress progress = new Progress("factorgraph eval " + split.name().toLowerCase(Locale.ROOT), samples.size(), "lines");
        for (int from = 0; from < samples.size(); from += batchSize) {
            List<FactorGraphSample> part = samples.subList(from, Math.min(samples.size(), from + batchSize));
            List<long[]> ids = tok.encodeAll(part.stream().map(FactorGraphSample::line).toList());
            TokenBatch batch = TokenBatch.pad(ids, tok.padId(), TokenBatch.PadSide.RIGHT);
            int positions = model.config().tokenLimit(Integer.MAX_VALUE);
            if (batch.seqLen() > positions) {
                throw new UserInputException(split.textFile() + ": lines of " + batch.seqLen() + " tokens exceed the model's "
                        + positions + " positions");
            }
            model.checkTokenIds(batch, split.textFile() + ": ");
            try (NDManager step = model.manager().newSubManager()) {
                // Right padding: a row's real tokens come first, so its answer position is unaffected by the rest.
                Hooks hooks = blanket ? Hooks.capture(HookPoint.layerGlob(selectionHook(workspace, 0))) : Hooks.none();
                float[] logProbs = model.forward(step, batch, hooks).logSoftmax(-1).toFloatArray();
                int vocab = Math.toIntExact(model.config().vocabSize());
                for (int b = 0; b < part.size(); b++) {
                    FactorGraphSample s = part.get(b);
                    int answerAt = batch.lastRealIndex(b);
                    long[] answerIds = candidates.of(s.masked(), s.conditional().length);
                    if (batch.ids()[b * batch.seqLen() + answerAt] != answerIds[s.value()]) {
                        throw new UserInputException(split.textFile() + ":" + (from + b + 1) + ": the model's tokenizer does"
                                + " not end the line with its answer token " + FactorGraphTokens.pair(s.masked(), s.value()));
                    }
                    int row = (b * batch.seqLen() + answerAt - 1) * vocab;
                    double[] candidateLogProbs = new double[answerIds.length];
                    for (int k = 0; k < answerIds.length; k++) {
                        candidateLogProbs[k] = logProbs[row + Math.toIntExact(answerIds[k])];
                    }
                    scored.add(score(candidateLogProbs, s));
                    if (blanket) {
                        int queryAt = answerAt - 1;
                        int bosShift = queryAt - s.queryPosition();
                        for (int l = 0; l < layers; l++) {
                            float[] weights = queryRow(hooks.get(selectionHook(workspace, l)), workspace, b, queryAt);
                            f1Sums[l] += BlanketRecovery.f1(BlanketRecovery.selectAtQuery(weights, bosShift, s), s);
                        }
                        chanceSum += BlanketRecovery.chanceF1(s);
                    }
                }
            }
            progress.step(part.size());
        }
        Blanket recovery = null;
        if (blanket) {
            List<Double> byLayer = java.util.Arrays.stream(f1Sums).map(f -> f / samples.size()).boxed().toList();
            int best = 0;
            for (int l = 1; l < layers; l++) {
                best = byLayer.get(l) > byLayer.get(best) ? l : best;
            }
            recovery = new Blanket(workspace ? "workspace write pattern" : "attention pattern", byLayer,
                    byLayer.stream().mapToDouble(Double::doubleValue).average().orElseThrow(), best, byLayer.get(best),
                    chanceSum / samples.size());
        }
        return new Result(split.name().toLowerCase(Locale.ROOT), Group.of(scored),
                Group.of(filter(scored, samples, true)), Group.of(filter(scored, samples, false)), recovery);
    }

    /** The hook whose pattern says which tokens layer {@code l} selects: the workspace's write, or attention. */
    private static String selectionHook(boolean workspace, int l) {
        return workspace ? HookPoint.workspaceWritePattern(l) : HookPoint.attnPattern(l);
    }

    /**
     * Row {@code b}'s weights over model positions at position {@code q}: the write pattern
     * {@code [batch, pos, head, slot, token]} at (b, q) summed over heads and slots, or the attention pattern
     * {@code [batch, head, query, key]} at (b, ·, q) summed over heads.
     */
    static float[] queryRow(NDArray pattern, boolean workspace, int b, int q) {
        NDArray row = workspace ? pattern.get(b, q).sum(new int[] {0, 1}) : pattern.get(new NDIndex("{}, :, {}, :", b, q)).sum(new int[] {0});
        return row.toFloatArray();
    }

    private static List<Scored> filter(List<Scored> scored, List<FactorGraphSample> samples, boolean root) {
        List<Scored> out = new ArrayList<>();
        for (int i = 0; i < scored.size(); i++) {
            if (samples.get(i).root() == root) {
                out.add(scored.get(i));
            }
        }
        return out;
    }

    /** Index of the largest value; the lowest index among equals. */
    static int argmax(double[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The token ids of each variable's K answer tokens, looked up once per variable in the model's tokenizer. */
    private static final class CandidateTokens {
        private final Tokenizer tok;
        private final java.util.Map<Integer, long[]> byVariable = new java.util.HashMap<>();

        CandidateTokens(Tokenizer tok) {
            this.tok = tok;
        }

        long[] of(int variable, int values) {
            return byVariable.computeIfAbsent(variable, v -> {
                long[] ids = new long[values];
                for (int k = 0; k < values; k++) {
                    ids[k] = single(FactorGraphTokens.pair(v, k));
                }
                return ids;
            });
        }

        private long single(String token) {
            Tokenizer.Encoded e = tok.encodeWithOffsets(token);
            long[] text = java.util.stream.IntStream.range(0, e.ids().length).filter(i -> !e.special(i))
                    .mapToLong(i -> e.ids()[i]).toArray();
            if (text.length != 1 || (tok.unkId().isPresent() && text[0] == tok.unkId().getAsLong())) {
                throw new UserInputException(tok.file() + ": has no token '" + token + "' (not the factor-graph data's"
                        + " tokenizer.json?)");
            }
            return text[0];
        }
    }
}
