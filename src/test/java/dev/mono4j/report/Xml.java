package dev.mono4j.report;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Test helpers: parse text as XML (failing the test if it is not well-formed) and pick elements out. */
final class Xml {
    private Xml() {
    }

    static Document parse(String text) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed XML: " + e.getMessage() + "\n" + text, e);
        }
    }

    static List<Element> elements(Document doc, String localName) {
        NodeList nodes = doc.getElementsByTagNameNS("*", localName);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    static List<Element> withAttr(Document doc, String localName, String attr, String value) {
        return elements(doc, localName).stream().filter(e -> value.equals(e.getAttribute(attr))).toList();
    }

    /** Text of the elements with this class (tick labels are class "xtick" or "ytick"). */
    static List<String> texts(Document doc, String cls) {
        return withAttr(doc, "text", "class", cls).stream().map(Element::getTextContent).toList();
    }

    static List<String> texts(Document doc) {
        return elements(doc, "text").stream().map(Element::getTextContent).toList();
    }
}
