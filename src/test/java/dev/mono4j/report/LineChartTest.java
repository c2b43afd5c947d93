package dev.mono4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class LineChartTest {
    @TempDir
    Path dir;

    private static LineChart lossChart() {
        return LineChart.builder("Loss <by> step & layer")
                .xLabel("step").yLabel("loss")
                .series("train", new double[] {0, 10, 20, 30}, new double[] {0.97, 0.5, 0.3, 0.13})
                .series("eval", new double[] {0, 15, 30}, new double[] {0.9, 0.45, 0.2})
                .series("ablated", new double[] {0, 15, 30}, new double[] {0.95, 0.6, 0.4})
                .referenceLine(0.15, "entropy floor")
                .build();
    }

    @Test
    void svgIsWellFormedWithOnePathPerSeriesAndLegend() {
        Document svg = Xml.parse(lossChart().toSvg());
        assertEquals("svg", svg.getDocumentElement().getLocalName());
        List<Element> paths = Xml.withAttr(svg, "path", "class", "series");
        assertEquals(List.of("train", "eval", "ablated"), paths.stream().map(p -> p.getAttribute("data-series")).toList());
        assertEquals(3, paths.stream().map(p -> p.getAttribute("stroke")).distinct().count());
        List<String> texts = Xml.texts(svg);
        assertTrue(texts.containsAll(List.of("train", "eval", "ablated", "step", "loss", "Loss <by> step & layer")), texts::toString);
    }

    @Test
    void axesGetNiceTickLabels() {
        Document svg = Xml.parse(lossChart().toSvg());
        // y: 0.13..0.97 widens to 0..1 in steps of 0.2; x: 0..30 in steps of 10
        assertEquals(List.of("0", "0.2", "0.4", "0.6", "0.8", "1"), Xml.texts(svg, "ytick"));
        assertEquals(List.of("0", "10", "20", "30"), Xml.texts(svg, "xtick"));
    }

    @Test
    void logScaleTicksAreDecadesAndSkipNonPositiveValues() {
        LineChart c = LineChart.builder("KL").logY(true)
                .series("kl", new double[] {1e-3, 0.05, 0, -1, 10}) // 0 and -1 cannot be drawn on a log axis
                .build();
        Document svg = Xml.parse(c.toSvg());
        assertEquals(List.of("0.001", "0.01", "0.1", "1", "10"), Xml.texts(svg, "ytick"));
        String d = Xml.withAttr(svg, "path", "class", "series").get(0).getAttribute("d");
        assertEquals(2, d.chars().filter(ch -> ch == 'M').count(), d); // a gap where the bad points were
    }

    @Test
    void referenceLineIsDrawnDashedWithItsLabel() {
        Document svg = Xml.parse(lossChart().toSvg());
        assertTrue(Xml.texts(svg).contains("entropy floor"));
        assertEquals(1, Xml.elements(svg, "line").stream().filter(l -> l.hasAttribute("stroke-dasharray")).count());
    }

    @Test
    void nanAndEmptySeriesAreHandled() {
        LineChart c = LineChart.builder("gaps")
                .series("holes", new double[] {1, Double.NaN, 3, 4, Double.POSITIVE_INFINITY, 6})
                .series("empty", new double[0])
                .series("all NaN", new double[] {Double.NaN, Double.NaN})
                .build();
        Document svg = Xml.parse(c.toSvg());
        List<Element> paths = Xml.withAttr(svg, "path", "class", "series");
        assertEquals(1, paths.size());
        assertEquals(3, paths.get(0).getAttribute("d").chars().filter(ch -> ch == 'M').count());
        assertTrue(Xml.texts(svg).containsAll(List.of("empty (no data)", "all NaN (no data)")));

        Document none = Xml.parse(LineChart.builder("nothing").series("e", new double[0]).build().toSvg());
        assertTrue(Xml.texts(none).contains("no data"));
        Xml.parse(LineChart.builder("no series").build().toSvg());
    }

    @Test
    void isolatedPointsGetMarkersEvenInLongSeries() {
        double[] y = new double[100];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 2 == 0 ? i : Double.NaN; // e.g. eval loss logged on every other step
        }
        Document svg = Xml.parse(LineChart.builder("eval").series("eval", y).build().toSvg());
        assertEquals(50, Xml.elements(svg, "circle").size());
    }

    @Test
    void mismatchedSeriesIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> LineChart.builder("x").series("s", new double[] {1, 2}, new double[] {1}));
    }

    @Test
    void writeSvgIsAtomicAndLeavesNoTempFiles() throws Exception {
        Path file = dir.resolve("charts/loss.svg");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "old");
        lossChart().writeSvg(file);
        assertEquals(lossChart().toSvg(), Files.readString(file));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList());
        }
    }
}
