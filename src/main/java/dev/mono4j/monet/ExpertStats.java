package dev.mono4j.monet;

import ai.djl.ndarray.NDArray;
import dev.mono4j.UserInputException;
import dev.mono4j.data.LabelledText;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.MonetFamily;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per routing group and label, the mean over text tokens of each expert's score g_ij = Σ_h g¹_hi g²_hj ([P] arXiv
 * 2412.04139v4 §3, the expert score; App. D.1 averages it per domain). Statistics are per router layer: the layers of
 * a group share its routing ({@link ExpertMask}).
 *
 * <p>Read from the two route hooks without forming the grid per token: over the rows R of a label in a batch,
 * Σ_r g_ij(r) = Σ_(r,h) g¹_(r,h),i g²_(r,h),j, one {@code [√N, R·H] × [R·H, √N]} product: O(R·H·N) work and
 * {@code N} floats per label and batch, never {@code [B, T, √N, √N]}.
 */
public final class ExpertStats {
    private final int experts;
    private final Map<Integer, LabelMeans> byRouter;

    private ExpertStats(int experts, Map<Integer, LabelMeans> byRouter) {
        this.experts = experts;
        this.byRouter = byRouter;
    }

    /** Runs the Monet {@code model} over {@code texts}, every one labelled. */
    public static ExpertStats collect(TransformerLM model, Tokenizer tok, List<LabelledText> texts, int batchSize,
            int maxTokens) {
        requireLabels(texts);
        int e = MonetFamily.settings(model.config()).moeExperts();
        List<Integer> routers = ExpertMask.routers(model.config());
        Map<Integer, LabelMeans> by = new LinkedHashMap<>();
        routers.forEach(r -> by.put(r, new LabelMeans(e * e)));
        Passes.run(model, tok, texts, batchSize, maxTokens, () -> routeCapture(routers), pass -> {
            Map<String, long[]> rows = pass.rowsByLabel();
            for (int r : routers) {
                NDArray g1 = pass.hooks().get(HookPoint.moeRoute(r, 1));
                NDArray g2 = pass.hooks().get(HookPoint.moeRoute(r, 2));
                rows.forEach((label, flat) -> {
                    NDArray a = pass.rows(g1, flat).reshape(-1, e);
                    NDArray b = pass.rows(g2, flat).reshape(-1, e);
                    by.get(r).add(label, a.transpose().matMul(b).toFloatArray(), flat.length);
                });
            }
        });
        return new ExpertStats(e, by);
    }

    /** Captures both sides' routing of every router layer (which never materialises the grid). */
    static Hooks routeCapture(List<Integer> routers) {
        Hooks h = Hooks.none();
        for (int r : routers) {
            h.alsoCapture(HookPoint.moeRoute(r, 1) + "," + HookPoint.moeRoute(r, 2));
        }
        return h;
    }

    static void requireLabels(List<LabelledText> texts) {
        if (texts.isEmpty()) {
            throw new UserInputException("no texts to compute statistics over");
        }
        for (LabelledText t : texts) {
            if (t.label() == null) {
                throw new UserInputException(t.source() + ": no label (every text needs one: a \"label\" field, --labels,"
                        + " or --by for ConceptWorld stories)");
            }
        }
    }

    /** √N, the experts per side. */
    public int experts() {
        return experts;
    }

    /** Per router layer, the means per label over the √N·√N cells {@code i · √N + j}. */
    public Map<Integer, LabelMeans> byRouter() {
        return java.util.Collections.unmodifiableMap(byRouter);
    }

    /** The labels seen, alphabetical. */
    public List<String> labels() {
        return List.copyOf(byRouter.values().iterator().next().tokens().keySet());
    }

    /** One expert of a label: its group's router layer, its cell, its mean score on the label and mean / runner-up. */
    public record Expert(int router, int i, int j, double mean, double ratio) {
    }

    /** The experts of {@code label} under the ≥ ratio rule ({@link SelectivityRule}), group by group. */
    public List<Expert> assigned(String label, double ratio) {
        List<Expert> out = new ArrayList<>();
        byRouter.forEach((router, means) -> {
            for (SelectivityRule.Unit u : SelectivityRule.selective(means.means(), label, ratio)) {
                out.add(new Expert(router, u.index() / experts, u.index() % experts, u.mean(), u.ratio()));
            }
        });
        return out;
    }

    /** The cells {@code i · √N + j} of {@code experts}, per router layer (the form {@link ExpertMask#of} takes). */
    public static Map<Integer, List<Integer>> cells(List<Expert> experts, int perSide) {
        Map<Integer, List<Integer>> out = new java.util.TreeMap<>();
        for (Expert x : experts) {
            out.computeIfAbsent(x.router(), k -> new ArrayList<>()).add(x.i() * perSide + x.j());
        }
        return out;
    }
}
