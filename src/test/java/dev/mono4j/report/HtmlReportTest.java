package dev.mono4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class HtmlReportTest {
    @TempDir
    Path dir;

    @Test
    void sampleReportIsWellFormedWithSectionsAndContents() {
        Document doc = Xml.parse(ReportSample.build().toHtml());
        List<Element> h2 = Xml.elements(doc, "h2").stream().filter(e -> e.hasAttribute("id")).toList();
        assertEquals(List.of("training", "monosemanticity-per-layer", "samples"),
                h2.stream().map(e -> e.getAttribute("id")).toList());
        assertEquals(List.of("Training", "Monosemanticity per layer", "Samples"),
                h2.stream().map(Element::getTextContent).toList());
        assertEquals(List.of("#training", "#monosemanticity-per-layer", "#samples"),
                Xml.elements(doc, "a").stream().map(a -> a.getAttribute("href")).toList());
        assertEquals(3, Xml.elements(doc, "svg").size());
        assertEquals(0, Xml.elements(doc, "script").size());
        assertEquals(0, Xml.elements(doc, "link").size()); // self-contained: no stylesheets or other files
    }

    @Test
    void userTextIsEscaped() {
        String html = ReportSample.build().toHtml();
        assertFalse(html.contains("<script"), "a title must not become markup");
        assertTrue(html.contains("mono4j demo &lt;script&gt;alert(1)&lt;/script&gt;"));
        Document doc = Xml.parse(html);
        assertEquals("mono4j demo <script>alert(1)</script>", Xml.elements(doc, "h1").get(0).getTextContent());
        assertTrue(Xml.elements(doc, "pre").get(0).getTextContent().contains("which <is> & was\n\tindented"));
        assertTrue(Xml.elements(doc, "td").stream().anyMatch(td -> td.getTextContent().equals("<b>not bold</b>")));
    }

    @Test
    void backticksInProseBecomeCodeAndTheRestStaysText() {
        Document doc = Xml.parse(HtmlReport.builder("t").subtitle("from `demo`").section("s")
                .paragraph("run `measure` on `a<b> & c`, then `` and a lone ` tick")
                .chart(LineChart.builder("c").series("x", new double[] {0, 1}, new double[] {1, 2}).build(), "see `sae eval`")
                .table(List.of("`h`"), List.of(List.of("`cell`"))).preformatted("`sample`").build().toHtml());
        assertEquals(List.of("demo", "measure", "a<b> & c", "sae eval"),
                Xml.elements(doc, "code").stream().map(Element::getTextContent).toList());
        Element p = Xml.elements(doc, "p").stream().filter(e -> e.getTextContent().startsWith("run")).findFirst().orElseThrow();
        assertEquals("run measure on a<b> & c, then `` and a lone ` tick", p.getTextContent());
        // Tables and preformatted text show data, kept exactly as given.
        assertEquals("`cell`", Xml.elements(doc, "td").get(0).getTextContent());
        assertEquals("`h`", Xml.elements(doc, "th").get(0).getTextContent());
        assertEquals("`sample`", Xml.elements(doc, "pre").get(0).getTextContent());
    }

    @Test
    void controlCharactersCannotBreakThePage() {
        String html = HtmlReport.builder("t").section("s").preformatted("nul\u0000 bell\u0007 lone\uD800 ok😀").build().toHtml();
        assertEquals("nul\uFFFD bell\uFFFD lone\uFFFD ok😀", Xml.elements(Xml.parse(html), "pre").get(0).getTextContent());
    }

    @Test
    void numbersAreRightAlignedAndTextIsNot() {
        Document doc = Xml.parse(HtmlReport.builder("t").section("s")
                .table(List.of("name", "value", "share"), List.of(List.of("a", 0.123456, "87%"), List.of("b", 12_345L, "n/a")))
                .build().toHtml());
        List<String> classes = Xml.elements(doc, "td").stream().map(td -> td.getAttribute("class")).toList();
        assertEquals(List.of("", "num", "num", "", "num", ""), classes);
        assertEquals("0.1235", Xml.elements(doc, "td").get(1).getTextContent());
        assertEquals("12345", Xml.elements(doc, "td").get(4).getTextContent());
    }

    @Test
    void duplicateHeadingsGetUniqueIdsAndRunInfoKeepsItsOrder() {
        Document doc = Xml.parse(HtmlReport.builder("t").runInfo("z", 1).runInfo("a", 2)
                .section("Layer 3").section("Layer 3").section("???").keyValues(Map.of("k", 1.5)).build().toHtml());
        assertEquals(List.of("layer-3", "layer-3-2", "section"), Xml.elements(doc, "h2").stream()
                .filter(e -> e.hasAttribute("id")).map(e -> e.getAttribute("id")).toList());
        assertEquals(List.of("z", "a", "k"), Xml.elements(doc, "dt").stream().map(Element::getTextContent).toList());
    }

    @Test
    void contentNeedsASectionAndRowsMustFitTheHeader() {
        assertThrows(IllegalStateException.class, () -> HtmlReport.builder("t").paragraph("orphan"));
        assertThrows(IllegalArgumentException.class,
                () -> HtmlReport.builder("t").section("s").table(List.of("a", "b"), List.of(List.of(1))));
    }

    @Test
    void writeIsAtomicAndLeavesNoTempFiles() throws Exception {
        Path file = dir.resolve("report.html");
        Files.writeString(file, "old");
        HtmlReport report = ReportSample.build();
        report.write(file);
        assertEquals(report.toHtml(), Files.readString(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }
}
