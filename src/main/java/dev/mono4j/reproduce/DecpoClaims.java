package dev.mono4j.reproduce;

import dev.mono4j.align.AlignCompare;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/** The paper's claims (/work/shared/papers/decpo.md §4–§5, v1 numbering) decided on our numbers. */
final class DecpoClaims {
    private DecpoClaims() {
    }

    /**
     * Table 2 (v1) of the paper, GPT-3.5-judged scores, per method and task: L2-7b-base / L2-7b-chat / L3-8b-Instruct
     * (decpo.md §5). SimDPO is the paper's name for SimPO.
     */
    static final Map<String, Map<String, String>> PAPER_TABLE2 = Map.of(
            "sft", Map.of("toxicity", "26.0 / 24.0 / 36.0", "reframe", "31.7 / 67.2 / 72.5", "sycophancy", "20.0 / 64.4 / 11.1"),
            "dpo", Map.of("toxicity", "44.0 / 30.0 / 56.0", "reframe", "45.6 / 69.5 / 78.3", "sycophancy", "11.1 / 68.0 / 13.3"),
            "simpo", Map.of("toxicity", "42.0 / 26.0 / 53.0", "reframe", "46.7 / 63.0 / 83.6", "sycophancy", "20.0 / 46.7 / 11.1"),
            "l1", Map.of("toxicity", "50.0 / 28.0 / 58.0", "reframe", "47.8 / 62.8 / 83.6", "sycophancy", "13.3 / 67.0 / 11.1"),
            "decpo", Map.of("toxicity", "56.0 / 43.0 / 57.0", "reframe", "53.3 / 75.8 / 84.2", "sycophancy", "22.2 / 74.0 / 17.8"));

    static List<Claim> all(ReproduceDecpoConfig cfg, Map<String, Map<String, ReproduceDecpo.TaskResult>> table,
            Map<String, PresetFigures> figures, String decpoRow) {
        List<Claim> claims = new ArrayList<>();
        claims.add(sizeClaim(figures));
        claims.add(pairedOverSeeds("Fig 2", "DPO consistently raises the weight proxy (median ‖W_in‖·b_in) in every model size",
                "raised in GPT-2 medium, large and xl", "DPO − base, mean over blocks of the median", figures,
                (f, s) -> f.weightProxyDpo().get(s), (f, s) -> f.weightProxyBase()));
        claims.add(pairedOverSeeds("Fig 3", "a DPO-trained model has much higher FD than its base", "Llama-2-7b, three datasets",
                "FD after DPO − base, mean over blocks", figures, (f, s) -> f.fdDpo().get(s), (f, s) -> f.fdBase()));
        claims.add(fdFalls(figures));
        claims.add(pairedOverSeeds("Fig 4", "DecPO keeps FD higher than DPO, especially late in training", "Toxicity",
                "FD at the end, DecPO − DPO, mean over blocks", figures, (f, s) -> f.fdDecpo().get(s), (f, s) -> f.fdDpo().get(s)));
        claims.add(deeperVariance(figures));
        claims.add(margins(figures, false));
        claims.add(margins(figures, true));
        claims.add(fig7Claim(figures));
        for (String task : cfg.tasks()) {
            for (String row : table.values().iterator().next().get(task).rows().keySet()) {
                if (row.startsWith("decpo")) {
                    claims.add(table2Claim(table, task, row));
                }
            }
        }
        return claims;
    }

