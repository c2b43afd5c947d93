package dev.mono4j.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What every chart's builder sets: title, axis labels, reference lines and size. {@code B} is the builder. */
abstract class ChartBuilder<B extends ChartBuilder<B>> {
    final String title;
    String xLabel = "";
    String yLabel = "";
    final List<ReferenceLine> refs = new ArrayList<>();
    int width = 720;
    int height = 420;

    ChartBuilder(String title) {
        this.title = Objects.requireNonNull(title, "title");
    }

    /** This builder, typed as the concrete one, so calls chain. */
    abstract B self();

    public B xLabel(String label) {
        xLabel = Objects.requireNonNull(label);
        return self();
    }

    public B yLabel(String label) {
        yLabel = Objects.requireNonNull(label);
        return self();
    }

    public B referenceLine(double y, String label) {
        refs.add(new ReferenceLine(y, label));
        return self();
    }

    public B size(int width, int height) {
        this.width = width;
        this.height = height;
        return self();
    }
}
