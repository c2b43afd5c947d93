package dev.mono4j.data.factorgraph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import dev.mono4j.tokenize.Tokenizer;
import dev.mono4j.tokenize.WordLevelTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder: lines and answers read back as written, the tokenizer's ids, and malformed answers refused. */
class FactorGraphFilesTest {
    @TempDir
    Path tmp;

    static final FactorGraphConfig SMALL = FactorGraphConfig.builder().variables(5).values(3).samples(60).valid(20).ood(20)
            .seed(4).build();

    @Test
    void splitsReadBackAsWrittenAndTheTokenizerRoundTrips() throws Exception {
        FactorGraphWriter.write(SMALL, tmp);
        FactorGraphWriter.Data d = FactorGraphWriter.generate(SMALL);
        for (FactorGraphSplit split : FactorGraphSplit.values()) {
            List<FactorGraphSample> read = split.read(tmp);
            List<FactorGraphSample> written = d.split(split);
            assertEquals(written.size(), read.size());
            for (int i = 0; i < read.size(); i++) {
                FactorGraphSample a = written.get(i);
                FactorGraphSample b = read.get(i);
                assertEquals(a.line(), b.line());
                assertArrayEquals(a.order(), b.order());
                assertArrayEquals(a.values(), b.values());
                assertEquals(a.masked(), b.masked());
                assertArrayEquals(a.conditional(), b.conditional(), "doubles survive JSON exactly");
                assertArrayEquals(a.blanket(), b.blanket());
                assertEquals(a.root(), b.root());
            }
        }
        List<String> vocabulary = FactorGraphTokens.vocabulary(5, 3);
        assertEquals(5 * 3 + 5, vocabulary.size());
        try (Tokenizer tok = Tokenizer.load(tmp.resolve("tokenizer.json"))) {
            FactorGraphSample s = d.valid().get(0);
            long[] ids = tok.encode(s.line());
            assertEquals(s.order().length + 3, ids.length, "BOS, V - 1 pairs, the query, the answer");
            assertEquals(tok.bosId().getAsLong(), ids[0]);
            String[] tokens = s.line().split(" ");
            for (int t = 0; t < tokens.length; t++) {
                assertEquals(WordLevelTokenizer.SPECIAL.size() + vocabulary.indexOf(tokens[t]), ids[t + 1], tokens[t]);
            }
            assertEquals(WordLevelTokenizer.BOS + " " + s.line(), tok.decode(ids));
        }
        JsonNode graph = Json.read(tmp.resolve("graph.json"));
        assertEquals(5, graph.get("variables").size());
        JsonNode stats = Json.read(tmp.resolve("stats.json"));
        assertEquals(20, stats.get("ood").get("lines").asInt());
    }

    @Test
    void aLineAndItsAnswerMustAgree() throws Exception {
        FactorGraphWriter.write(SMALL, tmp);
        List<String> answers = Files.readAllLines(tmp.resolve("valid.answers.jsonl"));
        JsonNode first = Json.MAPPER.readTree(answers.get(0));
        int wrongVariable = (first.get("masked").asInt() + 1) % 5;
        answers.set(0, answers.get(0).replace("\"masked\":" + first.get("masked").asInt(), "\"masked\":" + wrongVariable));
        Files.write(tmp.resolve("valid.answers.jsonl"), answers);
        UserInputException e = assertThrows(UserInputException.class, () -> FactorGraphSplit.VALID.read(tmp));
        assertTrue(e.getMessage().startsWith(tmp.resolve("valid.txt") + ":1: its answer does not match"), e.getMessage());

        Files.write(tmp.resolve("ood.answers.jsonl"), Files.readAllLines(tmp.resolve("ood.answers.jsonl")).subList(0, 19));
        e = assertThrows(UserInputException.class, () -> FactorGraphSplit.OOD.read(tmp));
        assertTrue(e.getMessage().contains("19 answers for 20 lines"), e.getMessage());

        Files.writeString(tmp.resolve("train.txt"), "v0_1 v1_2 v0? v0_1\n");
        e = assertThrows(UserInputException.class, () -> FactorGraphSplit.TRAIN.read(tmp));
        assertTrue(e.getMessage().startsWith(tmp.resolve("train.txt") + ":1: "), e.getMessage());
    }
}
