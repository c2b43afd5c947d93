package dev.mono4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The main job end to end, shrunk: data, a one-model ladder, samples, report and summary. */
class DemoTest {

    @Test
    void writesAReportWithItsSectionsAndASummary(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("demo-out");
        DemoConfig cfg = new DemoConfig(out, 300, 2, List.of("xs"), List.of(12), 1e-2, 5, 2, 40, 3, 1, false, 20, 20, 40, 60);
        Demo.Result r = Demo.run(cfg, false, new PrintStream(new ByteArrayOutputStream()));

        Document html = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(r.report().toFile());
        List<String> headings = texts(html.getElementsByTagName("h2"));
        assertTrue(headings.containsAll(List.of("ConceptWorld", "Pretraining", "Capacity vs. monosemanticity",
                "Metrics by relative depth", "Monet: a mixture of monosemantic experts (preset xs)",
                "Sparse autoencoder (GBA) on preset xs", "Data selection (MoNA) with preset xs's SAE", "Samples")),
                headings.toString());
        assertTrue(html.getElementsByTagName("svg").getLength() >= 1, "the loss chart is inline SVG");
        String page = Files.readString(r.report());
        assertTrue(page.contains("entropy floor") && page.contains("this is a story about"), "floor line and samples");

        JsonNode summary = Json.read(r.summary());
        assertEquals(1, summary.get("models").size());
        JsonNode xs = summary.get("models").get(0);
        assertEquals("xs", xs.get("preset").asText());
        assertEquals(2, xs.get("samples").size());
        assertTrue(xs.get("story_loss").asDouble() > r.data().validEntropyPerToken(), "no model beats the exact floor");
        assertTrue(Files.exists(out.resolve("models/xs/final/model.safetensors")));
        JsonNode mono = xs.get("monosemanticity");
        assertEquals(4, mono.get("per_layer").size(), "xs has four layers, each measured");
        double fd = mono.get("feature_decorrelation").asDouble(Double.NaN);
        assertTrue(fd >= 0 && fd <= 2, "FD lies in [0, 1 + 1/(N-1)]: " + fd);
        assertEquals(40, mono.get("per_layer").get(0).get("samples").asInt(), "every fresh story measured");
        JsonNode alignedMeasure = Json.read(out.resolve("align/toxicity/xs/measure/metrics.json"));
        assertEquals(40, alignedMeasure.get("models").get(0).get("hooks").get(0).get("samples").asInt(),
                "the alignment stage measures --measure-texts stories too");

        JsonNode monet = summary.get("monet");
        assertTrue(monet.get("training").get("model").asText().contains("monet/model/final"), monet.toString());
        assertEquals("MonetForCausalLM", Json.read(out.resolve("monet/model/final/config.json")).get("architectures")
                .get(0).asText());
        assertTrue(monet.get("story_loss").asDouble() > r.data().validEntropyPerToken(), "Monet cannot beat the floor");
        assertTrue(monet.get("routing").get("active_routes").asDouble() > 0, monet.toString());
        assertTrue(monet.get("resection").size() >= 2, "a row per domain with experts: " + monet.get("resection"));
        assertTrue(Files.exists(out.resolve("monet/resect/resect.json")));

        JsonNode sae = summary.get("sae");
        assertEquals("blocks.2.hook_resid_post", sae.get("hook").asText(), "xs has four blocks; the SAE reads the middle");
        double recovered = sae.get("ce_loss_recovered").asDouble(Double.NaN);
        assertTrue(Double.isFinite(recovered), "CE loss recovered: " + recovered);
        assertTrue(sae.get("ce_zero_ablation").asDouble() > sae.get("ce_original").asDouble(), "ablating the stream hurts");
        assertTrue(sae.get("concept_purity").has("meanPurity"));
        JsonNode select = summary.get("select");
        assertEquals(60, select.get("pool").asInt());
        assertEquals(List.of("jaccard", "bm25", "random"), select.get("selections").findValuesAsText("method"));
        for (JsonNode s : select.get("selections")) {
            assertEquals(3, s.get("selected").asInt(), "5% of 60");
            double p = s.get("precision").asDouble(Double.NaN);
            assertTrue(p >= 0 && p <= 1, s.toString());
        }
        assertTrue(Files.exists(out.resolve("select/jaccard/selected.jsonl")));
        // GBA saves as a plain ReLU SAE any SAELens user loads, with its settings as metadata.
        JsonNode cfgJson = Json.read(out.resolve("sae/gba/final/cfg.json"));
        assertEquals("standard", cfgJson.get("architecture").asText());
        assertEquals("gba", cfgJson.get("mono4j").get("architecture").asText());

        // A second run needs --overwrite, which replaces only what the demo wrote.
        assertThrows(UserInputException.class, () -> Demo.run(cfg, false, new PrintStream(new ByteArrayOutputStream())));
        Demo.run(cfg, true, new PrintStream(new ByteArrayOutputStream()));
        Files.writeString(out.resolve("my-notes.txt"), "keep");
        assertThrows(UserInputException.class, () -> Demo.run(cfg, true, new PrintStream(new ByteArrayOutputStream())));
        assertEquals("keep", Files.readString(out.resolve("my-notes.txt")));
    }

