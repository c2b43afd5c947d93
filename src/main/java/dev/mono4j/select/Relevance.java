package dev.mono4j.select;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Which pool samples count as relevant when a selection is scored against known labels: those whose JSON field
 * {@code field} equals {@code value}, or, for an array field (ConceptWorld's {@code concepts}), contains it.
 */
public record Relevance(String field, String value) {
    public Relevance {
        if (field == null || field.isBlank() || value == null || value.isEmpty()) {
            throw new IllegalArgumentException("relevance needs FIELD=VALUE, e.g. domain=science");
        }
    }

    /** Parses {@code FIELD=VALUE}. */
    public static Relevance parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException("'" + spec + "' is not FIELD=VALUE (e.g. domain=science)");
        }
        return new Relevance(spec.substring(0, eq), spec.substring(eq + 1));
    }

    /** Whether a pool line (a JSON object) is relevant. */
    public boolean matches(JsonNode line) {
        JsonNode f = line.get(field);
        if (f == null) {
            return false;
        }
        if (f.isArray()) {
            for (JsonNode e : f) {
                if (e.isValueNode() && value.equals(e.asText())) {
                    return true;
                }
            }
            return false;
        }
        return f.isValueNode() && value.equals(f.asText());
    }

    @Override
    public String toString() {
        return field + "=" + value;
    }
}
