package dev.mono4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class HeatMapTest {
    @Test
    void oneCellPerValueColouredAroundZeroWithLabelsAndLegend() {
        HeatMap h = new HeatMap("patching", "position", "layer", "normalised", List.of("The", " cat", " <sat>"),
                List.of("L0", "L1"), new double[][] {{0, 1, -0.5}, {Double.NaN, 0.25, 1}});
        Document svg = Xml.parse(h.toSvg());
        List<Element> cells = Xml.withAttr(svg, "rect", "class", "cell");
        assertEquals(6, cells.size());
        assertEquals("#ffffff", cells.get(0).getAttribute("fill"), "zero is white");
        assertEquals("#b2182b", cells.get(1).getAttribute("fill"), "the largest value gets the full red");
        assertEquals("#90b3d6", cells.get(2).getAttribute("fill"), "half of −1 is half-way to blue");
        assertEquals("#dddddd", cells.get(3).getAttribute("fill"), "NaN is grey");
        assertEquals(List.of("L0", "L1"), Xml.texts(svg, "ytick"));
        assertEquals(List.of("The", " cat", " <sat>"), Xml.texts(svg, "xtick"));
        assertEquals(List.of("1", "0", "-1"), Xml.texts(svg, "legendtick"));
        List<String> texts = Xml.texts(svg);
        assertTrue(texts.containsAll(List.of("patching", "position", "layer", "normalised")), texts::toString);
    }

    @Test
    void valuesMustFitTheLabels() {
        assertThrows(IllegalArgumentException.class, () -> new HeatMap("t", "", "", "", List.of("a"), List.of("r"),
                new double[][] {{1, 2}}));
    }
}
