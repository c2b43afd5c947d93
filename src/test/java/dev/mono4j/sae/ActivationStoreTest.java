package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TextSource;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The activation store against an independent path (each text alone through the model with a plain capture
 * hook), its shuffled reader's guarantees (each row once per epoch, seeded order, skip, bounded buffer), resume
 * after an interrupted cache, and its one-line errors for broken stores.
 */
class ActivationStoreTest {
    static final String HOOK = "blocks.1.hook_resid_post";
    /** Small shards, so a store of 30 texts has several and texts end near shard boundaries. */
    static final ActivationStoreConfig CFG = new ActivationStoreConfig(HOOK, 4, 32, 64);

    @TempDir
    static Path tmp;
    static Path modelDir;
    static TransformerLM model;
    static Tokenizer tok;
    static Path texts;
    static ActivationStore store;

    @BeforeAll
    static void cacheTinyModel() throws Exception {
        modelDir = TinyModels.save(TinyModels.llama(), 3, tmp.resolve("model"));
        model = Checkpoint.loadCausal(modelDir, "this test");
        tok = Tokenizer.load(modelDir);
        texts = Files.writeString(tmp.resolve("texts.txt"), WordLevelTokenizers.text(WordLevelTokenizers.words(40), 30, 5));
        store = cache(TextSource.file(texts, null, 1000), tmp.resolve("store"), false);
    }

    @AfterAll
    static void close() {
        tok.close();
        model.close();
    }

    static ActivationStore cache(TextSource source, Path out, boolean resume) {
        return ActivationCacher.cache(model, tok, modelDir.toString(), source, CFG, out, false, resume, NonFinite.REFUSE, false);
    }

    /** Every row of a store, in order, through the chunk reader. */
    static List<float[]> allRows(ActivationStore s) {
        List<float[]> rows = new ArrayList<>();
        for (Iterator<ActivationStore.Chunk> it = s.chunks(50); it.hasNext();) {
            ActivationStore.Chunk c = it.next();
            for (int r = 0; r < c.rows(); r++) {
                rows.add(java.util.Arrays.copyOfRange(c.activations(), r * s.dIn(), (r + 1) * s.dIn()));
            }
        }
        return rows;
    }

    @Test
    void cachedRowsAreTheHookCapturedDirectlyWithoutSpecialTokens() throws Exception {
        List<String> lines = Files.readAllLines(texts);
        List<float[]> expected = new ArrayList<>();
        List<long[]> expectedIds = new ArrayList<>(); // token id, text, position
        for (int i = 0; i < lines.size(); i++) {
            Tokenizer.Encoded e = tok.encodeWithOffsets(lines.get(i));
            try (NDManager step = model.manager().newSubManager()) {
                Hooks h = Hooks.capture(HOOK);
                model.forward(step, TokenBatch.of(e.ids()), h);
                float[] a = h.get(HOOK).toFloatArray();
                int width = a.length / e.ids().length;
                for (int t = 0; t < e.ids().length; t++) {
                    if (!e.special(t)) {
                        expected.add(java.util.Arrays.copyOfRange(a, t * width, (t + 1) * width));
                        expectedIds.add(new long[] {e.ids()[t], i, t});
                    }
                }
            }
        }
        assertEquals(expected.size(), store.rows());
        assertEquals(lines.size(), store.texts());
        assertEquals(TinyModels.llama().hiddenSize(), store.dIn());
        assertEquals(HOOK, store.hookName());
        assertNull(store.concepts(), "plain text has no concepts");
        assertTrue(store.shards().size() > 3 && store.shards().stream().allMatch(s -> s.rows() <= 64), "" + store.shards());
        int row = 0;
        for (Iterator<ActivationStore.Chunk> it = store.chunks(50); it.hasNext();) {
            ActivationStore.Chunk c = it.next();
            assertTrue(c.rows() <= 50);
            assertEquals(row, c.firstRow());
            assertNull(c.concept());
            for (int r = 0; r < c.rows(); r++, row++) {
                float[] got = java.util.Arrays.copyOfRange(c.activations(), r * store.dIn(), (r + 1) * store.dIn());
                assertTrue(Fixtures.maxAbsDiff(expected.get(row), got) < 1e-5, "row " + row);
                assertArrayEquals(expectedIds.get(row), new long[] {c.tokenIds()[r], c.textIndex()[r], c.position()[r]},
                        "row " + row);
            }
        }
        assertEquals(expected.size(), row);
        assertEquals(1, expectedIds.get(0)[2], "BOS (position 0) is left out");
        JsonNode json = Json.read(store.dir().resolve(ActivationStore.STORE_FILE));
        assertEquals("mono4j-activations", json.get("format").asText());
        assertTrue(json.get("complete").asBoolean());
        assertTrue(json.get("concepts").isNull());
        assertEquals("activations_00000.safetensors", json.get("shards").get(0).get("file").asText());
    }

