package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.model.SentenceEmbeddings.Pooling;
import dev.mono4j.onnx.OnnxBertConverter;
import dev.mono4j.tokenize.Tokenizer;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real all-MiniLM-L6-v2 and bge-small-en-v1.5 graphs (from the langchain4j jars on the test class path),
 * run by ONNX Runtime, against mono4j's BERT on the folders {@link OnnxBertConverter} makes of them, with the
 * same token ids. Profile {@code real-models}: {@code mvn -P real-models verify}.
 */
@Tag("real-models")
class RealBertParityTest {
    static final List<String> SENTENCES = List.of(
            "A man is playing a guitar.",
            "Someone plays an instrument.",
            "The stock market fell sharply today.",
            "The cat sat quietly on the warm windowsill.",
            "Quantum computers exploit superposition and entanglement.",
            "She ordered a large coffee with oat milk.",
            "Heavy rain is expected across the north this weekend.",
            "The committee postponed its decision until next month.",
            "Photosynthesis turns sunlight into chemical energy.",
            "He scored twice in the second half of the match.",
            "Paris is the capital of France.",
            "Unbelievably, the 1998 prototype still works!");

    @TempDir
    static Path tmp;

    @Test
    void allMiniLmL6V2MatchesOnnxRuntime() throws Exception {
        check("all-minilm-l6-v2", Pooling.MEAN);
    }

    @Test
    void bgeSmallEnV15MatchesOnnxRuntime() throws Exception {
        check("bge-small-en-v1.5", Pooling.CLS);
    }

    private static void check(String name, Pooling pooling) throws Exception {
        Path onnx = extract(name + ".onnx");
        Path hf = Files.createDirectories(tmp.resolve(name));
        OnnxBertConverter.convert(onnx, extract(name + "-tokenizer.json")).save(hf);

        TokenBatch batch;
        try (Tokenizer tok = Tokenizer.load(hf)) {
            batch = TokenBatch.encode(tok, SENTENCES, TokenBatch.PadSide.RIGHT);
        }
        checkSpecialTokens(hf.resolve("tokenizer.json"), batch);

        float[] expected = onnxRuntime(onnx, batch);
        float[][] embeddings;
        float[] actual;
        try (TransformerEncoder model = Checkpoint.loadEncoder(hf, "this test"); NDManager step = model.manager().newSubManager();
                Tokenizer tok = Tokenizer.load(hf)) {
            actual = model.forward(step, batch, Hooks.none()).toFloatArray();
            embeddings = SentenceEmbeddings.embed(model, tok, SENTENCES, pooling, true, 5);
        }
        int width = actual.length / (batch.batchSize() * batch.seqLen());
        double maxDiff = 0;
        for (int i = 0; i < actual.length; i++) {
            if (batch.mask()[i / width] != 0) { // padding positions are not compared: their states mean nothing
                maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            }
        }
        System.out.printf("%s: %d sentences, %d tokens, last_hidden_state max |mono4j - onnxruntime| = %.2e%n", name,
                SENTENCES.size(), java.util.Arrays.stream(batch.mask()).sum(), maxDiff);
        assertTrue(maxDiff < 1e-4, name + ": last_hidden_state differs by " + maxDiff);

        float[][] reference = poolAndNormalize(expected, batch, width, pooling);
        double maxCosDiff = 0;
        for (int a = 0; a < SENTENCES.size(); a++) {
            for (int b = 0; b < SENTENCES.size(); b++) {
                double d = SentenceEmbeddings.cosine(embeddings[a], embeddings[b])
                        - SentenceEmbeddings.cosine(reference[a], reference[b]);
                maxCosDiff = Math.max(maxCosDiff, Math.abs(d));
            }
        }
        System.out.printf("%s: sentence-embedding cosine similarities max difference = %.2e%n", name, maxCosDiff);
        assertTrue(maxCosDiff < 1e-5, name + ": cosine similarities differ by " + maxCosDiff);

        double related = SentenceEmbeddings.cosine(embeddings[0], embeddings[1]);
        double guitarStocks = SentenceEmbeddings.cosine(embeddings[0], embeddings[2]);
        double instrumentStocks = SentenceEmbeddings.cosine(embeddings[1], embeddings[2]);
        System.out.printf("%s: cos(guitar, instrument) = %.3f, cos(guitar, stocks) = %.3f, cos(instrument, stocks) = %.3f%n",
                name, related, guitarStocks, instrumentStocks);
        assertTrue(related > guitarStocks && related > instrumentStocks, name + ": " + related + " vs " + guitarStocks
                + ", " + instrumentStocks);
    }

