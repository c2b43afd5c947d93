package dev.mono4j.metrics;

import dev.mono4j.data.TextSource;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.OutputFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code measure}: measures several models on the same texts and writes metrics.json and report.html. */
public final class Measure {
    /** What a measure folder holds; only these are replaced by a rerun with overwrite. */
    public static final Set<String> OUTPUTS = Set.of("metrics.json", "report.html");

    private Measure() {
    }

    public record Result(Path metrics, Path report, List<Measurement.ModelResult> models) {
    }

    /**
     * Short distinct names for model folders: the last path element, with parents added while names
     * collide ("runs/base/final" and "runs/dpo/final" become "base/final" and "dpo/final").
     */
    static List<String> names(List<Path> dirs) {
        List<Path> abs = dirs.stream().map(d -> d.toAbsolutePath().normalize()).toList();
        int[] depth = new int[abs.size()];
        java.util.Arrays.fill(depth, 1);
        while (true) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < abs.size(); i++) {
                Path p = abs.get(i);
                int n = p.getNameCount();
                names.add(n == 0 ? p.toString() : p.subpath(Math.max(0, n - depth[i]), n).toString());
            }
            boolean grew = false;
            for (int i = 0; i < abs.size(); i++) {
                if (java.util.Collections.frequency(names, names.get(i)) > 1 && depth[i] < abs.get(i).getNameCount()) {
                    depth[i]++;
                    grew = true;
                }
            }
            if (!grew) {
                return names;
            }
        }
    }

    /** Measures each model in {@code modelDirs}; {@code nonFinite}: whether NaN or ±Inf weights load. */
    public static Result run(List<Path> modelDirs, TextSource texts, MeasureConfig cfg, Path out, boolean overwrite,
            NonFinite nonFinite, boolean showProgress) {
        String hint = "pass --overwrite to replace an earlier measurement, or --out";
        OutputFolder.check(out, OUTPUTS, overwrite, hint);
        for (Path dir : modelDirs) { // a bad folder fails now, not after the models before it were measured
            dev.mono4j.model.Checkpoint.inspect(dir);
            dev.mono4j.tokenize.Tokenizer.load(dir).close();
        }
        List<String> names = names(modelDirs);
        List<Measurement.ModelResult> models = new ArrayList<>();
        for (int i = 0; i < modelDirs.size(); i++) {
            models.add(Measurement.run(modelDirs.get(i), names.get(i), texts, cfg, nonFinite, showProgress));
        }
        OutputFolder.prepare(out, OUTPUTS, overwrite, hint);
        Path metrics = out.resolve("metrics.json");
        AtomicFiles.writeString(metrics, Json.write(Json.object("settings", cfg, "data", texts.name(), "models", models)));
        Path report = out.resolve("report.html");
        MeasureReport.build(models, cfg).write(report);
        return new Result(metrics, report, models);
    }
}
