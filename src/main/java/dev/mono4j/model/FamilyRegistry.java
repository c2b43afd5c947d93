package dev.mono4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model families mono4j runs, by Hugging Face {@code architectures[0]} and {@code model_type}. The built-in
 * ones are registered here; a further family (e.g. from a test) is added with {@link #register}.
 */
public final class FamilyRegistry {
    private static final Map<String, ModelFamily> BY_NAME = new LinkedHashMap<>();
    private static final List<ModelFamily> FAMILIES = new ArrayList<>();

    static {
        register(Gpt2Family.GPT2);
        register(LlamaFamily.LLAMA);
        register(LlamaFamily.QWEN2);
        register(LlamaFamily.MISTRAL);
        register(BertFamily.BERT);
        register(MonetFamily.MONET);
        register(NeoxFamily.NEOX);
        register(Gemma2Family.GEMMA2);
        register(WorkspaceFamily.WORKSPACE);
        register(BaseLcmFamily.BASE_LCM);
    }

    private FamilyRegistry() {
    }

    /** Adds a family under its architecture name and model type; registering the same family again is a no-op. */
    public static synchronized void register(ModelFamily family) {
        for (String name : List.of(family.hfArchitecture(), family.modelType())) {
            ModelFamily known = BY_NAME.get(name);
            if (known != null && known != family) {
                throw new IllegalArgumentException("'" + name + "' already names " + known.hfArchitecture());
            }
        }
        if (!FAMILIES.contains(family)) {
            FAMILIES.add(family);
            BY_NAME.put(family.hfArchitecture(), family);
            BY_NAME.put(family.modelType(), family);
        }
    }

    /** The family a config.json names ({@code architectures[0]}, else {@code model_type}); unknown: a one-line error. */
    public static synchronized ModelFamily of(ConfigReader r) {
        JsonNode c = r.json();
        if (!c.isObject()) {
            throw r.error("expected a JSON object, got " + c.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        String name = c.has("architectures") && c.get("architectures").size() > 0
                ? c.get("architectures").get(0).asText() : r.text("model_type", null);
        if (name == null) {
            throw r.error("no \"architectures\" or \"model_type\" field: cannot tell which model family it is");
        }
        ModelFamily family = BY_NAME.get(name);
        if (family == null) {
            throw r.error("unsupported architecture '" + name + "' (supported: " + String.join(", ",
                    FAMILIES.stream().map(ModelFamily::hfArchitecture).toList()) + ")");
        }
        return family;
    }

    /** The registered families, in registration order. */
    public static synchronized List<ModelFamily> known() {
        return List.copyOf(FAMILIES);
    }
}
