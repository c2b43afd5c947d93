package dev.mono4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import dev.mono4j.io.TextLines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Preference pairs in TRL's JSONL format: one object per line with string fields {@code prompt},
 * {@code chosen} and {@code rejected} (the completions follow the prompt as written). Blank lines are
 * skipped. Anything else (invalid UTF-8 or JSON, a missing, non-string or empty field, chosen equal to
 * rejected) is an error naming the file and line.
 */
public final class PreferencePairs {
    private PreferencePairs() {
    }

    /** One pair, with where it came from ("prefs.jsonl:12") for later messages. */
    public record Pair(String source, String prompt, String chosen, String rejected) {
    }

    /**
     * A prompt to continue and judge: {@code task} names a ConceptWorld judge (null: no judge), {@code meta}
     * holds what the judge needs (for sycophancy, the fact asked about).
     */
    public record Prompt(String source, String task, String prompt, Map<String, String> meta) {
    }

    public static List<Pair> read(Path file) {
        List<Pair> pairs = readLines(file, PreferencePairs::parse);
        if (pairs.isEmpty()) {
            throw new UserInputException(file + ": no preference pairs");
        }
        return pairs;
    }

    /**
     * Prompts for evaluation, one JSON object per line with a string {@code prompt} and optionally {@code task}
     * and a {@code meta} object of strings (as ConceptWorld's {@code eval_prompts.jsonl}).
     */
    public static List<Prompt> readPrompts(Path file) {
        List<Prompt> prompts = readLines(file, (raw, where) -> {
            JsonNode o = Json.parseLine(raw, where);
            if (o == null || !o.isObject() || !o.path("prompt").isTextual() || o.path("prompt").asText().isBlank()) {
                throw new UserInputException(where + ": expected a JSON object with a non-empty string \"prompt\"");
            }
            Map<String, String> meta = new TreeMap<>();
            o.path("meta").fields().forEachRemaining(e -> meta.put(e.getKey(), e.getValue().asText()));
            JsonNode task = o.get("task");
            return new Prompt(where, task == null || task.isNull() ? null : task.asText(), o.get("prompt").asText(), meta);
        });
        if (prompts.isEmpty()) {
            throw new UserInputException(file + ": no prompts");
        }
        return prompts;
    }

    /** Parses each non-blank line of a strict UTF-8 file ({@link TextLines}); {@code where} is "file:line". */
    private static <T> List<T> readLines(Path file, BiFunction<String, String, T> parse) {
        List<T> items = new ArrayList<>();
        TextLines.forEach(file, (raw, line) -> {
            if (!raw.isBlank()) {
                items.add(parse.apply(raw, file + ":" + line));
            }
        });
        return items;
    }

    static Pair parse(String raw, String where) {
        JsonNode o = Json.parseLine(raw, where);
        if (o == null || !o.isObject()) {
            throw new UserInputException(where + ": expected a JSON object with prompt, chosen and rejected");
        }
        String[] v = new String[3];
        String[] names = {"prompt", "chosen", "rejected"};
        for (int i = 0; i < 3; i++) {
            JsonNode f = o.get(names[i]);
            if (f == null || f.isNull()) {
                throw new UserInputException(where + ": missing field \"" + names[i] + "\"");
            }
            if (!f.isTextual()) {
                throw new UserInputException(where + ": field \"" + names[i] + "\" must be a string (TRL's"
                        + " conversational format is not supported yet)");
            }
            if (f.asText().isBlank()) {
                throw new UserInputException(where + ": field \"" + names[i] + "\" is empty");
            }
            v[i] = f.asText();
        }
        if (v[1].equals(v[2])) {
            throw new UserInputException(where + ": chosen and rejected are the same text");
        }
        return new Pair(where, v[0], v[1], v[2]);
    }
}
