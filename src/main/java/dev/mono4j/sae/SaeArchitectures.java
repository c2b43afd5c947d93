package dev.mono4j.sae;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DatabindContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.jsontype.impl.TypeIdResolverBase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of SAE architectures: each {@code --architecture} name and its default settings (whose record
 * makes the training SAE). Adding an architecture is a config record, a {@link TrainableSae} subclass and one
 * line here.
 */
public final class SaeArchitectures {
    private static final Map<String, ArchitectureConfig> DEFAULTS = new LinkedHashMap<>();

    static {
        register(TopKConfig.DEFAULT);
        register(BatchTopKConfig.DEFAULT);
        register(ReluConfig.DEFAULT);
        register(JumpReluConfig.DEFAULT);
        register(GbaConfig.DEFAULT);
        register(BaConfig.DEFAULT);
    }

    private SaeArchitectures() {
    }

    private static void register(ArchitectureConfig defaults) {
        DEFAULTS.put(defaults.architecture(), defaults);
    }

    /** Every registered name, in the order {@code sae compare} trains them. */
    public static List<String> names() {
        return List.copyOf(DEFAULTS.keySet());
    }

    /** The default settings of the architecture called {@code name} (case and spaces ignored). */
    public static ArchitectureConfig defaults(String name) {
        ArchitectureConfig c = DEFAULTS.get(name.trim().toLowerCase(java.util.Locale.ROOT));
        if (c == null) {
            throw new IllegalArgumentException("unknown SAE architecture '" + name + "' (" + String.join(", ", names())
                    + ")");
        }
        return c;
    }

    /** Reads and writes an {@link ArchitectureConfig}'s "name" in JSON through the registry. */
    static final class NameResolver extends TypeIdResolverBase {
        @Override
        public String idFromValue(Object value) {
            return ((ArchitectureConfig) value).architecture();
        }

        @Override
        public String idFromValueAndType(Object value, Class<?> type) {
            return idFromValue(value);
        }

        @Override
        public JavaType typeFromId(DatabindContext context, String id) {
            return context.constructType(defaults(id).getClass());
        }

        @Override
        public JsonTypeInfo.Id getMechanism() {
            return JsonTypeInfo.Id.CUSTOM;
        }
    }
}