    /** Every row starts with [CLS] and ends (before padding) with [SEP], as the post-processor's template says. */
    private static void checkSpecialTokens(Path tokenizerJson, TokenBatch batch) {
        JsonNode post = Json.read(tokenizerJson).path("post_processor");
        JsonNode single = post.path("single");
        String first = single.get(0).path("SpecialToken").path("id").asText();
        String last = single.get(single.size() - 1).path("SpecialToken").path("id").asText();
        assertEquals(List.of("[CLS]", "[SEP]"), List.of(first, last));
        long cls = post.path("special_tokens").path(first).path("ids").get(0).asLong();
        long sep = post.path("special_tokens").path(last).path("ids").get(0).asLong();
        for (int b = 0; b < batch.batchSize(); b++) {
            assertEquals(cls, batch.ids()[b * batch.seqLen()], "row " + b + " starts with " + first);
            assertEquals(sep, batch.ids()[b * batch.seqLen() + batch.lastRealIndex(b)], "row " + b + " ends with " + last);
        }
    }

    /** last_hidden_state {@code [B, T, H]} of the original graph, flattened. */
    private static float[] onnxRuntime(Path onnx, TokenBatch batch) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {batch.batchSize(), batch.seqLen()};
        Map<String, long[]> values = Map.of("input_ids", batch.ids(), "attention_mask", batch.mask(),
                "token_type_ids", new long[batch.ids().length]);
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            assertEquals(values.keySet(), session.getInputNames());
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try {
                for (Map.Entry<String, long[]> e : values.entrySet()) {
                    inputs.put(e.getKey(), OnnxTensor.createTensor(env, LongBuffer.wrap(e.getValue()), shape));
                }
                try (OrtSession.Result result = session.run(inputs)) {
                    OnnxTensor out = (OnnxTensor) result.get("last_hidden_state").orElseThrow();
                    assertEquals(List.of(shape[0], shape[1]), List.of(out.getInfo().getShape()[0], out.getInfo().getShape()[1]));
                    float[] flat = new float[Math.toIntExact(out.getInfo().getNumElements())];
                    out.getFloatBuffer().get(flat);
                    return flat;
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }

    /** sentence-transformers' pooling and normalisation, in plain Java over ONNX Runtime's output. */
    private static float[][] poolAndNormalize(float[] hidden, TokenBatch batch, int width, Pooling pooling) {
        float[][] out = new float[batch.batchSize()][width];
        for (int b = 0; b < batch.batchSize(); b++) {
            int tokens = pooling == Pooling.CLS ? 1 : batch.lastRealIndex(b) + 1;
            for (int t = 0; t < tokens; t++) {
                for (int i = 0; i < width; i++) {
                    out[b][i] += hidden[(b * batch.seqLen() + t) * width + i] / tokens;
                }
            }
            double squares = 0;
            for (float x : out[b]) {
                squares += (double) x * x;
            }
            double norm = Math.sqrt(squares);
            for (int i = 0; i < width; i++) {
                out[b][i] /= (float) norm;
            }
        }
        return out;
    }

    /** Copies a resource of the test class path (a langchain4j jar) to a file. */
    private static Path extract(String resource) throws Exception {
        Path file = tmp.resolve(resource);
        try (InputStream in = RealBertParityTest.class.getResourceAsStream("/" + resource)) {
            assertTrue(in != null, resource + " is not on the test class path (langchain4j jars, test scope)");
            Files.copy(in, file);
        }
        return file;
    }
}
