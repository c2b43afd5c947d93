package dev.mono4j.lcm;

import dev.mono4j.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@link ConceptModel}s {@code lcm eval} (and {@code lcm generate}) open by name: the baselines, registered
 * here, or a trained LCM's folder ({@link LcmModels#load}).
 */
public final class ConceptModels {
    private static final Map<String, Function<ConceptCorpus, ConceptModel>> BASELINES = new LinkedHashMap<>();

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

    /** The baseline called {@code spec}, or the trained model in folder {@code spec}. */
    public static ConceptModel open(String spec, ConceptCorpus corpus) {
        Function<ConceptCorpus, ConceptModel> baseline = BASELINES.get(spec);
        if (baseline != null) {
            return baseline.apply(corpus);
        }
        Path dir = Path.of(spec);
        if (!Files.isDirectory(dir)) {
            throw new UserInputException("--model " + spec + ": neither a baseline (" + String.join(", ", baselines())
                    + ") nor a model folder");
        }
        // A model trained in another concept space would be read in the wrong coordinates: refuse it.
        LcmSettings trained = LcmModels.settings(dir);
        if (trained.dim() != corpus.dim() || !trained.encoder().equals(corpus.encoder())) {
            throw new UserInputException("--model " + spec + ": trained on " + trained.encoder() + " (" + trained.dim()
                    + "-d), but the concepts come from " + corpus.encoder() + " (" + corpus.dim() + "-d)");
        }
        return LcmModels.load(dir);
    }
}
