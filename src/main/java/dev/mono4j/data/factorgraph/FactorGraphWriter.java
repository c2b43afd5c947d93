package dev.mono4j.data.factorgraph;

import dev.mono4j.data.Shuffle;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.tokenize.WordLevelTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a factor-graph folder (docs/factorgraph.md): {@code train.txt}, {@code valid.txt}, {@code ood.txt}, each
 * with its {@code SPLIT.answers.jsonl}, {@code graph.json} (structure, tables, the OOD root marginals),
 * {@code tokenizer.json} (WordLevel, {@link FactorGraphTokens}) and {@code stats.json} (the Bayes losses per split).
 */
public final class FactorGraphWriter {
    /** The entries a factor-graph folder holds. */
    public static final List<String> OUTPUTS = List.of("train.txt", "valid.txt", "ood.txt", "train.answers.jsonl",
            "valid.answers.jsonl", "ood.answers.jsonl", "graph.json", "tokenizer.json", "stats.json");

    private FactorGraphWriter() {
    }

    /** The graphs and splits of a config: a pure function of it. */
    public record Data(FactorGraph graph, FactorGraph oodGraph, List<FactorGraphSample> train, List<FactorGraphSample> valid,
            List<FactorGraphSample> ood) {
        public List<FactorGraphSample> split(FactorGraphSplit s) {
            return switch (s) {
                case TRAIN -> train;
                case VALID -> valid;
                case OOD -> ood;
            };
        }
    }

    /** The Bayes-optimal loss of a split (nats): mean −ln p*(sampled value), on all lines, root lines, the rest. */
    public record SplitStats(int lines, int rootLines, double bayesNll, double bayesNllRoots, double bayesNllNonRoots,
            double meanEntropy) {
        static SplitStats of(List<FactorGraphSample> samples) {
            List<FactorGraphSample> roots = samples.stream().filter(FactorGraphSample::root).toList();
            List<FactorGraphSample> rest = samples.stream().filter(s -> !s.root()).toList();
            return new SplitStats(samples.size(), roots.size(), mean(samples), mean(roots), mean(rest),
                    samples.stream().mapToDouble(FactorGraphSample::entropy).average().orElse(Double.NaN));
        }

        private static double mean(List<FactorGraphSample> s) {
            return s.stream().mapToDouble(FactorGraphSample::bayesNll).average().orElse(Double.NaN);
        }
    }

    /**
     * Draws everything from one seed: the graph, then the OOD root marginals, then the train, valid and OOD lines,
     * each from its own {@link SplittableRandom#split()} of the seed's generator, so changing one split's size
     * leaves the graph and the other splits as they were.
     */
    public static Data generate(FactorGraphConfig cfg) {
        SplittableRandom seed = new SplittableRandom(cfg.seed());
        SplittableRandom graphRng = seed.split();
        SplittableRandom oodGraphRng = seed.split();
        SplittableRandom trainRng = seed.split();
        SplittableRandom validRng = seed.split();
        SplittableRandom oodRng = seed.split();
        FactorGraph graph = FactorGraph.random(cfg.variables(), cfg.values(), cfg.maxParents(), cfg.alpha(), graphRng);
        FactorGraph oodGraph = graph.withRedrawnRoots(cfg.alpha(), oodGraphRng);
        return new Data(graph, oodGraph, draw(graph, cfg.samples(), trainRng), draw(graph, cfg.valid(), validRng),
                draw(oodGraph, cfg.ood(), oodRng));
    }

    /**
     * {@code count} lines: a full ancestral sample, a masked variable uniform over all V (our choice), the other
     * V − 1 pairs in a uniformly random order (so position carries no information about the variable), and the
     * exact conditional of the masked variable under {@code graph}.
     */
    static List<FactorGraphSample> draw(FactorGraph graph, int count, SplittableRandom rng) {
        List<FactorGraphSample> out = new ArrayList<>(count);
        int variables = graph.variables();
        for (int n = 0; n < count; n++) {
            int[] x = graph.sample(rng);
            int masked = rng.nextInt(variables);
            int[] order = java.util.Arrays.stream(Shuffle.permutation(variables, rng)).filter(v -> v != masked).toArray();
            out.add(new FactorGraphSample(order, x, masked, graph.conditional(masked, x), graph.markovBlanket(masked),
                    graph.isRoot(masked)));
        }
        return out;
    }

    /** Writes the folder's files into {@code dir} (which the caller prepared) and returns each split's Bayes loss. */
    public static Map<FactorGraphSplit, SplitStats> write(FactorGraphConfig cfg, Path dir) {
        Data data = generate(cfg);
        Map<FactorGraphSplit, SplitStats> stats = new java.util.EnumMap<>(FactorGraphSplit.class);
        for (FactorGraphSplit s : FactorGraphSplit.values()) {
            List<FactorGraphSample> samples = data.split(s);
            AtomicFiles.writeLines(dir.resolve(s.textFile()), samples.stream().map(FactorGraphSample::line).toList());
            AtomicFiles.writeLines(dir.resolve(s.answersFile()), samples.stream().map(FactorGraphSplit::answerLine).toList());
            stats.put(s, SplitStats.of(samples));
        }
        WordLevelTokenizer.write(dir.resolve("tokenizer.json"), FactorGraphTokens.vocabulary(cfg.variables(), cfg.values()));
        AtomicFiles.writeString(dir.resolve("graph.json"), Json.write(graphJson(cfg, data.graph(), data.oodGraph())));
        Map<String, Object> statsJson = Json.object("config", cfg);
        stats.forEach((s, v) -> statsJson.put(s.name().toLowerCase(java.util.Locale.ROOT), v));
        statsJson.put("note", "bayes_nll: mean -ln p*(sampled value | the other variables), nats, under the exact conditional"
                + " of the split's own graph (OOD: the roots' marginals re-drawn); a model's excess loss is its NLL minus this"
                + " on the same lines");
        AtomicFiles.writeString(dir.resolve("stats.json"), Json.write(statsJson));
        return stats;
    }

    private static Map<String, Object> graphJson(FactorGraphConfig cfg, FactorGraph graph, FactorGraph oodGraph) {
        List<Object> variables = new ArrayList<>();
        for (int v = 0; v < graph.variables(); v++) {
            List<double[]> tables = new ArrayList<>();
            for (int c = 0; c < graph.configurations(v); c++) {
                tables.add(graph.table(v, c));
            }
            variables.add(Json.object("variable", v, "parents", graph.parents(v), "children", graph.children(v),
                    "markov_blanket", graph.markovBlanket(v), "tables", tables));
        }
        List<Object> oodRoots = new ArrayList<>();
        for (int r : graph.roots()) {
            oodRoots.add(Json.object("variable", r, "table", oodGraph.table(r, 0)));
        }
        Map<String, Object> json = Json.object("config", cfg, "order", graph.order(), "roots", graph.roots(),
                "variables", variables, "ood_root_tables", oodRoots);
        json.put("tables_note", "tables[c][k] = p(x_v = k | parent configuration c); c is the parents' values (ascending"
                + " variable order) read as a base-K number, first parent most significant; a root has one configuration");
        return json;
    }
}
