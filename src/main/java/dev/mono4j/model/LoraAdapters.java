package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * LoRA adapters (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", arXiv:2106.09685):
 * each targeted projection keeps its weight W frozen and gains a trainable low-rank term,
 * y = x·Wᵀ + s·dropout(x)·Aᵀ·Bᵀ, with A {@code [r, in]}, B {@code [out, r]} and s = alpha / r. B starts at
 * zero, so fresh adapters leave the model's output unchanged. Shapes, key names, initialisation and files
 * follow Hugging Face PEFT's, so that adapter folders move between PEFT and mono4j.
 *
 * <p>While attached, every forward pass of the model adds the adapters' terms (see {@code
 * ForwardPass#project}). The tensors live in a sub-manager of the model's manager: {@link #close} frees
 * them, and so does closing the model.
 */
public final class LoraAdapters implements AutoCloseable {
    static final String CONFIG_FILE = "adapter_config.json";
    static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** PEFT's key prefix: PeftModel.base_model (the LoraModel) .model (the wrapped HF model). */
    private static final String PREFIX = "base_model.model.";

    private record Adapter(NDArray a, NDArray b) {
    }

    private final Transformer model;
    private final LoraConfig config;
    private final NDManager manager;
    private final Map<String, Adapter> byModule;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    /** s as a 0-d tensor torch owns: a Java number would be freed before backward (see Transformer). */
    private final NDArray scale;
    private boolean training;
    private boolean enabled = true;
    private boolean attached;

    private LoraAdapters(Transformer model, LoraConfig config, NDManager manager, Map<String, Adapter> byModule) {
        this.model = model;
        this.config = config;
        this.manager = manager;
        this.byModule = byModule;
        this.scale = manager.full(new Shape(), (float) config.scale());
        byModule.forEach((module, ad) -> {
            ad.a.setRequiresGradient(true);
            ad.b.setRequiresGradient(true);
            parameters.put(key(module, "A"), ad.a);
            parameters.put(key(module, "B"), ad.b);
        });
        model.attach(this);
        attached = true;
    }

    /**
     * New adapters on the model's projections that {@code cfg} targets, attached to it. A is drawn as
     * PEFT draws it (kaiming-uniform with a = √5, i.e. U(-1/√in, 1/√in)) from {@code seed}; B is zero.
     */
    public static LoraAdapters create(Transformer model, LoraConfig cfg, long seed) {
        Map<String, long[]> modules = targetModules(model.config(), cfg, "");
        SplittableRandom rng = new SplittableRandom(seed);
        NDManager m = model.manager().newSubManager();
        try {
            Map<String, Adapter> adapters = new LinkedHashMap<>();
            modules.forEach((module, inOut) -> {
                double bound = 1 / Math.sqrt(inOut[0]);
                float[] a = new float[Math.toIntExact(cfg.rank() * inOut[0])];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) rng.nextDouble(-bound, bound);
                }
                adapters.put(module, new Adapter(copyOf(m, a, new Shape(cfg.rank(), inOut[0])),
                        m.zeros(new Shape(inOut[1], cfg.rank()))));
            });
            return new LoraAdapters(model, cfg, m, adapters);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Loads a PEFT adapter folder ({@value #CONFIG_FILE} + {@value #WEIGHTS_FILE}) onto the model and attaches it. */
    public static LoraAdapters load(Transformer model, Path dir) {
        Path configFile = dir.resolve(CONFIG_FILE);
        LoraConfig cfg = readConfig(configFile);
        Map<String, long[]> modules = targetModules(model.config(), cfg, configFile + ": ");
        NDManager m = model.manager().newSubManager();
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(WEIGHTS_FILE))) {
            Set<String> unread = new LinkedHashSet<>(r.tensors().keySet());
            Map<String, Adapter> adapters = new LinkedHashMap<>();
            modules.forEach((module, inOut) -> adapters.put(module, new Adapter(
                    read(r, m, key(module, "A"), new long[] {cfg.rank(), inOut[0]}, unread),
                    read(r, m, key(module, "B"), new long[] {inOut[1], cfg.rank()}, unread))));
            if (!unread.isEmpty()) {
                throw new UserInputException(r.path() + ": tensor '" + unread.iterator().next() + "' is not the adapter"
                        + " of a module " + CONFIG_FILE + " targets in this model (" + unread.size() + " such tensors)");
            }
            return new LoraAdapters(model, cfg, m, adapters);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public LoraConfig config() {
        return config;
    }

    /**
     * The trainable tensors by PEFT key ({@code base_model.model.<module>.lora_A.weight} {@code [r, in]} and
     * {@code ...lora_B.weight} {@code [out, r]}), requiring gradients; e.g. for {@code new AdamW(parameters(), ...)}.
     */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Dropout on the adapters' input applies only while training is on (off at first). */
    public void setTraining(boolean on) {
        training = on;
    }

    /** Turns the adapters' terms off or on without removing them: off, the model computes its base outputs. */
    public void setEnabled(boolean on) {
        enabled = on;
    }

    /** {@code y} plus the module's term s·dropout(x)·Aᵀ·Bᵀ, or {@code y} when it has none (or adapters are off). */
    NDArray apply(String module, NDArray x, NDArray y) {
        Adapter ad = byModule.get(module);
        if (ad == null || !enabled) {
            return y;
        }
        // A fresh mask per module, as PEFT's per-module dropout layers; skipped where it is the identity.
        NDArray in = training && config.dropout() > 0
                ? x.getNDArrayInternal().dropout(x, (float) config.dropout(), true).singletonOrThrow() : x;
        return y.add(ForwardPass.linear(ForwardPass.linear(in, ad.a, null), ad.b, null).mul(scale));
    }

    /**
     * Adds s·B·A into the weights in place (GPT-2's Conv1D stores W transposed, so it gets s·(B·A)ᵀ) and
     * detaches the adapters: the model then computes the adapted outputs alone. Call it outside a
     * GradientCollector.
     */
    public void mergeIntoModel() {
        if (!attached) {
            throw new IllegalStateException("LoRA adapters are not attached (already merged or closed)");
        }
        boolean conv1d = model.config().family().conv1dWeights();
        byModule.forEach((module, ad) -> {
            try (NDManager tmp = manager.newSubManager()) {
                NDArray delta = ad.b.matMul(ad.a); // [out, in]; made in the adapters' manager, so moved to tmp
                delta.attach(tmp);
                delta.muli(scale);
                model.parameters().get(module + ".weight").addi(conv1d ? delta.transpose() : delta);
            }
        });
        detach();
    }

    /**
     * Writes a PEFT adapter folder: {@value #CONFIG_FILE} (with {@code base_model_name_or_path = baseModel})
     * and {@value #WEIGHTS_FILE} in F32. Written whole or not at all; a non-empty folder is replaced only with
     * {@code overwrite}, and only when it holds an {@value #CONFIG_FILE}.
     */
    public void save(Path dir, String baseModel, boolean overwrite) {
        int layers = model.config().numLayers();
        boolean allLayers = config.firstLayer() == 0 && config.lastLayerOf(layers) == layers - 1;
        Map<String, Object> json = Json.object(
                "peft_type", "LORA",
                "task_type", "CAUSAL_LM",
                "base_model_name_or_path", baseModel,
                "r", config.rank(),
                // PEFT declares lora_alpha an int; write one when it is
                "lora_alpha", config.alpha() == Math.rint(config.alpha()) ? (Object) (long) config.alpha() : config.alpha(),
                "lora_dropout", config.dropout(),
                "target_modules", config.targets(),
                "layers_to_transform", allLayers ? null
                        : IntStream.rangeClosed(config.firstLayer(), config.lastLayerOf(layers)).boxed().toList(),
                "layers_pattern", null,
                "bias", "none",
                "fan_in_fan_out", model.config().family().conv1dWeights(), // Conv1D weights are [in, out]
                "modules_to_save", null,
                "init_lora_weights", true,
                "inference_mode", true,
                "use_rslora", false,
                "use_dora", false);
        AtomicFiles.writeFolder(dir, overwrite, CONFIG_FILE, "LoRA adapter folder", tmp -> {
            AtomicFiles.writeString(tmp.resolve(CONFIG_FILE), Json.write(json));
            SafetensorsWriter w = new SafetensorsWriter().metadata("producer", "mono4j");
            parameters.forEach((k, p) -> w.addF32(k, p.getShape().getShape(), p.toFloatArray()));
            w.write(tmp.resolve(WEIGHTS_FILE));
        });
    }

    /** Detaches the adapters from the model (if still attached) and frees their tensors. */
    @Override
    public void close() {
        detach();
        manager.close();
    }

    private void detach() {
        model.detach(this);
        attached = false;
    }

    private static String key(String module, String which) {
        return PREFIX + module + ".lora_" + which + ".weight";
    }

    /**
     * The modules {@code cfg} adapts, by module path, with their {in, out} features: the blocks' projections
     * (their 2-D weights) in the layer range whose path is a target or ends in "." + target, as PEFT matches.
     * Every target must match in that range; {@code where} starts error messages (e.g. a file name).
     */
    private static Map<String, long[]> targetModules(ModelConfig c, LoraConfig cfg, String where) {
        int last = cfg.lastLayerOf(c.numLayers());
        if (cfg.firstLayer() >= c.numLayers() || last >= c.numLayers()) {
            throw new UserInputException(where + "LoRA layers " + cfg.firstLayer() + ".." + cfg.lastLayer()
                    + " reach beyond the model's " + c.numLayers() + " layers (0.." + (c.numLayers() - 1) + ")");
        }
        Map<String, long[]> weights = ParameterLayout.expected(c);
        Map<String, long[]> chosen = new LinkedHashMap<>();
        Set<String> matched = new LinkedHashSet<>();
        List<String> names = new ArrayList<>(); // one block's module names, for error messages
        for (int l = cfg.firstLayer(); l <= last; l++) {
            String prefix = ParameterLayout.layerPrefix(c, l);
            for (Map.Entry<String, long[]> e : weights.entrySet()) {
                long[] shape = e.getValue();
                if (!e.getKey().startsWith(prefix) || shape.length != 2) {
                    continue; // not this block's, or a norm
                }
                String module = e.getKey().substring(0, e.getKey().length() - ".weight".length());
                if (l == cfg.firstLayer()) {
                    names.add(module.substring(prefix.length()));
                }
                for (String t : cfg.targets()) {
                    if (module.equals(t) || module.endsWith("." + t)) {
                        matched.add(t);
                        // Conv1D (GPT-2) stores [in, out], Linear [out, in]
                        chosen.put(module, c.family().conv1dWeights() ? shape : new long[] {shape[1], shape[0]});
                    }
                }
            }
        }
        for (String t : cfg.targets()) {
            if (!matched.contains(t)) {
                throw new UserInputException(where + "LoRA target '" + t + "' matches no module of "
                        + c.family().hfArchitecture() + " in layers " + cfg.firstLayer() + ".." + last
                        + "; a block's modules are " + String.join(", ", names));
            }
        }
        return chosen;
    }

    /** The LoRA settings of a PEFT adapter_config.json; features beyond plain LoRA are refused, not ignored. */
    private static LoraConfig readConfig(Path file) {
        JsonNode c = Json.read(file);
        String where = file + ": ";
        if (!c.path("peft_type").asText().equals("LORA")) {
            throw new UserInputException(where + "peft_type is " + c.path("peft_type") + ", expected \"LORA\"");
        }
        // Each of these changes the math or adds tensors besides A and B.
        for (String flag : List.of("use_rslora", "use_dora", "lora_bias")) {
            if (c.path(flag).asBoolean(false)) {
                throw new UserInputException(where + flag + " is true; only plain LoRA is supported");
            }
        }
        if (!c.path("bias").asText("none").equals("none")) {
            throw new UserInputException(where + "bias is " + c.get("bias") + "; only \"none\" is supported");
        }
        for (String field : List.of("modules_to_save", "rank_pattern", "alpha_pattern")) {
            if (c.path(field).size() > 0) {
                throw new UserInputException(where + field + " is set; it is not supported");
            }
        }
        JsonNode targets = c.path("target_modules");
        if (!targets.isArray() || targets.isEmpty()) {
            throw new UserInputException(where + "target_modules is " + targets
                    + "; expected a list of module names (a regular expression is not supported)");
        }
        List<String> names = new ArrayList<>();
        targets.forEach(t -> names.add(t.asText()));
        int[] layers = layerRange(c.path("layers_to_transform"), where);
        try {
            // Absent numbers take PEFT's defaults (r 8, lora_alpha 8, lora_dropout 0).
            return new LoraConfig(integer(c, "r", 8, where), number(c, "lora_alpha", 8, where),
                    number(c, "lora_dropout", 0, where), names, layers[0], layers[1]);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(where + e.getMessage());
        }
    }

    /** layers_to_transform as {first, last}: null for all layers, one index, or a run of consecutive ones. */
    private static int[] layerRange(JsonNode v, String where) {
        if (v.isMissingNode() || v.isNull()) {
            return new int[] {0, -1};
        }
        if (v.canConvertToInt() && v.isIntegralNumber()) {
            return new int[] {v.asInt(), v.asInt()};
        }
        if (v.isArray() && !v.isEmpty()) {
            int first = v.get(0).asInt();
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isIntegralNumber() || v.get(i).asInt() != first + i) {
                    throw new UserInputException(where + "layers_to_transform " + v + " is not a run of consecutive layers");
                }
            }
            return new int[] {first, first + v.size() - 1};
        }
        throw new UserInputException(where + "layers_to_transform is " + v + "; expected null, a layer or a list of layers");
    }

    private static int integer(JsonNode c, String field, int absent, String where) {
        JsonNode v = c.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return absent;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new UserInputException(where + field + " is " + v + "; expected an integer");
        }
        return v.asInt();
    }

    private static double number(JsonNode c, String field, double absent, String where) {
        JsonNode v = c.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return absent;
        }
        if (!v.isNumber()) {
            throw new UserInputException(where + field + " is " + v + "; expected a number");
        }
        return v.asDouble();
    }

    /** A tensor of the adapter file, which must exist with the expected shape. */
    private static NDArray read(SafetensorsReader r, NDManager m, String key, long[] shape, Set<String> unread) {
        if (!r.tensors().containsKey(key)) {
            throw new UserInputException(r.path() + ": missing tensor '" + key + "' (expected shape "
                    + Arrays.toString(shape) + "); does " + CONFIG_FILE + " describe this file?");
        }
        if (!Arrays.equals(r.info(key).shape(), shape)) {
            throw new UserInputException(r.path() + ": tensor '" + key + "' has shape " + r.info(key).shapeString()
                    + " but r and the model imply " + Arrays.toString(shape));
        }
        unread.remove(key);
        return copyOf(m, r.readFloats(key), new Shape(shape));
    }

    /** create(float[]) wraps a Java buffer; duplicate() copies it into memory torch owns. */
    private static NDArray copyOf(NDManager m, float[] values, Shape shape) {
        try (NDArray view = m.create(values, shape)) {
            return view.duplicate();
        }
    }
}
