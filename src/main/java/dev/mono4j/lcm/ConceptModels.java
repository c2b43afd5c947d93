package dev.mono4j.lcm;

import dev.mono4j.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@link ConceptModel}s {@code lcm eval} (and {@code lcm generate}) open by name: the baselines, registered
 * here, or a trained LCM's folder, opened by the {@link Loader} the model code registers ({@link #registerLoader};
 * until then a folder is refused in one line).
 */
public final class ConceptModels {
    /** Opens a trained model folder (the models' {@code LcmModels.load}). */
    @FunctionalInterface
    public interface Loader {
        ConceptModel load(Path dir);
    }

    private static final Map<String, Function<ConceptCorpus, ConceptModel>> BASELINES = new LinkedHashMap<>();
    private static Loader loader;

    static {
        BASELINES.put("copy-last", c -> Baselines.copyLast());
        BASELINES.put("mean", Baselines::mean);
        BASELINES.put("nearest-context", Baselines::nearestContext);
    }

    private ConceptModels() {
    }

    /** The names of the baselines, in order. */
    public static java.util.Set<String> baselines() {
        return BASELINES.keySet();
    }

    /** Makes {@code loader} the way folders are opened (the model code calls this once). */
    public static synchronized void registerLoader(Loader l) {
        loader = l;
    }

    /** The baseline called {@code spec}, or the trained model in folder {@code spec}. */
    public static synchronized ConceptModel open(String spec, ConceptCorpus corpus) {
        Function<ConceptCorpus, ConceptModel> baseline = BASELINES.get(spec);
        if (baseline != null) {
            return baseline.apply(corpus);
        }
        Path dir = Path.of(spec);
        if (!Files.isDirectory(dir)) {
            throw new UserInputException("--model " + spec + ": neither a baseline (" + String.join(", ", baselines())
                    + ") nor a model folder");
        }
        if (loader == null) {
            throw new UserInputException("--model " + spec + ": this build cannot load trained LCM folders (no loader"
                    + " registered)");
        }
        return loader.load(dir);
    }
}