    @Test
    void conceptsIndexTheStoresList() throws Exception {
        Path jsonl = Files.write(tmp.resolve("concepts.jsonl"), List.of(
                "{\"text\":\"w1 w2 w3\",\"concepts\":[\"food:w1\",null,\"sports:w3\"]}",
                "{\"text\":\"w4 w5\"}",
                "{\"text\":\"w3 w1\",\"concepts\":[\"sports:w3\",\"food:w1\"]}"));
        ActivationStore s = cache(TextSource.file(jsonl, null, 10), tmp.resolve("concept-store"), false);
        assertEquals(List.of("food:w1", "sports:w3"), s.concepts(), "first seen, first listed");
        ActivationStore.Chunk c = s.chunks(100).next();
        assertArrayEquals(new long[] {0, -1, 1, -1, -1, 1, 0}, c.concept());
        assertArrayEquals(new long[] {0, 0, 0, 1, 1, 2, 2}, c.textIndex());
        assertArrayEquals(new long[] {1, 2, 3, 1, 2, 1, 2}, c.position());
    }

    @Test
    void shuffledReadsEveryRowOncePerEpochInASeededOrder() {
        int rows = Math.toIntExact(store.rows());
        Map<String, Integer> all = counts(allRows(store));
        ActivationStore.Shuffled src = (ActivationStore.Shuffled) store.shuffled(7, 40);
        List<float[]> first = read(src, rows);
        List<float[]> second = read(src, rows);
        assertEquals(all, counts(first), "epoch 1 holds every row once");
        assertEquals(all, counts(second), "epoch 2 holds every row once");
        assertNotEquals(keys(first), keys(second), "each epoch has its own order");
        assertNotEquals(keys(allRows(store)), keys(first), "shuffled");
        assertTrue(src.bufferRows() <= 40);
        assertEquals(keys(first), keys(read(store.shuffled(7, 40), rows)), "same seed, same order");
        assertNotEquals(keys(first), keys(read(store.shuffled(8, 40), rows)), "another seed, another order");
        ActivationStore.Shuffled wide = (ActivationStore.Shuffled) store.shuffled(7, 1 << 20);
        assertEquals(all, counts(read(wide, rows)));
        assertEquals(rows, wide.bufferRows(), "a buffer larger than the store holds the store");
    }

    @Test
    void skipThenNextIsNext() {
        long rows = store.rows();
        for (long n : new long[] {0, 1, 39, 40, 41, rows - 3, rows, rows + 17, 3 * rows + 5}) {
            ActivationSource read = store.shuffled(3, 40);
            read.next(Math.toIntExact(n));
            ActivationSource skipped = store.shuffled(3, 40);
            skipped.skip(n);
            assertArrayEquals(read.next(25), skipped.next(25), "after " + n + " rows");
        }
    }

    @Test
    void theBufferNeverHoldsMoreThanItsRows() {
        ActivationStore.Shuffled src = (ActivationStore.Shuffled) store.shuffled(1, 16);
        for (int i = 0; i < 60; i++) {
            src.next(7);
            assertTrue(src.bufferRows() <= 16, "buffer holds " + src.bufferRows());
        }
        float[] big = src.next(100); // more rows than the buffer: handed out across windows
        assertEquals(100 * store.dIn(), big.length);
        assertTrue(src.bufferRows() <= 16);
    }