    /** Pairs (preset, seed): the mean over blocks of {@code a}'s and {@code b}'s values for that seed. */
    private static Claim pairedOverSeeds(String figure, String claim, String paper, String what,
            Map<String, PresetFigures> figures, BiFunction<PresetFigures, Integer, double[]> a,
            BiFunction<PresetFigures, Integer, double[]> b) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (PresetFigures f : figures.values()) {
            for (int s = 0; s < f.fdDpo().size(); s++) {
                xs.add(PresetFigures.mean(a.apply(f, s)));
                ys.add(PresetFigures.mean(b.apply(f, s)));
            }
        }
        return Claim.paired(figure, claim, paper, what, toArray(xs), toArray(ys));
    }

    /**
     * Fig 2 (a): no clear link between size and the proxy. Rule (ours): with at least three presets, supported when
     * the base models' mean normalised proxy is not monotone in size, not supported when it is; inconclusive
     * with fewer presets (one pretraining seed per preset, so no test).
     */
    private static Claim sizeClaim(Map<String, PresetFigures> figures) {
        List<String> parts = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        figures.forEach((preset, f) -> {
            double v = PresetFigures.mean(f.weightProxyBase());
            values.add(v);
            parts.add(String.format(Locale.ROOT, "%s %.3f", preset, v));
        });
        boolean up = true;
        boolean down = true;
        for (int i = 1; i < values.size(); i++) {
            up &= values.get(i) > values.get(i - 1);
            down &= values.get(i) < values.get(i - 1);
        }
        String verdict = values.size() < 3 ? Claim.INCONCLUSIVE : up || down ? Claim.NOT_SUPPORTED : Claim.SUPPORTED;
        return new Claim("Fig 2", "no clear link between model size and monosemanticity (weight proxy)",
                "xl and large above medium, large ≈ xl", "mean normalised proxy of the base models: " + String.join(", ", parts),
                null, verdict, "with ≥ 3 presets: supported when not monotone in size, not supported when monotone;"
                        + " inconclusive with fewer (one pretraining seed each, no test)");
    }

    /** Fig 4 (a): DPO's FD rises quickly and then falls: FD at the first logged step after 0 against the end. */
    private static Claim fdFalls(Map<String, PresetFigures> figures) {
        List<Double> early = new ArrayList<>();
        List<Double> end = new ArrayList<>();
        for (PresetFigures f : figures.values()) {
            for (Map<Integer, double[]> steps : f.fdStepsDpo()) {
                TreeMap<Integer, double[]> sorted = new TreeMap<>(steps);
                sorted.remove(0);
                early.add(PresetFigures.mean(sorted.firstEntry().getValue()));
                end.add(PresetFigures.mean(sorted.lastEntry().getValue()));
            }
        }
        return Claim.paired("Fig 4", "FD rises quickly under DPO, then falls as the model overfits", "Toxicity",
                "DPO's FD at ¼ of training − at the end, mean over blocks", toArray(early), toArray(end));
    }

    /** Fig 5: DecPO − DPO variance across dimensions, mean over the deeper half of the blocks. */
    private static Claim deeperVariance(Map<String, PresetFigures> figures) {
        List<Double> decpo = new ArrayList<>();
        List<Double> dpo = new ArrayList<>();
        for (PresetFigures f : figures.values()) {
            for (int s = 0; s < f.varianceDpo().size(); s++) {
                decpo.add(deeperHalf(f.varianceDecpo().get(s)));
                dpo.add(deeperHalf(f.varianceDpo().get(s)));
            }
        }
        return Claim.paired("Fig 5", "DecPO raises the activation variance across dimensions over DPO in deeper layers",
                "Llama2-7b-base, Llama3-8b-instruct; larger on Llama2", "DecPO − DPO variance, mean over the deeper half of"
                        + " the blocks", toArray(decpo), toArray(dpo));
    }

    private static double deeperHalf(double[] v) {
        return PresetFigures.mean(java.util.Arrays.copyOfRange(v, v.length / 2, v.length));
    }

    /** Fig 6: DecPO's reward margin above DPO's, averaged over the logged steps, training batches or held-out pairs. */
    private static Claim margins(Map<String, PresetFigures> figures, boolean heldOut) {
        List<Double> decpo = new ArrayList<>();
        List<Double> dpo = new ArrayList<>();
        for (PresetFigures f : figures.values()) {
            for (int s = 0; s < f.marginsDpo().size(); s++) {
                PresetFigures.Margins a = f.marginsDecpo().get(s);
                PresetFigures.Margins b = f.marginsDpo().get(s);
                decpo.add(PresetFigures.mean(heldOut ? a.eval() : a.train()));
                dpo.add(PresetFigures.mean(heldOut ? b.eval() : b.train()));
            }
        }
        String which = heldOut ? "held-out" : "training";
        return Claim.paired("Fig 6", "DecPO's " + which + " reward margin stays above DPO's throughout training",
                "Llama2-7b-hf, train and eval", "DecPO − DPO " + which + " margin, mean over logged steps", toArray(decpo),
                toArray(dpo));
    }

    /**
     * Fig 7: for Toxicity, regularizing middle layers works best. Rule (ours): the block with the highest mean
     * alignment lies in the middle third of relative depth (l / (L − 1) in [1/3, 2/3]) — supported for every
     * preset, not supported for none, inconclusive otherwise or with fewer than three blocks tried.
     */
    private static Claim fig7Claim(Map<String, PresetFigures> figures) {
        int middle = 0;
        int tried = Integer.MAX_VALUE;
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, PresetFigures> e : figures.entrySet()) {
            PresetFigures f = e.getValue();
            int best = -1;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (Map.Entry<Integer, List<Double>> l : f.fig7Alignment().entrySet()) {
                double v = AlignCompare.mean(l.getValue());
                if (v > bestValue) {
                    best = l.getKey();
                    bestValue = v;
                }
            }
            double depth = f.layers() == 1 ? 0 : (double) best / (f.layers() - 1);
            middle += depth >= 1.0 / 3 && depth <= 2.0 / 3 ? 1 : 0;
            tried = Math.min(tried, f.fig7Alignment().size());
            parts.add(String.format(Locale.ROOT, "%s: block %d of %d (%.1f%%)", e.getKey(), best, f.layers(), 100 * bestValue));
        }
        String verdict = tried < 3 ? Claim.INCONCLUSIVE : middle == figures.size() ? Claim.SUPPORTED
                : middle == 0 ? Claim.NOT_SUPPORTED : Claim.INCONCLUSIVE;
        return new Claim("Fig 7", "the regularized layer matters; middle layers are best for Toxicity", "Llama2-7b-hf and -chat",
                "best block by mean alignment: " + String.join(", ", parts), null, verdict,
                "best block in the middle third of depth for every preset: supported; for none: not supported; otherwise,"
                        + " or with < 3 blocks tried: inconclusive");
    }

    /** Table 2: DecPO's alignment above DPO's on one task, paired over (preset, seed). */
    private static Claim table2Claim(Map<String, Map<String, ReproduceDecpo.TaskResult>> table, String task, String row) {
        List<Double> decpo = new ArrayList<>();
        List<Double> dpo = new ArrayList<>();
        for (Map<String, ReproduceDecpo.TaskResult> tasks : table.values()) {
            ReproduceDecpo.TaskResult r = tasks.get(task);
            for (int s = 0; s < r.rows().get("dpo").alignment().size(); s++) {
                decpo.add(100 * r.rows().get(row).alignment().get(s));
                dpo.add(100 * r.rows().get("dpo").alignment().get(s));
            }
        }
        return Claim.paired("Table 2", "DecPO (" + row + ") aligns better than DPO on " + task,
                "DecPO − DPO: " + paperGap(task), "alignment % " + row + " − dpo", toArray(decpo), toArray(dpo));
    }

    /** The paper's DecPO − DPO gaps on a task, for its three models. */
    private static String paperGap(String task) {
        String[] dec = PAPER_TABLE2.get("decpo").get(task).split(" / ");
        String[] dpo = PAPER_TABLE2.get("dpo").get(task).split(" / ");
        List<String> gaps = new ArrayList<>();
        for (int i = 0; i < dec.length; i++) {
            gaps.add(String.format(Locale.ROOT, "%+.1f", Double.parseDouble(dec[i]) - Double.parseDouble(dpo[i])));
        }
        return String.join(" / ", gaps) + " points (L2-base / L2-chat / L3-instruct)";
    }

    private static double[] toArray(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static String markdown(ReproduceDecpoConfig cfg, List<Claim> claims, double seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Presets %s, %d seed(s), tasks %s, %d alignment steps%s; wall time %.1f min.%n%n",
                cfg.presets(), cfg.seeds(), cfg.tasks(), cfg.alignSteps(), cfg.quick() ? " (--quick)" : "", seconds / 60));
        sb.append("| figure | claim (paper) | paper | ours | verdict |\n|---|---|---|---|---|\n");
        for (Claim c : claims) {
            sb.append(c.markdownRow()).append('\n');
        }
        sb.append("\nRule: ").append(Claim.T_RULE).append(". Fig 2 (size) and Fig 7 use the rules in the report.\n");
        return sb.toString();
    }
}
