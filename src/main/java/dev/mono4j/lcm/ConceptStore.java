package dev.mono4j.lcm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.io.TextLines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A concept folder ({@code lcm embed}'s output, every other {@code lcm} command's input):
 * {@code bank.safetensors} ({@code bank}: F32 {@code [sentences, dim]}, raw encoder embeddings),
 * {@code sentences.jsonl} ({@code text}, {@code labels} per distinct sentence, bank order),
 * {@code documents.jsonl} ({@code id}, {@code split}, {@code sentences}: bank indices),
 * {@code normalizer.safetensors} ({@code center}, {@code scale}; metadata {@code method}) and
 * {@code concepts.json} (encoder, sizes, settings), written last: a folder without it is not a finished one.
 */
public final class ConceptStore {
    public static final String SUMMARY = "concepts.json";
    public static final String BANK = "bank.safetensors";
    public static final String SENTENCES = "sentences.jsonl";
    public static final String DOCUMENTS = "documents.jsonl";
    public static final String NORMALIZER = "normalizer.safetensors";
    /** The entries {@link #write} puts in a folder. */
    public static final List<String> OUTPUTS = List.of(SUMMARY, BANK, SENTENCES, DOCUMENTS, NORMALIZER);
    static final String FORMAT = "mono4j-concepts";
    static final int VERSION = 1;

    private ConceptStore() {
    }

    /** Writes {@code corpus} into {@code dir} (which exists), each file atomically, {@link #SUMMARY} last. */
    public static void write(ConceptCorpus corpus, Map<String, Object> settings, Path dir) {
        int n = corpus.sentences().size();
        new SafetensorsWriter().addF32("bank", new long[] {n, corpus.dim()}, corpus.bank()).write(dir.resolve(BANK));
        Normalizer norm = corpus.normalizer();
        new SafetensorsWriter().addF32("center", new long[] {corpus.dim()}, norm.center())
                .addF32("scale", new long[] {corpus.dim()}, norm.scale()).metadata("method", norm.method())
                .write(dir.resolve(NORMALIZER));
        List<String> sentenceLines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sentenceLines.add(Json.line(Json.object("text", corpus.sentences().get(i), "labels",
                    i < corpus.labels().size() ? corpus.labels().get(i) : Map.of())));
        }
        writeLines(dir.resolve(SENTENCES), sentenceLines);
        writeLines(dir.resolve(DOCUMENTS), corpus.documents().stream().map(d -> Json.line(Json.object("id", d.id(),
                "split", d.split().name().toLowerCase(java.util.Locale.ROOT), "sentences", d.sentences()))).toList());
        Map<String, Object> counts = new LinkedHashMap<>();
        for (ConceptCorpus.Split s : ConceptCorpus.Split.values()) {
            counts.put(s.name().toLowerCase(java.util.Locale.ROOT), corpus.documents(s).size());
        }
        long occurrences = corpus.documents().stream().mapToLong(d -> d.sentences().length).sum();
        AtomicFiles.writeString(dir.resolve(SUMMARY), Json.write(Json.object("format", FORMAT, "version", VERSION,
                "encoder", corpus.encoder(), "dim", corpus.dim(), "sentences", n, "sentence_occurrences", occurrences,
                "documents", counts, "normalizer", norm.method(), "settings", settings)));
    }

    /** The corpus in {@code dir}; anything missing or inconsistent is one line naming the file. */
    public static ConceptCorpus read(Path dir) {
        Path summaryFile = dir.resolve(SUMMARY);
        if (!Files.isRegularFile(summaryFile)) {
            throw new UserInputException(dir + ": not a concept folder (no " + SUMMARY + "; make one with 'lcm embed')");
        }
        JsonNode summary = Json.read(summaryFile);
        if (!FORMAT.equals(summary.path("format").asText()) || summary.path("version").asInt() != VERSION) {
            throw new UserInputException(summaryFile + ": not a " + FORMAT + " version " + VERSION + " file");
        }
        int dim = summary.path("dim").asInt();
        float[] bank;
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(BANK))) {
            bank = r.readFloats("bank");
        }
        Normalizer normalizer;
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(NORMALIZER))) {
            normalizer = new Normalizer(r.metadata().getOrDefault("method", "unknown"), r.readFloats("center"),
                    r.readFloats("scale"));
        }
        List<String> sentences = new ArrayList<>();
        List<Map<String, String>> labels = new ArrayList<>();
        Path sentenceFile = dir.resolve(SENTENCES);
        TextLines.forEach(sentenceFile, (raw, line) -> {
            JsonNode o = Json.parseLine(raw, sentenceFile + ":" + line);
            sentences.add(o.path("text").asText());
            Map<String, String> l = new LinkedHashMap<>();
            o.path("labels").fields().forEachRemaining(e -> l.put(e.getKey(), e.getValue().asText()));
            labels.add(l);
        });
        if (bank.length != (long) sentences.size() * dim || normalizer.center().length != dim) {
            throw new UserInputException(dir + ": " + BANK + ", " + SENTENCES + " and " + NORMALIZER + " disagree on"
                    + " the number of sentences or the width " + dim);
        }
        List<ConceptCorpus.Document> documents = new ArrayList<>();
        Path documentFile = dir.resolve(DOCUMENTS);
        TextLines.forEach(documentFile, (raw, line) -> {
            JsonNode o = Json.parseLine(raw, documentFile + ":" + line);
            int[] ids = new int[o.path("sentences").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = o.path("sentences").get(i).asInt();
                if (ids[i] < 0 || ids[i] >= sentences.size()) {
                    throw new UserInputException(documentFile + ":" + line + ": sentence " + ids[i] + " is not in the bank");
                }
            }
            String name = o.path("split").asText().toUpperCase(java.util.Locale.ROOT);
            if (java.util.Arrays.stream(ConceptCorpus.Split.values()).noneMatch(s -> s.name().equals(name))) {
                throw new UserInputException(documentFile + ":" + line + ": split \"" + o.path("split").asText()
                        + "\" is not train, valid or test");
            }
            ConceptCorpus.Split split = ConceptCorpus.Split.valueOf(name);
            documents.add(new ConceptCorpus.Document(o.path("id").asText(), split, ids));
        });
        return new ConceptCorpus(summary.path("encoder").asText(), dim, bank, sentences, labels, documents, normalizer);
    }

    private static void writeLines(Path file, List<String> lines) {
        AtomicFiles.write(file, out -> {
            for (String l : lines) {
                out.write(l.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        });
    }
}