    /** Read once at start-up: the shuffled reader knows the store's rows; cfg.json's fields need store.json only. */
    @Test
    void theStoreIsOpenedOnceAtStartUp() throws Exception {
        assertEquals(store.rows(), store.shuffled(7, 40).epochRows(), "sae compare evaluates at most one epoch");
        Path dir = copyOfStore("described");
        Files.delete(dir.resolve("activations_00001.safetensors"));
        JsonNode cfg = SaeData.store(dir, 0, 40).saeLensConfig();
        assertEquals(HOOK, cfg.get("hook_name").asText());
        assertEquals(1, cfg.get("hook_layer").asInt());
        assertEquals(modelDir.toString(), cfg.get("model_name").asText());
        assertEquals(store.data(), cfg.get("dataset_path").asText());
        assertThrows(UserInputException.class, () -> SaeData.store(dir, 0, 40).open(), "opening the rows checks shards");
    }

    @Test
    void resumingAnInterruptedCacheGivesTheSameStore() throws Exception {
        List<String> lines = Files.readAllLines(texts);
        List<String> broken = new ArrayList<>(lines);
        broken.set(20, " "); // the cache stops at text 20, as if killed there
        Path data = Files.write(tmp.resolve("resume.txt"), broken);
        Path out = tmp.resolve("resumed");
        assertThrows(UserInputException.class, () -> cache(TextSource.file(data, null, 1000), out, false));
        JsonNode stopped = Json.read(out.resolve(ActivationStore.STORE_FILE));
        assertFalse(stopped.get("complete").asBoolean());
        int shards = stopped.get("shards").size();
        assertTrue(shards >= 1 && stopped.get("texts").asInt() <= 20, stopped.toString());
        assertThrows(UserInputException.class, () -> ActivationStore.open(out), "an incomplete store is not opened");
        // What a kill between a shard and store.json, or during a write, leaves: both are dropped on resume.
        Files.writeString(out.resolve(String.format("activations_%05d.safetensors", shards)), "half a shard");
        Files.writeString(out.resolve(".store.json.1234.tmp"), "{");

        Files.write(data, lines);
        ActivationStore resumed = cache(TextSource.file(data, null, 1000), out, true);
        ActivationStore whole = cache(TextSource.file(data, null, 1000), tmp.resolve("whole"), false);
        assertEquals(Json.read(whole.dir().resolve(ActivationStore.STORE_FILE)),
                Json.read(out.resolve(ActivationStore.STORE_FILE)));
        try (var files = Files.list(out)) {
            assertEquals(whole.shards().size() + 1, files.count(), "no leftovers beside store.json and the shards");
        }
        for (ActivationStore.Shard s : whole.shards()) {
            try (SafetensorsReader a = SafetensorsReader.open(whole.dir().resolve(s.file()));
                    SafetensorsReader b = SafetensorsReader.open(out.resolve(s.file()))) {
                for (String name : List.of("token_ids", "text_index", "position")) {
                    assertArrayEquals(a.readLongs(name), b.readLongs(name), s.file() + " " + name);
                }
                // A resumed batch pads differently; padding is masked, so only float rounding may differ.
                assertTrue(Fixtures.maxAbsDiff(a.readFloats("activations"), b.readFloats("activations")) < 1e-5);
            }
        }
        assertEquals(resumed.rows(), cache(TextSource.file(data, null, 1000), out, true).rows(), "resuming a finished"
                + " store changes nothing");
        UserInputException other = assertThrows(UserInputException.class, () -> ActivationCacher.cache(model, tok,
                modelDir.toString(), TextSource.file(data, null, 1000), new ActivationStoreConfig("blocks.0.hook_resid_post",
                        4, 32, 64), out, false, true, NonFinite.REFUSE, false));
        assertTrue(other.getMessage().contains("hook " + HOOK + ", now blocks.0.hook_resid_post"), other.getMessage());
    }

