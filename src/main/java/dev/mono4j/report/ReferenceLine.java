package dev.mono4j.report;

import java.util.Objects;

/** A labelled horizontal line across a chart, such as an entropy floor or chance level. */
public record ReferenceLine(double y, String label) {
    public ReferenceLine {
        Objects.requireNonNull(label, "label");
    }
}
