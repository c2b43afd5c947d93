package dev.mono4j.demo;

import java.nio.file.Path;
import java.util.List;

/**
 * The main job's settings. Defaults fit the 10-minute budget on two CPU cores: a 20,000-story ConceptWorld
 * in two dialects, and a capacity ladder of two Llama-layout models (xs and s).
 *
 * @param presets     model sizes to pretrain, smallest first
 * @param steps       optimizer steps per preset (same length as presets)
 * @param lr          peak learning rate; 1e-2 learns ConceptWorld's topic conditioning far sooner than the
 *                    pretrain default 3e-3 at these sizes (docs/benchmarks.md)
 * @param samples     stories sampled from each model for the report
 */
public record DemoConfig(Path out, int docs, int dialects, List<String> presets, List<Integer> steps, double lr,
        long seed, int samples) {
    public static final DemoConfig DEFAULT = new DemoConfig(Path.of("demo-out"), 20_000, 2, List.of("xs", "s"),
            List.of(800, 1400), 1e-2, 1, 4);

    public DemoConfig {
        presets = List.copyOf(presets);
        steps = List.copyOf(steps);
        if (presets.isEmpty() || presets.size() != steps.size()) {
            throw new IllegalArgumentException("give one step count per preset");
        }
        if (docs < 10 || samples < 0 || steps.stream().anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("need docs >= 10, samples >= 0 and steps >= 1");
        }
    }
}
