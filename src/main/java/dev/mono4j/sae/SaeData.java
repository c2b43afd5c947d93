package dev.mono4j.sae;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import java.nio.file.Path;

/**
 * Where an SAE's training rows come from, as saved with a run so that a resumed run reopens the same stream:
 * an activation store ({@code sae cache}) read through a shuffling buffer, or a synthetic superposition model
 * ({@code sae synth}) sampled fresh. Exactly one of {@code activations} and {@code synthetic} is set.
 */
public record SaeData(String activations, String synthetic, long seed, int bufferRows) {
    /** Rows the shuffling buffer holds: 262,144 rows of d_in 512 are 512 MB. */
    public static final int DEFAULT_BUFFER_ROWS = 1 << 18;

    public SaeData {
        if ((activations == null) == (synthetic == null)) {
            throw new IllegalArgumentException("give either an activation store or a synthetic data folder");
        }
        if (bufferRows < 1) {
            throw new IllegalArgumentException("buffer rows must be >= 1");
        }
    }

    public static SaeData store(Path dir, long seed, int bufferRows) {
        return new SaeData(dir.toAbsolutePath().toString(), null, seed, bufferRows);
    }

    public static SaeData synthetic(Path dir, long seed) {
        return new SaeData(null, dir.toAbsolutePath().toString(), seed, DEFAULT_BUFFER_ROWS);
    }

    /** The stream of training rows, from its first row; a store's NaN or ±Inf rows are refused. */
    public ActivationSource open() {
        return open(NonFinite.REFUSE);
    }

    /** As {@link #open()}; {@code nonFinite} says whether a store's rows with NaN or ±Inf are refused or read. */
    public ActivationSource open(NonFinite nonFinite) {
        if (activations != null) {
            return ActivationStore.open(Path.of(activations), nonFinite).shuffled(seed, bufferRows);
        }
        return SyntheticSuperposition.load(Path.of(synthetic)).source(seed);
    }

    /**
     * The cfg.json fields SAELens users look for: which model and hook the SAE reads, and on what data. From a
     * store's store.json alone: its shards are checked where its rows are {@link #open}ed.
     */
    public ObjectNode saeLensConfig() {
        ObjectNode c = Json.MAPPER.createObjectNode();
        if (activations != null) {
            ActivationStore.Manifest s = ActivationStore.manifest(Path.of(activations), true);
            c.put("model_name", s.modelPath());
            c.put("hook_name", s.hookName());
            c.put("hook_layer", layer(s.hookName()));
            c.put("dataset_path", s.data());
        } else {
            c.put("model_name", "synthetic");
            c.put("hook_name", "synthetic");
            c.put("hook_layer", 0);
            c.put("dataset_path", synthetic);
        }
        c.putNull("hook_head_index");
        c.put("device", "cpu");
        c.put("prepend_bos", true);
        c.put("finetuning_scaling_factor", false);
        return c;
    }

    /** The layer in a TransformerLens hook name ("blocks.3.hook_resid_post" → 3), or 0. */
    static int layer(String hook) {
        return dev.mono4j.hooks.HookPoint.layer(hook).orElse(0);
    }

    /**
     * The true feature directions [n, d] when {@code data} (a run's saved {@link SaeData}) names a synthetic
     * model, else null: a run on synthetic rows logs its feature recovery as it trains.
     */
    static float[] groundTruth(com.fasterxml.jackson.databind.JsonNode data) {
        com.fasterxml.jackson.databind.JsonNode synthetic = data == null ? null : data.get("synthetic");
        if (synthetic == null || !synthetic.isTextual()) {
            return null;
        }
        return SyntheticSuperposition.load(Path.of(synthetic.asText())).features();
    }

    public String describe() {
        return activations != null ? activations : synthetic;
    }

    public static SaeData fromJson(com.fasterxml.jackson.databind.JsonNode j, Path file) {
        try {
            return Json.MAPPER.treeToValue(j, SaeData.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new UserInputException(file + ": the run's data description is not valid: " + e.getMessage());
        }
    }
}
