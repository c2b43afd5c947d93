package dev.mono4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    public static List<Pair> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserInputException(file + ": file not found");
        }
        List<Pair> pairs = new ArrayList<>();
        // A strict decoder: malformed UTF-8 is reported, not replaced by U+FFFD.
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            int line = 0;
            while (true) {
                String raw;
                try {
                    raw = r.readLine();
                } catch (CharacterCodingException e) {
                    throw new UserInputException(file + ":" + (line + 1) + ": not valid UTF-8");
                }
                if (raw == null) {
                    break;
                }
                line++;
                if (!raw.isBlank()) {
                    pairs.add(parse(raw, file + ":" + line));
                }
            }
        } catch (IOException e) {
            throw new UserInputException(file + ": cannot read: " + e.getMessage());
        }
        if (pairs.isEmpty()) {
            throw new UserInputException(file + ": no preference pairs");
        }
        return pairs;
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
