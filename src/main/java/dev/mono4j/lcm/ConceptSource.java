package dev.mono4j.lcm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import dev.mono4j.io.TextLines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Documents read from a file and cut into sentences, before embedding: a ConceptWorld {@code corpus.jsonl}
 * ({@code data conceptworld}: {@code split}, {@code dialect}, {@code domain}, {@code text}, per-word
 * {@code sentiment}), any JSONL file with a text field, or a text file with one document per line.
 */
public final class ConceptSource {
    /**
     * The end-of-document sentence appended to every document: the authors' recipes add it as the target suffix
     * ({@code recipes/train/finetune/mse.yaml} {@code target_suffix_text}, and {@code eos_config} in the README's
     * evaluation; /work/shared/papers/lcm.md §2).
     */
    public static final String END_OF_TEXT = "End of text.";

    /**
     * A sentence ends after '.', '!' or '?' followed by whitespace (our choice for plain text). ConceptWorld writes
     * its full stop as a token of its own ("… the planet . kai …"), so the same rule cuts its stories at " . ".
     */
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+");

    /** The label names of ConceptWorld sentences. */
    public static final String DOMAIN = "domain";
    public static final String DIALECT = "dialect";
    public static final String SENTIMENT = "sentiment";

    private ConceptSource() {
    }

    /**
     * One document as read: its id, its split when the file names one (else null), its sentences (without the
     * end-of-document sentence) and per sentence its labels (empty maps for unlabelled sources).
     */
    public record RawDocument(String id, ConceptCorpus.Split split, List<String> sentences,
            List<Map<String, String>> labels) {
    }

    /** The sentences of {@code text}, trimmed, in order; empty pieces are dropped. */
    public static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        for (String s : SENTENCE_END.split(text.strip())) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    /**
     * The documents of {@code file}: JSONL when its name ends in {@code .jsonl} (the text in {@code field}), else one
     * document per line. A missing field, an empty document or an unknown split is one line naming file and line.
     */
    public static List<RawDocument> read(Path file, String field) {
        boolean jsonl = file.getFileName().toString().endsWith(".jsonl");
        List<RawDocument> docs = new ArrayList<>();
        TextLines.forEach(file, (raw, line) -> {
            String where = file + ":" + line;
            if (!jsonl) {
                docs.add(plain(String.valueOf(line), null, raw, where));
                return;
            }
            JsonNode o = Json.parseLine(raw, where);
            if (!o.isObject() || !o.path(field).isTextual()) {
                throw new UserInputException(where + ": no text field \"" + field + "\" (set --field)");
            }
            String id = o.hasNonNull("id") ? o.get("id").asText() : String.valueOf(line);
            ConceptCorpus.Split split = o.hasNonNull("split") ? split(o.get("split").asText(), where) : null;
            String text = o.get(field).asText();
            docs.add(o.path(SENTIMENT).isArray() ? conceptWorld(id, split, o, text, where) : plain(id, split, text, where));
        });
        if (docs.isEmpty()) {
            throw new UserInputException(file + ": no documents (the file is empty)");
        }
        return docs;
    }

    private static RawDocument plain(String id, ConceptCorpus.Split split, String text, String where) {
        List<String> s = sentences(text);
        if (s.isEmpty()) {
            throw new UserInputException(where + ": empty document");
        }
        return new RawDocument(id, split, s, s.stream().map(x -> Map.<String, String>of()).toList());
    }

    /**
     * A ConceptWorld story: its words are its tokens (the text is the tokens joined by spaces), and per-word
     * {@code sentiment} gives each sentence its sentiment: the label most of its words carry (the generator gives all
     * words of a sentence the same one; ties go to the first seen). Domain and dialect are the story's.
     */
    private static RawDocument conceptWorld(String id, ConceptCorpus.Split split, JsonNode o, String text, String where) {
        List<String> sentences = sentences(text);
        JsonNode perWord = o.get(SENTIMENT);
        int words = 0;
        List<Map<String, String>> labels = new ArrayList<>();
        for (String s : sentences) {
            int n = s.split("\\s+").length;
            if (words + n > perWord.size()) {
                throw new UserInputException(where + ": " + perWord.size() + " sentiment labels for more words");
            }
            Map<String, Integer> votes = new LinkedHashMap<>();
            for (int w = words; w < words + n; w++) {
                votes.merge(perWord.get(w).asText(), 1, Integer::sum);
            }
            words += n;
            String sentiment = votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            Map<String, String> l = new LinkedHashMap<>();
            l.put(DOMAIN, o.path(DOMAIN).asText(""));
            l.put(DIALECT, o.path(DIALECT).asText(""));
            l.put(SENTIMENT, sentiment);
            labels.add(l);
        }
        if (sentences.isEmpty()) {
            throw new UserInputException(where + ": empty document");
        }
        return new RawDocument(id, split, sentences, labels);
    }

    /** A split named in the file: train, valid (or validation, dev), test. */
    private static ConceptCorpus.Split split(String name, String where) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "train" -> ConceptCorpus.Split.TRAIN;
            case "valid", "validation", "dev" -> ConceptCorpus.Split.VALID;
            case "test" -> ConceptCorpus.Split.TEST;
            default -> throw new UserInputException(where + ": split \"" + name + "\" is not train, valid or test");
        };
    }
}
