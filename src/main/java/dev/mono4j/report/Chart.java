package dev.mono4j.report;

import dev.mono4j.io.AtomicFiles;
import java.nio.file.Path;

/** A chart that renders itself as a standalone SVG document (also inlined as-is by {@link HtmlReport}). */
public sealed interface Chart permits LineChart, BarChart, HeatMap {
    String title();

    /** The SVG text: well-formed XML with no XML declaration, so it can be inlined in HTML. */
    String toSvg();

    /** Writes the SVG atomically (temp file, then rename), so a reader never sees half a chart. */
    default void writeSvg(Path file) {
        AtomicFiles.writeString(file, toSvg());
    }
}
