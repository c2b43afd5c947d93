package dev.mono4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TargetSplit} on small hand-written JSONL files: exact files, the draw, matching, splits, errors. */
class TargetSplitTest {
    @TempDir
    Path tmp;

    private int folders;

    private Path write(String name, String content) throws Exception {
        return Files.writeString(tmp.resolve(name), content);
    }

    private static TargetSplitConfig config(int count, long seed, int heldout, String... where) {
        return TargetSplitConfig.builder().where(Stream.of(where).map(FieldCondition::parse).toList())
                .count(count).seed(seed).heldout(heldout).build();
    }

    /** Splits into a new folder and returns it. */
    private Path split(Path data, TargetSplitConfig cfg) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out" + folders++));
        TargetSplit.plan(data, cfg).write(out);
        return out;
    }

    private static String read(Path folder, String file) throws Exception {
        return Files.readString(folder.resolve(file));
    }

    private static List<String> lines(Path folder, String file) throws Exception {
        return Files.readAllLines(folder.resolve(file));
    }

    /** WordNet-like lines (no split field); lines 1, 3 and 4 are food; line 3 has odd spacing and non-ASCII. */
    private static final String NO_SPLIT = """
            {"text":"a red fruit","supersense":"noun.food","synset":"1"}
            {"text":"a grey animal","supersense":"noun.animal","synset":"2"}
            { "text" : "a café's bread",   "supersense":"noun.food", "synset":"3" }
            {"text":"a yellow fruit","supersense":"noun.food","synset":"4"}
            {"text":"a small animal","supersense":"noun.animal","synset":"5"}
            """;

    @Test
    void everyMatchingLineDrawnGivesExactFilesCopiedByteForByte() throws Exception {
        Path data = write("wn.jsonl", NO_SPLIT);
        Path out = split(data, config(3, 7, 0, "supersense=noun.food"));
        List<String> in = NO_SPLIT.lines().toList();
        assertEquals(in.get(0) + "\n" + in.get(2) + "\n" + in.get(3) + "\n", read(out, TargetSplit.TARGETS_FILE));
        assertEquals(in.get(1) + "\n" + in.get(4) + "\n", read(out, TargetSplit.POOL_FILE));
        assertFalse(Files.exists(out.resolve(TargetSplit.HELDOUT_FILE)), "no split field and no --heldout");
        JsonNode counts = Json.read(out.resolve(TargetSplit.SETTINGS_FILE)).get("counts");
        assertEquals(Json.MAPPER.readTree("{\"lines\":5,\"matching\":3,\"targets\":3,\"pool\":2,\"pool_matching\":0,"
                + "\"heldout\":0}"), counts);
    }

    @Test
    void lineEndsBecomeNewlinesAndNothingElseChanges() throws Exception {
        Path data = write("crlf.jsonl", NO_SPLIT.replace("\n", "\r\n"));
        Path out = split(data, config(3, 0, 0, "supersense=noun.food"));
        assertEquals(NO_SPLIT.lines().filter(l -> l.contains("food")).map(l -> l + "\n").reduce("", String::concat),
                read(out, TargetSplit.TARGETS_FILE));
    }

    /** Twelve lines, eight of them "hit". */
    private Path twelve() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            b.append(Json.line(Json.object("text", "text " + i, "tag", i % 3 == 2 ? "miss" : "hit"))).append('\n');
        }
        return write("twelve.jsonl", b.toString());
    }

    @Test
    void theDrawIsSeededAndTargetsHeldoutAndPoolPartitionTheLines() throws Exception {
        Path data = twelve();
        Path a = split(data, config(3, 5, 2, "tag=hit"));
        Path b = split(data, config(3, 5, 2, "tag=hit"));
        for (String f : TargetSplit.OUTPUTS) {
            assertEquals(read(a, f), read(b, f), f + " with the same seed");
        }
        List<String> targets = lines(a, TargetSplit.TARGETS_FILE);
        List<String> pool = lines(a, TargetSplit.POOL_FILE);
        List<String> heldout = lines(a, TargetSplit.HELDOUT_FILE);
        assertEquals(3, targets.size());
        assertEquals(2, heldout.size());
        assertEquals(7, pool.size());
        assertTrue(targets.stream().allMatch(l -> l.contains("\"hit\"")), targets.toString());
        // Every line once: targets, held-out texts (as texts) and pool are disjoint and cover the file.
        Set<String> texts = new HashSet<>(heldout);
        Stream.concat(targets.stream(), pool.stream()).forEach(l -> assertTrue(texts.add(
                Json.parseLine(l, "out").get("text").textValue()), l));
        assertEquals(12, texts.size());
        assertEquals(3, pool.stream().filter(l -> l.contains("\"hit\"")).count()); // 8 hits - 3 targets - 2 held out
        JsonNode counts = Json.read(a.resolve(TargetSplit.SETTINGS_FILE)).get("counts");
        assertEquals(8, counts.get("matching").asInt());
        assertEquals(3, counts.get("pool_matching").asInt());
        assertEquals(2, counts.get("heldout").asInt());
        // Some other seed draws other targets.
        boolean differs = false;
        for (long seed = 6; seed < 20 && !differs; seed++) {
            differs = !read(split(data, config(3, seed, 2, "tag=hit")), TargetSplit.TARGETS_FILE)
                    .equals(read(a, TargetSplit.TARGETS_FILE));
        }
        assertTrue(differs);
    }

    @Test
    void theDrawIsUniformOverMatchingLines() throws Exception {
        // 8 matching lines, 2 drawn per seed, 200 seeds: each line is drawn 50 times in expectation (binomial,
        // sd 6.1; the bound is 4.6 sd); a bias towards early or late lines would show.
        Path data = twelve();
        int[] drawn = new int[12];
        for (int seed = 0; seed < 200; seed++) {
            Path out = Files.createDirectories(tmp.resolve("u"));
            TargetSplit.plan(data, config(2, seed, 0, "tag=hit")).write(out);
            for (String l : lines(out, TargetSplit.TARGETS_FILE)) {
                drawn[Integer.parseInt(Json.parseLine(l, "t").get("text").textValue().substring(5))]++;
            }
        }
        for (int i = 0; i < 12; i++) {
            if (i % 3 == 2) {
                assertEquals(0, drawn[i], "line " + i + " does not match");
            } else {
                assertTrue(Math.abs(drawn[i] - 50) < 28, "line " + i + " drawn " + drawn[i] + " times");
            }
        }
    }

    /** ConceptWorld-like: a split field, per-word concepts with nulls, a number. */
    private static final String SPLIT = """
            {"id":0,"split":"train","domain":"animals","text":"the bat flew","concepts":[null,"animals:bat","animals:fly"],"n":3}
            {"id":1,"split":"train","domain":"sports","text":"the bat broke","concepts":[null,"sports:bat",null],"n":3.0}
            {"id":2,"split":"train","domain":"animals","text":"a bat slept","concepts":[null,"animals:bat",null],"n":4}
            {"id":3,"split":"valid","domain":"animals","text":"one bat ate","concepts":[null,"animals:bat",null],"n":3}
            {"id":4,"split":"valid","domain":"sports","text":"my bat hit","concepts":[null,"sports:bat",null],"n":3}
            {"id":5,"split":"test","domain":"animals","text":"that bat sang","concepts":[null,"animals:bat",null],"n":3}
            """;

    @Test
    void withASplitFieldTargetsAndPoolComeFromTrainAndHeldoutTextsFromValid() throws Exception {
        Path data = write("corpus.jsonl", SPLIT);
        List<String> in = SPLIT.lines().toList();
        Path out = split(data, config(2, 0, 0, "concepts=animals:bat"));
        assertEquals(in.get(0) + "\n" + in.get(2) + "\n", read(out, TargetSplit.TARGETS_FILE));
        assertEquals(in.get(1) + "\n", read(out, TargetSplit.POOL_FILE)); // valid and test lines are in no pool
        assertEquals("one bat ate\n", read(out, TargetSplit.HELDOUT_FILE));
        JsonNode json = Json.read(out.resolve(TargetSplit.SETTINGS_FILE));
        assertTrue(json.get("data_has_split_field").asBoolean());
        assertEquals(Json.MAPPER.readTree("{\"lines\":6,\"matching\":2,\"targets\":2,\"pool\":1,\"pool_matching\":0,"
                + "\"heldout\":1}"), json.get("counts"));
    }

    @Test
    void conditionsMatchStringsNumbersAndArrayElementsAndAllMustHold() throws Exception {
        Path data = write("corpus.jsonl", SPLIT);
        List<String> in = SPLIT.lines().toList();
        // n=3 matches 3 and 3.0 (numbers compare as numbers); with domain=sports only line 1 of train is left.
        Path out = split(data, config(1, 0, 0, "n=3", "domain=sports"));
        assertEquals(in.get(1) + "\n", read(out, TargetSplit.TARGETS_FILE));
        assertEquals("my bat hit\n", read(out, TargetSplit.HELDOUT_FILE));
        // An array element: "animals:fly" is only in line 0; a value no line has matches nothing.
        assertEquals(in.get(0) + "\n", read(split(data, config(1, 0, 0, "concepts=animals:fly")),
                TargetSplit.TARGETS_FILE));
        String msg = assertThrows(UserInputException.class,
                () -> TargetSplit.plan(data, config(1, 0, 0, "domain=music"))).getMessage();
        assertEquals(data + ": 0 lines of split train match --where domain=music, fewer than the 1 needed (--count 1)",
                msg);
    }

    @Test
    void tooFewMatchingLinesIsOneLine() throws Exception {
        Path data = write("wn.jsonl", NO_SPLIT);
        String msg = assertThrows(UserInputException.class,
                () -> TargetSplit.plan(data, config(2, 0, 2, "supersense=noun.food"))).getMessage();
        assertEquals(data + ": 3 lines match --where supersense=noun.food, fewer than the 4 needed (--count 2 +"
                + " --heldout 2)", msg);
    }

    @Test
    void badLinesNameFileAndLine() throws Exception {
        String good = "{\"text\":\"fine\",\"k\":\"v\"}\n";
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {good + "{not json\n", ":2: not a JSON object"});
        cases.add(new String[] {good + good + "[1,2]\n", ":3: not a JSON object"});
        cases.add(new String[] {good + "{\"k\":\"v\"}\n", ":2: no string \"text\" field"});
        cases.add(new String[] {good + "{\"text\":3}\n", ":2: no string \"text\" field"});
        cases.add(new String[] {good + "{\"text\":\"x\",\"split\":\"train\"}\n", ":2: a \"split\" field, unlike line 1"});
        cases.add(new String[] {"{\"text\":\"x\",\"split\":1}\n", ":1: \"split\" is not a string"});
        for (String[] c : cases) {
            Path data = write("bad.jsonl", c[0]);
            String msg = assertThrows(UserInputException.class, () -> TargetSplit.plan(data, config(1, 0, 0, "k=v")))
                    .getMessage();
            assertTrue(msg.startsWith(data + c[1]), msg);
        }
    }

    @Test
    void heldoutCountWithASplitFieldIsRefused() throws Exception {
        Path data = write("corpus.jsonl", SPLIT);
        String msg = assertThrows(UserInputException.class,
                () -> TargetSplit.plan(data, config(1, 0, 1, "concepts=animals:bat"))).getMessage();
        assertTrue(msg.startsWith("--heldout 1: " + data + " has a \"split\" field"), msg);
    }

    @Test
    void whereNeedsFieldEqualsValue() {
        assertEquals(new FieldCondition("a", "b=c"), FieldCondition.parse("a=b=c"));
        assertEquals(new FieldCondition("a", ""), FieldCondition.parse("a="));
        assertThrows(IllegalArgumentException.class, () -> FieldCondition.parse("=b"));
        assertThrows(IllegalArgumentException.class, () -> FieldCondition.parse("ab"));
    }
}