    @Test
    void resumeRefusesDataThatChangedUnderTheCachedTexts() throws Exception {
        List<String> lines = Files.readAllLines(texts);
        List<String> broken = new ArrayList<>(lines);
        broken.set(25, "");
        Path data = Files.write(tmp.resolve("changed.txt"), broken);
        Path out = tmp.resolve("changed");
        assertThrows(UserInputException.class, () -> cache(TextSource.file(data, null, 1000), out, false));
        broken.set(25, lines.get(25));
        broken.set(0, "w1 w2 w3");
        Files.write(data, broken);
        UserInputException e = assertThrows(UserInputException.class,
                () -> cache(TextSource.file(data, null, 1000), out, true));
        assertTrue(e.getMessage().contains("texts differ"), e.getMessage());
    }

    @Test
    void openNamesTheFileAndWhatIsWrong() throws Exception {
        Path dir = copyOfStore("broken");
        Path json = dir.resolve(ActivationStore.STORE_FILE);
        String good = Files.readString(json);
        assertOpenFails(tmp.resolve("nowhere"), "nowhere", "not an activation store");

        Files.writeString(json, "{\"format\": ");
        assertOpenFails(dir, "store.json", "invalid JSON");
        Files.writeString(json, good.replace("mono4j-activations", "safetensors"));
        assertOpenFails(dir, "store.json", "not an activation store", "'safetensors'");
        Files.writeString(json, good.replace("\"version\" : 1", "\"version\" : 9"));
        assertOpenFails(dir, "store.json", "version 9");
        Files.writeString(json, good.replace("\"complete\" : true", "\"complete\" : false"));
        assertOpenFails(dir, "store.json", "incomplete", "--resume");
        Files.writeString(json, good.replace("activations_00001.safetensors", "../model/model.safetensors"));
        assertOpenFails(dir, "store.json", "activations_NNNNN.safetensors");
        Files.writeString(json, good);

        Path shard = dir.resolve("activations_00001.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        assertOpenFails(dir, "activations_00001.safetensors", "beyond the end of the file");
        Files.delete(shard);
        assertOpenFails(dir, "activations_00001.safetensors", "file not found");

        long rows = store.shards().get(1).rows();
        try (SafetensorsReader r = SafetensorsReader.open(store.dir().resolve("activations_00001.safetensors"))) {
            long[] ids = r.readLongs("token_ids");
            float[] acts = r.readFloats("activations");
            SafetensorsWriter w = new SafetensorsWriter().addF32("activations", new long[] {rows, store.dIn()}, acts)
                    .addI64("text_index", new long[] {rows}, r.readLongs("text_index"))
                    .addI64("position", new long[] {rows}, r.readLongs("position"));
            int[] narrow = java.util.Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(narrow.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(narrow);
            w.add("token_ids", dev.mono4j.io.Dtype.I32, new long[] {rows}, b).write(shard);
            assertOpenFails(dir, "activations_00001.safetensors", "'token_ids' is I32", "expected I64");
            new SafetensorsWriter().addF32("activations", new long[] {1, rows * store.dIn()}, acts)
                    .addI64("token_ids", new long[] {rows}, ids).addI64("text_index", new long[] {rows}, ids)
                    .addI64("position", new long[] {rows}, ids).write(shard);
            assertOpenFails(dir, "activations_00001.safetensors", "'activations'", "expected F32 [" + rows + ", "
                    + store.dIn() + "]");
        }
    }

    private static void assertOpenFails(Path dir, String... fragments) {
        UserInputException e = assertThrows(UserInputException.class, () -> ActivationStore.open(dir));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
    }

    private static Path copyOfStore(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(store.dir())) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    /** The next {@code rows} rows, asked for 13 at a time (across windows and epochs). */
    private static List<float[]> read(ActivationSource src, int rows) {
        List<float[]> out = new ArrayList<>();
        while (out.size() < rows) {
            int n = Math.min(13, rows - out.size());
            float[] flat = src.next(n);
            for (int r = 0; r < n; r++) {
                out.add(java.util.Arrays.copyOfRange(flat, r * src.dIn(), (r + 1) * src.dIn()));
            }
        }
        return out;
    }

    private static List<String> keys(List<float[]> rows) {
        return rows.stream().map(java.util.Arrays::toString).toList();
    }

    private static Map<String, Integer> counts(List<float[]> rows) {
        Map<String, Integer> c = new HashMap<>();
        keys(rows).forEach(k -> c.merge(k, 1, Integer::sum));
        return c;
    }
}
