package dev.mono4j.sae;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.mono4j.UserInputException;
import dev.mono4j.data.LabelledText;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.sae.ActivationCacher.TextRows;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Spark task's rows of a range of texts (our format, never a store's): safetensors with the rows
 * ({@code activations}, {@code token_ids}, {@code position}, {@code concept} as an index into the part's own
 * concept table), {@code text_rows} (rows per text), and in the metadata the range's first text, its text count
 * and their checksum, so the driver commits a part only for the very texts it numbered.
 */
final class ActivationPart {
    private ActivationPart() {
    }

    /** Writes {@code rows} (one entry per text of {@code texts}, in order) as the part at {@code file}, atomically. */
    static void write(Path file, int firstText, List<LabelledText> texts, List<TextRows> rows) {
        int width = rows.get(0).width();
        int n = rows.stream().mapToInt(t -> t.tokenIds().length).sum();
        float[] acts = new float[n * width];
        long[] ids = new long[n];
        long[] pos = new long[n];
        long[] concept = new long[n];
        long[] textRows = new long[rows.size()];
        List<String> table = new ArrayList<>(); // the part's own concepts, first seen first
        Map<String, Long> index = new HashMap<>();
        int at = 0;
        for (int t = 0; t < rows.size(); t++) {
            TextRows r = rows.get(t);
            int k = r.tokenIds().length;
            System.arraycopy(r.activations(), 0, acts, at * width, k * width);
            System.arraycopy(r.tokenIds(), 0, ids, at, k);
            System.arraycopy(r.positions(), 0, pos, at, k);
            for (int i = 0; i < k; i++) {
                String c = r.concepts()[i];
                concept[at + i] = c == null ? -1 : index.computeIfAbsent(c, x -> {
                    table.add(x);
                    return (long) table.size() - 1;
                });
            }
            textRows[t] = k;
            at += k;
        }
        new SafetensorsWriter()
                .addF32("activations", new long[] {n, width}, acts)
                .addI64("token_ids", new long[] {n}, ids)
                .addI64("position", new long[] {n}, pos)
                .addI64("concept", new long[] {n}, concept)
                .addI64("text_rows", new long[] {rows.size()}, textRows)
                .metadata("first_text", Integer.toString(firstText))
                .metadata("texts", Integer.toString(texts.size()))
                .metadata("texts_checksum", Long.toString(checksum(texts)))
                .metadata("concepts", Json.write(table))
                .write(file);
    }

    /** Whether the part at {@code file} holds exactly {@code texts}, starting at text {@code firstText}. */
    static boolean holds(Path file, int firstText, List<LabelledText> texts) {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            Map<String, String> m = r.metadata();
            return Integer.toString(firstText).equals(m.get("first_text"))
                    && Integer.toString(texts.size()).equals(m.get("texts"))
                    && Long.toString(checksum(texts)).equals(m.get("texts_checksum"));
        } catch (RuntimeException e) { // a part of another format or version: not reusable
            return false;
        }
    }

    /** The rows of each of {@code texts} from the part at {@code file}, refused unless it holds exactly them. */
    static List<TextRows> read(Path file, int firstText, List<LabelledText> texts) {
        if (!holds(file, firstText, texts)) {
            throw new UserInputException(file + ": not the part of texts " + firstText + " to "
                    + (firstText + texts.size() - 1) + " of this cache (start again with --overwrite)");
        }
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            int width = Math.toIntExact(r.info("activations").shape()[1]);
            float[] acts = r.readFloats("activations");
            long[] ids = r.readLongs("token_ids");
            long[] pos = r.readLongs("position");
            long[] concept = r.readLongs("concept");
            long[] textRows = r.readLongs("text_rows");
            List<String> table = Json.MAPPER.readValue(r.metadata().get("concepts"), new TypeReference<List<String>>() { });
            if (textRows.length != texts.size() || Arrays.stream(textRows).sum() != ids.length) {
                throw new UserInputException(file + ": its row counts do not add up; start again with --overwrite");
            }
            List<TextRows> out = new ArrayList<>(texts.size());
            int at = 0;
            for (int t = 0; t < texts.size(); t++) {
                int k = (int) textRows[t];
                String[] names = new String[k];
                for (int i = 0; i < k; i++) {
                    names[i] = concept[at + i] < 0 ? null : table.get((int) concept[at + i]);
                }
                out.add(new TextRows(texts.get(t).text(), Arrays.copyOfRange(acts, at * width, (at + k) * width), width,
                        Arrays.copyOfRange(ids, at, at + k), Arrays.copyOfRange(pos, at, at + k), names));
                at += k;
            }
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static long checksum(List<LabelledText> texts) {
        long sum = 0;
        for (LabelledText t : texts) {
            sum = ActivationStoreWriter.checksum(sum, t.text());
        }
        return sum;
    }
}
