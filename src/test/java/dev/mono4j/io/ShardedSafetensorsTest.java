package dev.mono4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint folders: one model.safetensors, or shards listed in model.safetensors.index.json. */
class ShardedSafetensorsTest {
    @TempDir
    Path dir;

    private static final String SHARD1 = "model-00001-of-00002.safetensors";
    private static final String SHARD2 = "model-00002-of-00002.safetensors";

    @Test
    void indexMapsEachTensorToItsShard() {
        writeShards();
        index("\"wte\": \"" + SHARD1 + "\", \"h.0.w\": \"" + SHARD1 + "\", \"lm_head\": \"" + SHARD2 + "\"");

        try (ShardedSafetensors s = ShardedSafetensors.open(dir)) {
            assertEquals(Set.of("wte", "h.0.w", "lm_head"), s.tensors().keySet());
            assertEquals(dir.resolve(SHARD1), s.reader("wte").path());
            assertEquals(dir.resolve(SHARD1), s.reader("h.0.w").path());
            assertEquals(dir.resolve(SHARD2), s.reader("lm_head").path());
            assertTrue(s.has("lm_head"));
            assertFalse(s.has("unlisted")); // present in shard 2 but not in the index

            assertArrayEquals(new long[] {2, 2}, s.info("wte").shape());
            assertEquals(Dtype.I64, s.info("h.0.w").dtype());
            assertArrayEquals(new float[] {1, 2, 3, 4}, s.reader("wte").readFloats("wte"));
            assertArrayEquals(new long[] {5, 6}, s.reader("h.0.w").readLongs("h.0.w"));
            assertArrayEquals(new float[] {7, 8, 9}, s.reader("lm_head").readFloats("lm_head"));
            assertThrows(IllegalArgumentException.class, () -> s.reader("unlisted"));
        }
    }

    @Test
    void indexNamingAShardThatLacksTheTensor() {
        writeShards();
        index("\"wte\": \"" + SHARD1 + "\", \"lm_head\": \"" + SHARD1 + "\"");

        UserInputException e = assertThrows(UserInputException.class, () -> ShardedSafetensors.open(dir));
        String msg = e.getMessage();
        assertTrue(msg.contains(dir.resolve(ShardedSafetensors.INDEX_FILE).toString()), msg);
        assertTrue(msg.contains("'lm_head'"), msg);
        assertTrue(msg.contains(SHARD1) && msg.contains("no such tensor"), msg);
    }

    @Test
    void indexNamingAMissingShardFile() {
        writeShards();
        index("\"wte\": \"" + SHARD1 + "\", \"x\": \"model-00003-of-00002.safetensors\"");

        UserInputException e = assertThrows(UserInputException.class, () -> ShardedSafetensors.open(dir));
        assertTrue(e.getMessage().contains(dir.resolve("model-00003-of-00002.safetensors").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("file not found"), e.getMessage());
    }

    @Test
    void indexWithoutWeightMap() {
        AtomicFiles.writeString(dir.resolve(ShardedSafetensors.INDEX_FILE), "{\"metadata\": {}}");

        UserInputException e = assertThrows(UserInputException.class, () -> ShardedSafetensors.open(dir));
        assertTrue(e.getMessage().contains(dir.resolve(ShardedSafetensors.INDEX_FILE).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("weight_map"), e.getMessage());
    }

    @Test
    void singleFileWithoutIndex() {
        new SafetensorsWriter().addF32("a", new long[] {1}, new float[] {3})
                .addI64("b", new long[] {}, new long[] {4})
                .write(dir.resolve(ShardedSafetensors.SINGLE_FILE));

        try (ShardedSafetensors s = ShardedSafetensors.open(dir)) {
            assertEquals(Set.of("a", "b"), s.tensors().keySet());
            assertEquals(dir.resolve(ShardedSafetensors.SINGLE_FILE), s.reader("b").path());
            assertArrayEquals(new long[] {4}, s.reader("b").readLongs("b"));
        }
    }

    @Test
    void folderWithNeitherFile() {
        UserInputException e = assertThrows(UserInputException.class, () -> ShardedSafetensors.open(dir));
        assertTrue(e.getMessage().startsWith(dir + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(ShardedSafetensors.SINGLE_FILE), e.getMessage());
        assertTrue(e.getMessage().contains(ShardedSafetensors.INDEX_FILE), e.getMessage());
    }

    private void writeShards() {
        new SafetensorsWriter()
                .addF32("wte", new long[] {2, 2}, new float[] {1, 2, 3, 4})
                .addI64("h.0.w", new long[] {2}, new long[] {5, 6})
                .write(dir.resolve(SHARD1));
        new SafetensorsWriter()
                .addF32("lm_head", new long[] {3}, new float[] {7, 8, 9})
                .addF32("unlisted", new long[] {1}, new float[] {0})
                .write(dir.resolve(SHARD2));
    }

    private void index(String weightMapEntries) {
        AtomicFiles.writeString(dir.resolve(ShardedSafetensors.INDEX_FILE),
                "{\"metadata\": {\"total_size\": 40}, \"weight_map\": {" + weightMapEntries + "}}");
    }
}
