package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import dev.mono4j.train.RunFolder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** {@code ./mono4j sae compare} on tiny synthetic data: the runs, compare.json, the report, and one-line errors. */
class SaeCompareCommandTest {
    @TempDir
    static Path tmp;
    static Path synthetic;

    @BeforeAll
    static void syntheticData() {
        synthetic = tmp.resolve("synth");
        CliTest.Run r = cli("sae", "synth", "--out", synthetic, "--n", 24, "--d", 8, "--sparsity", "2");
        assertEquals(0, r.code(), r.err());
    }

    /** The compare flags with tiny training settings, then {@code extra}. */
    private static CliTest.Run compare(Path out, Object... extra) {
        List<Object> a = new ArrayList<>(List.of("sae", "compare", "--synthetic", synthetic, "--d-sae", 32, "--k", 2,
                "--batch-size", 64, "--steps", 20, "--log-every", 10, "--eval-rows", 500, "--out", out));
        a.addAll(List.of(extra));
        return cli(a.toArray());
    }

    @Test
    void comparesEveryArchitectureWithASweep() throws Exception {
        Path out = tmp.resolve("compare");
        CliTest.Run r = compare(out, "--sweep", "k=2,4");
        assertEquals(0, r.code(), r.err());
        List<String> names = List.of("topk-k=2", "topk-k=4", "batchtopk-k=2", "batchtopk-k=4", "relu", "jumprelu", "gba",
                "ba");
        JsonNode j = Json.read(out.resolve("compare.json"));
        assertEquals(500, j.get("eval_rows").asLong());
        assertEquals(names.size(), j.get("runs").size());
        for (int i = 0; i < names.size(); i++) {
            JsonNode run = j.get("runs").get(i);
            assertEquals(names.get(i), run.get("name").asText());
            assertEquals("runs/" + names.get(i), run.get("dir").asText());
            for (String field : List.of("architecture", "knob", "setting", "l0", "fvu", "mse", "dead", "dense", "frr_0.8",
                    "frr_0.9", "seconds")) {
                assertTrue(run.hasNonNull(field), names.get(i) + " has no " + field);
            }
            double frr = run.get("frr_0.8").asDouble();
            assertTrue(frr >= 0 && frr <= 1 && run.get("frr_0.9").asDouble() <= frr, run.toString());
            assertTrue(run.get("fvu").asDouble() > 0 && run.get("l0").asDouble() >= 0, run.toString());
            Path dir = out.resolve("runs").resolve(names.get(i));
            assertTrue(Files.isRegularFile(dir.resolve(RunFolder.LOG)) && Files.isRegularFile(dir.resolve("final/cfg.json")),
                    "a normal sae train folder: " + dir);
        }
        assertEquals(4, j.get("runs").get(1).get("setting").asInt());
        assertEquals("k", j.get("runs").get(1).get("knob").asText());
        assertEquals(4, Json.read(out.resolve("runs/topk-k=4/final/cfg.json")).get("k").asInt());
        assertEquals(0.1, j.get("runs").get(7).get("setting").asDouble(), "BA's knob is the default --htf");
        assertEquals(names.size() + 1, r.out().strip().lines().count(), r.out());

        String html = Files.readString(out.resolve("report.html"));
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, doc.getElementsByTagName("svg").getLength(), "frontier, FRR and dead-latent charts");
        for (String s : List.of("Sparsity–reconstruction frontier", "Feature recovery rate", "Dead and dense latents",
                "data-series=\"topk\"", "data-series=\"ba\"", "batchtopk-k=4")) {
            assertTrue(html.contains(s), "report lacks " + s);
        }

        // A finished comparison is kept unless --overwrite; sae eval reads its runs.
        assertBadInput(compare(out), "not empty", "--overwrite");
        Path eval = tmp.resolve("eval");
        assertEquals(0, cli("sae", "eval", out.resolve("runs/relu/final"), "--synthetic", synthetic, "--rows", 100, "--out",
                eval).code());
    }

    @Test
    void badFlagsAreOneLineErrors() {
        Path out = tmp.resolve("bad");
        assertBadInput(compare(out, "--architectures", "topk,mlp"), "invalid flags", "unknown SAE architecture 'mlp'");
        assertBadInput(compare(out, "--architectures", "topk,topk"), "invalid flags", "twice");
        assertBadInput(compare(out, "--sweep", "q=1"), "invalid flags", "unknown sweep knob 'q'");
        assertBadInput(compare(out, "--sweep", "k=2,x"), "--sweep k", "'x' is not a number");
        assertBadInput(compare(out, "--sweep", "k=2.5"), "invalid flags", "whole number");
        assertBadInput(compare(out, "--sweep", "k=2,2"), "invalid flags", "distinct");
        // Without compare()'s --k, which relu alone refuses.
        assertBadInput(cli("sae", "compare", "--synthetic", synthetic, "--architectures", "relu", "--sweep", "k=2,4",
                "--out", out), "invalid flags", "sweep k", "[relu]");
        assertBadInput(compare(out, "--sweep", "htf=0.0001"), "invalid flags", "LTF");
        assertBadInput(compare(out, "--sweep", "l1=-1"), "invalid flags", ">= 0");
        assertBadInput(compare(out, "--eval-seed", 1, "--seed", 1), "invalid flags", "another");
        assertBadInput(cli("sae", "compare", "--synthetic", synthetic, "--eval-rows", 0, "--out", out), "invalid flags",
                "eval rows");
        assertBadInput(cli("sae", "compare", "--out", out), "--activations", "--synthetic");
        assertFalse(Files.exists(out), "nothing written");
    }
}
