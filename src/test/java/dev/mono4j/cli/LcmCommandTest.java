package dev.mono4j.cli;

import static dev.mono4j.cli.CliTest.assertBadInput;
import static dev.mono4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import dev.mono4j.lcm.ConceptCorpus;
import dev.mono4j.lcm.ConceptSource;
import dev.mono4j.lcm.ConceptStore;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerEncoder;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.WordLevelTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lcm embed} with a tiny random BERT, then {@code lcm eval} of the baselines, and their one-line errors. */
class LcmCommandTest {
    @TempDir
    static Path tmp;

    static Path bert;
    static Path docs;
    static Path concepts;

    @BeforeAll
    static void embedTwelveDocuments() throws Exception {
        bert = tmp.resolve("bert");
        Path tokenizer = WordLevelTokenizers.write(tmp.resolve("tokenizer.json"), WordLevelTokenizers.words(36));
        try (TransformerEncoder model = TransformerEncoder.random(ModelConfig.bert(40, 16, 2, 2, 32, 24, 2, 1e-12), 3)) {
            Checkpoint.save(model, bert, tokenizer, false);
        }
        StringBuilder text = new StringBuilder();
        for (int d = 0; d < 12; d++) {
            // "w1 w2 ." opens every document (deduplicated); then two sentences of the document's own
            text.append("w1 w2 . w").append(3 + d).append(" w").append(20 + d % 5).append(" . w").append(15 + d % 3)
                    .append(" w9 .\n");
        }
        docs = tmp.resolve("docs.txt");
        Files.writeString(docs, text);
        concepts = tmp.resolve("concepts");
        CliTest.Run r = cli("lcm", "embed", "--data", docs, "--encoder", bert, "--valid-fraction", 0, "--test-fraction",
                0.25, "--batch-size", 5, "--out", concepts);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("9 train / 0 valid / 3 test"), r.out());
    }

    @Test
    void embedWritesTheConceptFolder() {
        ConceptCorpus c = ConceptStore.read(concepts);
        assertEquals(16, c.dim());
        // distinct: "w1 w2 .", 12 second sentences (w3..w14 with w20..w24), 3 third ones, "End of text."
        assertEquals(1 + 12 + 3 + 1, c.sentences().size());
        assertEquals(ConceptSource.END_OF_TEXT, c.sentences().get(c.documents().get(0).sentences()[3]));
        for (int i = 0; i < c.sentences().size(); i++) {
            float[] e = c.embedding(i);
            double norm = 0;
            for (float x : e) {
                norm += x * x;
            }
            assertEquals(1, norm, 1e-4, "unit-norm sentence embeddings");
        }
        assertEquals("gaussian-robust", c.normalizer().method());
        JsonNode summary = Json.read(concepts.resolve(ConceptStore.SUMMARY));
        assertEquals("MEAN", summary.at("/settings/pooling").asText());
        assertEquals(4 * 12, summary.get("sentence_occurrences").asInt());
    }

    @Test
    void evalScoresTheBaselines() throws Exception {
        Path out = tmp.resolve("eval");
        CliTest.Run r = cli("lcm", "eval", "--concepts", concepts, "--model", "copy-last", "--model", "mean", "--model",
                "nearest-context", "--batch-size", 2, "--out", out);
        assertEquals(0, r.code(), r.err());
        JsonNode eval = Json.read(out.resolve("eval.json"));
        assertEquals("test", eval.get("split").asText());
        assertEquals(3, eval.get("models").size());
        for (JsonNode m : eval.get("models")) {
            assertEquals(3 * 3, m.get("targets").asInt(), "three test documents of four sentences: three targets each");
        }
        JsonNode copy = eval.get("models").get(0);
        assertEquals("copy-last", copy.get("model").asText());
        assertEquals(1, copy.get("paraphrase").asDouble(), 1e-5);
        assertEquals(0, eval.get("models").get(1).get("spread").asDouble(), 1e-6, "a constant has no spread");
        assertTrue(r.out().contains("nearest-context"), r.out());
    }

    @Test
    void generateWithCopyLastRepeatsTheLastPromptSentence() {
        ConceptCorpus c = ConceptStore.read(concepts);
        ConceptCorpus.Document doc = c.documents(ConceptCorpus.Split.TRAIN).get(0);
        String last = c.sentences().get(doc.sentences()[1]);
        CliTest.Run r = cli("lcm", "generate", "--concepts", concepts, "--model", "copy-last", "--document", doc.id(),
                "--max-sentences", 3);
        assertEquals(0, r.code(), r.err());
        // prompt: "w1 w2 ." and the document's second sentence, a training sentence: copy-last retrieves it again
        String[] lines = r.out().split("\n");
        assertEquals("generated (cosine of the prediction to the retrieved sentence):", lines[4]);
        for (int i = 5; i < 8; i++) {
            assertEquals(String.format("  %2d.  1.000 %s", i - 2, last), lines[i]);
        }
        assertEquals("true continuation:", lines[8]);
        assertEquals(String.format("   3.        %s", c.sentences().get(doc.sentences()[2])), lines[9]);
        assertEquals("   4.        End of text.", lines[10]);
    }

    /** train → eval → generate with the trained folder, for both models; a resumed run continues its log. */
    @Test
    void trainedModelsAreEvaluatedAndGenerateFromTheCli() throws Exception {
        Path withValid = tmp.resolve("concepts-valid");
        CliTest.Run embedded = cli("lcm", "embed", "--data", docs, "--encoder", bert, "--valid-fraction", 0.25,
                "--test-fraction", 0.25, "--out", withValid);
        assertEquals(0, embedded.code(), embedded.err());
        for (String kind : new String[] {"base-lcm", "two-tower"}) {
            Path run = tmp.resolve("run-" + kind);
            CliTest.Run r = cli("lcm", "train", "--concepts", withValid, "--model", kind, "--d-model", 16, "--layers", 1,
                    "--denoiser-layers", 1, "--heads", 2, "--context", 3, "--steps", 4, "--batch-size", 2, "--warmup", 1,
                    "--eval-every", 2, "--checkpoint-every", 2, "--inference-steps", 4, "--out", run);
            assertEquals(0, r.code(), r.err());
            assertTrue(Files.isDirectory(run.resolve("final")), "final model folder");
            assertTrue(Files.readAllLines(run.resolve("log.jsonl")).size() >= 2, "a JSONL log of the steps");
            Path out = tmp.resolve("eval-" + kind);
            CliTest.Run e = cli("lcm", "eval", "--concepts", withValid, "--model", run.resolve("final"), "--model",
                    "copy-last", "--batch-size", 2, "--out", out);
            assertEquals(0, e.code(), e.err());
            JsonNode eval = Json.read(out.resolve("eval.json"));
            assertEquals(9, eval.get("models").get(0).get("targets").asInt());
            CliTest.Run g = cli("lcm", "generate", "--concepts", withValid, "--model", run.resolve("final"), "--document",
                    ConceptStore.read(withValid).documents(ConceptCorpus.Split.TEST).get(0).id(), "--max-sentences", 2);
            assertEquals(0, g.code(), g.err());
            assertTrue(g.out().contains("true continuation:"), g.out());
        }
    }

    @Test
    void badInputIsOneLine() throws Exception {
        assertBadInput(cli("lcm", "generate", "--concepts", concepts, "--model", "copy-last", "--document", "nope"),
                "--document nope", "no such document");
        assertBadInput(cli("lcm", "generate", "--concepts", concepts, "--model", "copy-last", "--document", "0",
                "--prompt-sentences", 0), "--prompt-sentences");
        assertBadInput(cli("lcm", "eval", "--concepts", concepts, "--model", "nope", "--out", tmp.resolve("e1")),
                "--model nope", "neither a baseline");
        assertBadInput(cli("lcm", "eval", "--concepts", concepts, "--model", "mean", "--split", "valid", "--out",
                tmp.resolve("e2")), "--split valid", "no documents");
        assertBadInput(cli("lcm", "eval", "--concepts", tmp, "--model", "mean", "--out", tmp.resolve("e3")),
                "not a concept folder");
        assertBadInput(cli("lcm", "embed", "--data", docs, "--encoder", Fixtures.dir("gpt2-tiny"), "--out",
                tmp.resolve("c1")), "GPT2LMHeadModel is a causal language model");
        Path jsonl = tmp.resolve("docs.jsonl");
        Files.writeString(jsonl, "{\"body\":\"w1 w2 .\"}\n");
        assertBadInput(cli("lcm", "embed", "--data", jsonl, "--encoder", bert, "--out", tmp.resolve("c2")),
                jsonl + ":1", "no text field \"text\"");
        assertBadInput(cli("lcm", "embed", "--data", docs, "--encoder", bert, "--test-fraction", 0.6, "--valid-fraction",
                0.5, "--out", tmp.resolve("c3")), "--valid-fraction");
        assertBadInput(cli("lcm", "embed", "--data", docs, "--encoder", bert, "--out", concepts), "not empty");
    }
}
