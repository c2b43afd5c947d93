package dev.mono4j.report;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A report using every feature; {@code main} writes it for a look in a browser (default /tmp/report-sample.html). */
public final class ReportSample {
    static HtmlReport build() {
        double[] steps = new double[200];
        double[] train = new double[200];
        double[] eval = new double[200];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i * 50;
            train[i] = 2.1 + 3.0 * Math.exp(-i / 30.0) + 0.05 * Math.sin(i);
            eval[i] = i % 10 == 0 ? 2.2 + 3.1 * Math.exp(-i / 32.0) : Double.NaN;
        }
        double[] kl = new double[60];
        for (int i = 0; i < kl.length; i++) {
            kl[i] = 5 * Math.exp(-i / 7.0) + 1e-3;
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("final loss", 2.1487);
        summary.put("tokens", 12_582_912L);
        summary.put("dead latents", "3.1%");
        return HtmlReport.builder("mono4j demo <script>alert(1)</script>")
                .subtitle("DecPO on a tiny Llama, ConceptWorld data")
                .runInfo("model", "llama-tiny-bf16-sharded").runInfo("seed", 1).runInfo("date", "2025-01-01")
                .section("Training")
                .paragraph("Loss falls towards the entropy floor of the synthetic language; eval is measured every 500 steps.")
                .chart(LineChart.builder("Cross-entropy loss").xLabel("step").yLabel("loss (nats)")
                        .series("train", steps, train).series("eval", steps, eval)
                        .referenceLine(2.0, "entropy floor").build(), "Figure 1: train and eval loss.")
                .chart(LineChart.builder("KL to reference (log scale)").xLabel("step").yLabel("KL").logY(true)
                        .series("KL(policy ‖ reference)", kl).build())
                .keyValues(summary)
                .section("Monosemanticity per layer")
                .chart(BarChart.builder("Concept selectivity per layer").xLabel("layer").yLabel("selectivity")
                        .categories("L0", "L1", "L2", "L3", "L4", "L5")
                        .series("baseline", 0.21, 0.25, 0.31, 0.29, 0.27, 0.22)
                        .series("DecPO", 0.24, 0.33, 0.41, 0.44, 0.38, 0.30)
                        .series("DecPO + MEmeL", 0.26, 0.35, 0.47, 0.52, 0.43, Double.NaN)
                        .referenceLine(0.25, "random features").build())
                .table(List.of("method", "aligned %", "selectivity", "KL", "note"), List.of(
                        List.of("DPO", 61.2, 0.31, 0.0421, "baseline"),
                        List.of("DecPO", 72.5, 0.44, 0.0389, "λ = 0.1"),
                        List.of("DecPO + MEmeL", 74.0, 0.52, 0.051, "<b>not bold</b>")))
                .section("Samples")
                .preformatted("Prompt: The red cube is\nCompletion: on top of the blue sphere, which <is> & was\n\tindented "
                        + "and a very long line ".repeat(8))
                .build();
    }

    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "/tmp/report-sample.html");
        build().write(out);
        System.out.println(out);
    }
}
