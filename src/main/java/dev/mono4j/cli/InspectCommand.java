package dev.mono4j.cli;

import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.ParameterLayout;
import dev.mono4j.hooks.HookPoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Reads a checkpoint's config and tensor headers (no weights) and describes it. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Architecture, parameter count, dtypes and hook names of a checkpoint.")
final class InspectCommand extends CliCommand {
    @Mixin
    CheckpointFolder checkpoint;

    @Option(names = "--json", description = "Print the description as JSON.")
    boolean json;

    @Override
    public void run() {
        Path dir = checkpoint.dir;
        Checkpoint.Contents c = Checkpoint.inspect(dir);
        ModelConfig m = c.config();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("checkpoint", dir.toString());
        d.put("architecture", m.family().hfArchitecture());
        d.put("layers", m.numLayers());
        d.put("hidden_size", m.hiddenSize());
        d.put("heads", m.numHeads());
        d.put("kv_heads", m.numKvHeads());
        d.put("head_dim", m.headDim());
        d.put("mlp_size", m.intermediateSize());
        d.put("vocab_size", m.vocabSize());
        d.put("context", m.maxPositions());
        d.put("tied_embeddings", m.tieEmbeddings());
        if (!m.causal()) {
            d.put("type_vocab_size", m.typeVocabSize());
        }
        if (!m.family().learnedPositions()) {
            d.put("rope_theta", m.ropeTheta());
            d.put("rope_scaling", m.ropeScaling() == null ? "none" : "llama3 x" + m.ropeScaling().factor());
            d.put("sliding_window", windows(m));
        }
        Map<String, String> details = m.family().details(m);
        d.putAll(details);
        long params = ParameterLayout.count(m);
        d.put("parameters", params);
        d.put("dtypes", c.elementsByDtype().entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new)));
        d.put("unused_tensors", c.unused());
        d.put("tokenizer", Files.exists(dir.resolve("tokenizer.json")) ? "tokenizer.json" : "none");
        d.put("hook_points", hookSummary(m));
        var out = out();
        if (json) {
            out.println(Json.write(d));
            return;
        }
        out.printf("checkpoint    %s%n", dir);
        out.printf("architecture  %s%n", m.family().hfArchitecture());
        out.printf("shape         %d layers, hidden %d, %d heads (%d kv, head_dim %d), %svocab %d, context %d%n",
                m.numLayers(), m.hiddenSize(), m.numHeads(), m.numKvHeads(), m.headDim(),
                m.intermediateSize() > 0 ? "mlp " + m.intermediateSize() + ", " : "", m.vocabSize(), m.maxPositions());
        if (!m.family().learnedPositions()) {
            out.printf("positions     rotary, theta %s, scaling %s, sliding window %s%n", m.ropeTheta(),
                    d.get("rope_scaling"), d.get("sliding_window"));
        }
        details.forEach((k, v) -> out.printf("%-13s %s%n", k, v));
        out.printf("embeddings    %s%n", !m.causal() ? "no lm_head (encoder: outputs the last hidden state)"
                : m.tieEmbeddings() ? "tied to lm_head" : "separate lm_head");
        out.printf("parameters    %,d (%.1fM)%n", params, params / 1e6);
        out.printf("dtype         %s%n", c.elementsByDtype().entrySet().stream()
                .map(e -> e.getKey() + " (" + String.format("%,d", e.getValue()) + " values)")
                .collect(Collectors.joining(", ")));
        out.printf("unused        %s%n", c.unused().isEmpty() ? "none" : String.join(", ", c.unused()));
        out.printf("tokenizer     %s%n", d.get("tokenizer"));
        out.println("hook points");
        hookSummary(m).forEach(h -> out.println("  " + h));
    }
    /** "none", or the window and the layers that use it. */
    static String windows(ModelConfig m) {
        List<Integer> w = m.layerWindows();
        int window = w.stream().mapToInt(Integer::intValue).max().orElse(0);
        long n = w.stream().filter(x -> x > 0).count();
        if (window == 0) {
            return "none";
        }
        return n == w.size() ? window + " tokens, every layer"
                : window + " tokens on " + n + " of " + w.size() + " layers, from layer " + w.indexOf(window);
    }

    /** Hook names with the layer index folded into a range: blocks.{0..N-1}.hook_resid_pre. */
    static List<String> hookSummary(ModelConfig m) {
        String range = "{0.." + (m.numLayers() - 1) + "}";
        return m.hookNames().stream().map(h -> HookPoint.withLayer(h, range)).distinct().toList();
    }
}
