package dev.mono4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class BarChartTest {
    @Test
    void oneBarPerFiniteValueWithLegendAndCategories() {
        BarChart c = BarChart.builder("Alignment % per method").yLabel("% aligned")
                .categories("DPO", "DecPO", "SimPO")
                .series("gpt2", 61, 72, Double.NaN)
                .series("llama", 64, 75, 59)
                .referenceLine(50, "chance")
                .build();
        Document svg = Xml.parse(c.toSvg());
        assertEquals(5, Xml.withAttr(svg, "rect", "class", "bar").size());
        List<String> texts = Xml.texts(svg);
        assertTrue(texts.containsAll(List.of("DPO", "DecPO", "SimPO", "gpt2", "llama", "chance", "% aligned")), texts::toString);
        // 0..75 → steps of 20, from zero because bars start there
        assertEquals(List.of("0", "20", "40", "60", "80"), Xml.texts(svg, "ytick"));
        assertEquals(List.of("DPO", "DecPO", "SimPO"), Xml.texts(svg, "xtick"));
    }

    @Test
    void negativeValuesHangBelowAZeroBaseline() {
        BarChart c = BarChart.builder("Δ metric per layer").categories("L0", "L1").series("Δ", -0.3, 0.5).build();
        Document svg = Xml.parse(c.toSvg());
        assertEquals(List.of("-0.4", "-0.2", "0", "0.2", "0.4", "0.6"), Xml.texts(svg, "ytick"));
        assertEquals(2, Xml.withAttr(svg, "rect", "class", "bar").size());
    }

    @Test
    void crowdedCategoryLabelsTurnUpright() {
        List<String> names = IntStream.range(0, 24).mapToObj(l -> "blocks." + l + ".hook_resid_post").toList();
        BarChart c = BarChart.builder("per layer").categories(names).series("m", new double[24]).build();
        Document svg = Xml.parse(c.toSvg());
        long upright = Xml.elements(svg, "text").stream().filter(t -> t.getAttribute("transform").contains("rotate")).count();
        assertEquals(24, upright);
    }

    @Test
    void valuesMustMatchCategories() {
        assertThrows(IllegalArgumentException.class,
                () -> BarChart.builder("x").categories("a", "b").series("s", 1).build());
    }
}
