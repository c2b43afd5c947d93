package dev.mono4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/**
 * One condition, {@code FIELD=VALUE}: a line meets it when its field is a string or number equal to VALUE, or
 * an array holding such an element (ConceptWorld's per-word {@code concepts}: {@code concepts=animals:bat}).
 */
public record FieldCondition(String field, String value) {
    public FieldCondition {
        if (field.isEmpty()) {
            throw new IllegalArgumentException("a condition needs a field name");
        }
    }

    /** {@code FIELD=VALUE}, split at the first '=' (so VALUE may hold '='). */
    public static FieldCondition parse(String s) {
        int eq = s.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("'" + s + "': expected FIELD=VALUE (e.g. domain=science)");
        }
        return new FieldCondition(s.substring(0, eq), s.substring(eq + 1));
    }

    public boolean matches(JsonNode line) {
        JsonNode v = line.path(field);
        if (v.isArray()) {
            for (JsonNode e : v) {
                if (equal(e)) {
                    return true;
                }
            }
            return false;
        }
        return equal(v);
    }

    /** A string equals VALUE as text; a number equals it as a number (3 matches "3" and "3.0"). */
    private boolean equal(JsonNode v) {
        if (v.isTextual()) {
            return v.textValue().equals(value);
        }
        if (v.isNumber()) {
            try {
                return v.decimalValue().compareTo(new BigDecimal(value)) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return field + "=" + value;
    }
}