    @Test
    void alignmentStageMeasuresAsManyStoriesAsTheLadder() {
        DemoConfig cfg = new DemoConfig(Path.of("unused"), 300, 2, List.of("xs"), List.of(12), 1e-2, 5, 2, 40, 3, 1, false,
                20, 20, 0, 0);
        assertEquals(40, cfg.alignment().measureTexts());
    }

    /** The demo's alignment verdict weighs DecPO − DPO against the seeds' spread; one seed is never a finding. */
    @Test
    void alignmentVerdictWeighsDifferencesAgainstTheSeedsSpread() {
        assertTrue(Demo.alignmentVerdict(List.of(aligned(List.of(0.855), List.of(0.79)))).contains(
                "alignment -6.5 (one seed: no spread to judge it by) points, not a finding"));
        String clear = Demo.alignmentVerdict(List.of(aligned(List.of(0.60, 0.62, 0.61), List.of(0.80, 0.81, 0.83))));
        assertTrue(clear.contains("alignment +20.3 ± 1.5 (t = 23.06, p = 0.002, 3 seeds) points, beyond the seeds' spread"), clear);
        String noisy = Demo.alignmentVerdict(List.of(aligned(List.of(0.41, 0.85, 0.60), List.of(0.59, 0.79, 0.73))));
        assertTrue(noisy.contains("within the seeds' spread"), noisy);
    }

    private static Demo.Aligned aligned(List<Double> dpo, List<Double> decpo) {
        List<Double> fd = java.util.Collections.nCopies(dpo.size(), 0.1);
        var methods = List.of(
                new dev.mono4j.align.AlignCompare.MethodResult("dpo", 0, dpo, dpo, dpo, fd, fd, List.of()),
                new dev.mono4j.align.AlignCompare.MethodResult("decpo", 0.1, decpo, decpo, decpo, fd, fd, List.of()));
        return new Demo.Aligned("toxicity", "xs", new dev.mono4j.align.AlignCompare.Result(Path.of("r.html"), 0.6, methods,
                List.of()));
    }

    @Test
    void purityTableHasOneRowPerConceptWithItsPurestLatent() {
        List<dev.mono4j.sae.LatentConcepts.Context> ctx = List.of(new dev.mono4j.sae.LatentConcepts.Context(3f, "the bank"));
        List<dev.mono4j.sae.LatentConcepts.Latent> latents = List.of(
                new dev.mono4j.sae.LatentConcepts.Latent(0, 50, 40, "river", 0.95, ctx),
                new dev.mono4j.sae.LatentConcepts.Latent(1, 30, 20, "river", 0.60, List.of()),
                new dev.mono4j.sae.LatentConcepts.Latent(2, 90, 80, "money", 0.91, List.of()),
                new dev.mono4j.sae.LatentConcepts.Latent(3, 5, 5, "money", Double.NaN, List.of()));
        List<List<?>> rows = DemoSae.purityRows(latents);
        // Concepts in order; latent 3 has too little evidence to count.
        assertEquals(List.of(List.of("money", 1, 1L, "0.910", 2, 90L, ""), List.of("river", 2, 1L, "0.950", 0, 50L, "the bank")),
                rows);
    }

    private static List<String> texts(NodeList nodes) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent().trim());
        }
        return out;
    }
}
