package dev.mono4j.reproduce;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.align.AlignCompare;
import dev.mono4j.align.AlignData;
import dev.mono4j.align.AlignTrainer;
import dev.mono4j.metrics.WeightProxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One preset's numbers behind Figures 2–7, on the first task; lists run over seeds.
 *
 * @param layers            blocks
 * @param weightProxyBase   Figure 2: per block, median ‖W_in,j‖·b_in,j of the GPT-2-layout base divided by the base's
 *                          maximum over layers of the median |‖W_in,j‖·b_in,j| (metrics.WeightProxy, as the authors' code)
 * @param weightProxyDpo    the same after DPO, per seed, divided by the base's divisor so the two compare
 * @param fdBase            Figure 3: FD per block of the base (LayerProbe)
 * @param fdDpo             after DPO, per seed
 * @param fdDecpo           after DecPO, per seed
 * @param varianceDpo       Figure 5: variance across dimensions per block after DPO, per seed
 * @param varianceDecpo     after DecPO, per seed
 * @param fdStepsDpo        Figure 4: per seed, step → FD per block (step 0: the base; then align's logged fd_layers)
 * @param fdStepsDecpo      the same for DecPO
 * @param marginsDpo        Figure 6: per seed, the training and held-out reward margins over steps
 * @param marginsDecpo      the same for DecPO
 * @param fig7Alignment     Figure 7: regularized block → alignment per seed
 */
public record PresetFigures(int layers, double[] weightProxyBase, List<double[]> weightProxyDpo, double[] fdBase,
        List<double[]> fdDpo, List<double[]> fdDecpo, List<double[]> varianceDpo, List<double[]> varianceDecpo,
        List<Map<Integer, double[]>> fdStepsDpo, List<Map<Integer, double[]>> fdStepsDecpo, List<Margins> marginsDpo,
        List<Margins> marginsDecpo, Map<Integer, List<Double>> fig7Alignment) {

    /** Reward margins of one run: every step's training batch, and the held-out pairs where evaluated. */
    public record Margins(double[] steps, double[] train, double[] evalSteps, double[] eval) {
        static Margins of(List<JsonNode> log) {
            List<double[]> train = new ArrayList<>();
            List<double[]> eval = new ArrayList<>();
            for (JsonNode l : log) {
                train.add(new double[] {l.path("step").asDouble(), l.path("reward_margin").asDouble()});
                if (l.has("eval_reward_margin")) {
                    eval.add(new double[] {l.path("step").asDouble(), l.path("eval_reward_margin").asDouble()});
                }
            }
            return new Margins(column(train, 0), column(train, 1), column(eval, 0), column(eval, 1));
        }
    }

    static PresetFigures measure(ReproduceDecpoConfig cfg, Path model, ReproduceDecpo.TaskResult firstTask, String decpoRow,
            Path gpt2Base, ReproduceDecpo.TaskResult gpt2Dpo, Map<Integer, AlignCompare.MethodResult> fig7, AlignData data) {
        int maxPrompt = cfg.alignBase().maxPromptTokens();
        int maxLength = cfg.alignBase().maxLength();
        LayerProbe base = LayerProbe.of(model, data, maxPrompt, maxLength);
        WeightProxy.ByLayer base2 = ReproduceDecpo.weightProxy(gpt2Base);
        double[] proxyBase = base2.normalized();
        List<double[]> proxyDpo = new ArrayList<>();
        List<double[]> fdDpo = new ArrayList<>();
        List<double[]> fdDecpo = new ArrayList<>();
        List<double[]> varDpo = new ArrayList<>();
        List<double[]> varDecpo = new ArrayList<>();
        List<Map<Integer, double[]>> stepsDpo = new ArrayList<>();
        List<Map<Integer, double[]>> stepsDecpo = new ArrayList<>();
        List<Margins> marginsDpo = new ArrayList<>();
        List<Margins> marginsDecpo = new ArrayList<>();
        for (int s = 0; s < cfg.seeds(); s++) {
            double[] medians = ReproduceDecpo.weightProxy(gpt2Dpo.run("dpo", s).resolve(AlignTrainer.FINAL_DIR)).medians();
            proxyDpo.add(java.util.Arrays.stream(medians).map(m -> m / base2.scale()).toArray());
            Path dpo = firstTask.run("dpo", s);
            Path decpo = firstTask.run(decpoRow, s);
            LayerProbe pDpo = LayerProbe.of(dpo.resolve(AlignTrainer.FINAL_DIR), data, maxPrompt, maxLength);
            LayerProbe pDecpo = LayerProbe.of(decpo.resolve(AlignTrainer.FINAL_DIR), data, maxPrompt, maxLength);
            fdDpo.add(pDpo.fd());
            fdDecpo.add(pDecpo.fd());
            varDpo.add(pDpo.variance());
            varDecpo.add(pDecpo.variance());
            List<JsonNode> logDpo = ReproduceDecpo.log(dpo);
            List<JsonNode> logDecpo = ReproduceDecpo.log(decpo);
            stepsDpo.add(fdSteps(base.fd(), logDpo));
            stepsDecpo.add(fdSteps(base.fd(), logDecpo));
            marginsDpo.add(Margins.of(logDpo));
            marginsDecpo.add(Margins.of(logDecpo));
        }
        Map<Integer, List<Double>> fig7Alignment = new LinkedHashMap<>();
        fig7.forEach((layer, r) -> fig7Alignment.put(layer, r.alignment()));
        return new PresetFigures(base.fd().length, proxyBase, proxyDpo, base.fd(), fdDpo, fdDecpo, varDpo, varDecpo, stepsDpo,
                stepsDecpo, marginsDpo, marginsDecpo, fig7Alignment);
    }

    /** Step 0 (the base, measured by LayerProbe on the same texts as align's fd_layers) and every logged fd_layers. */
    static Map<Integer, double[]> fdSteps(double[] base, List<JsonNode> log) {
        Map<Integer, double[]> out = new LinkedHashMap<>();
        out.put(0, base);
        for (JsonNode l : log) {
            JsonNode fd = l.get("fd_layers");
            if (fd != null) {
                double[] v = new double[fd.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = fd.get(i).asDouble();
                }
                out.put(l.path("step").asInt(), v);
            }
        }
        return out;
    }

    private static double[] column(List<double[]> rows, int c) {
        return rows.stream().mapToDouble(r -> r[c]).toArray();
    }

    static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** Per block, the mean over seeds. */
    static double[] meanOverSeeds(List<double[]> perSeed) {
        double[] out = new double[perSeed.get(0).length];
        for (double[] v : perSeed) {
            for (int i = 0; i < out.length; i++) {
                out[i] += v[i] / perSeed.size();
            }
        }
        return out;
    }
}
