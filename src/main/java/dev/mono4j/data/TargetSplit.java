package dev.mono4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.TextLines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Splits a labelled JSONL file for a data-selection experiment (MoNA, /work/shared/papers/mona.md §1: a target set
 * D_tgt, a pool D_src to select from, and held-out texts of the target task to evaluate the tuned model on):
 * {@code targets.jsonl} holds {@code count} lines drawn at random among those meeting every condition,
 * {@code pool.jsonl} every other line (never a target), {@code heldout.txt} the held-out texts, one per line, and
 * {@code targets.json} the settings and counts. Lines are copied unchanged, in file order (line ends become
 * {@code \n}).
 *
 * <p>With a split field (ConceptWorld's {@code "split": "train"|"valid"}) targets and pool come only from the pool
 * split, and the held-out texts are the matching lines of the held-out split; lines of other splits go nowhere.
 * Without one, every line is in play, and {@code heldout} more matching lines are drawn as held-out texts (kept
 * out of the pool too); with {@code heldout} 0 no {@code heldout.txt} is written. The data has a split field when
 * its first line has it; then every line must.
 */
public final class TargetSplit {
    public static final String TARGETS_FILE = "targets.jsonl";
    public static final String POOL_FILE = "pool.jsonl";
    public static final String HELDOUT_FILE = "heldout.txt";
    public static final String SETTINGS_FILE = "targets.json";
    /** The entries a {@code data targets} folder may hold. */
    public static final List<String> OUTPUTS = List.of(TARGETS_FILE, POOL_FILE, HELDOUT_FILE, SETTINGS_FILE);

    // Where each line goes. MATCH: a matching line of the pool split; the draw turns some into TARGET or HELDOUT,
    // the rest stay in the pool as MATCH.
    private static final byte NOWHERE = 0;
    private static final byte POOL = 1;
    private static final byte MATCH = 2;
    private static final byte TARGET = 3;
    private static final byte HELDOUT = 4;

    private final Path data;
    private final TargetSplitConfig cfg;
    private final boolean hasSplit;
    private final byte[] roles;

    /**
     * What the split holds.
     *
     * @param lines        lines of the data file
     * @param matching     lines of the pool split (every line, without a split field) that meet every condition
     * @param targets      lines in {@code targets.jsonl}
     * @param pool         lines in {@code pool.jsonl}
     * @param poolMatching lines in the pool that meet every condition (matching lines neither drawn nor held out)
     * @param heldout      texts in {@code heldout.txt} (0 when none is written)
     */
    public record Counts(int lines, int matching, int targets, int pool, int poolMatching, int heldout) {
    }

    private TargetSplit(Path data, TargetSplitConfig cfg, boolean hasSplit, byte[] roles) {
        this.data = data;
        this.cfg = cfg;
        this.hasSplit = hasSplit;
        this.roles = roles;
    }

    /**
     * Reads {@code data} and draws the targets (and, without a split field, the held-out lines); writes nothing.
     * A line that is not a JSON object or has no string {@code text} is an error naming file and line, as are too
     * few matching lines.
     */
    public static TargetSplit plan(Path data, TargetSplitConfig cfg) {
        ByteArrayOutputStream roles = new ByteArrayOutputStream();
        List<Integer> matching = new ArrayList<>();
        Boolean[] hasSplit = {null}; // decided by the first line
        TextLines.forEach(data, (raw, number) -> {
            String where = data + ":" + number;
            JsonNode line = Json.parseLine(raw, where);
            if (!line.isObject()) {
                throw new UserInputException(where + ": not a JSON object");
            }
            if (!line.path("text").isTextual()) {
                throw new UserInputException(where + ": no string \"text\" field");
            }
            JsonNode split = line.get(cfg.splitField());
            if (hasSplit[0] == null) {
                hasSplit[0] = split != null;
            } else if (hasSplit[0] != (split != null)) {
                throw new UserInputException(where + ": " + (split == null ? "no" : "a") + " \"" + cfg.splitField()
                        + "\" field, unlike line 1");
            }
            if (split != null && !split.isTextual()) {
                throw new UserInputException(where + ": \"" + cfg.splitField() + "\" is not a string");
            }
            boolean meets = cfg.where().stream().allMatch(w -> w.matches(line));
            boolean inPool = split == null || split.textValue().equals(cfg.poolSplit());
            boolean heldoutSplit = split != null && split.textValue().equals(cfg.heldoutSplit());
            byte role = inPool ? (meets ? MATCH : POOL) : heldoutSplit && meets ? HELDOUT : NOWHERE;
            if (role == MATCH) {
                matching.add(roles.size());
            }
            // A held-out text becomes one line of heldout.txt: a line break inside it would make two.
            boolean heldoutCandidate = role == HELDOUT || role == MATCH && cfg.heldout() > 0;
            if (heldoutCandidate && line.get("text").textValue().matches("(?s).*[\\n\\r].*")) {
                throw new UserInputException(where + ": the text holds a line break, which " + HELDOUT_FILE
                        + " (one text per line) cannot hold");
            }
            roles.write(role);
        });
        if (hasSplit[0] == null) {
            throw new UserInputException(data + ": no lines (the file is empty)");
        }
        if (hasSplit[0] && cfg.heldout() > 0) {
            throw new UserInputException("--heldout " + cfg.heldout() + ": " + data + " has a \"" + cfg.splitField()
                    + "\" field, so its " + cfg.heldoutSplit() + " lines are the held-out texts; drop --heldout");
        }
        int wanted = cfg.count() + cfg.heldout();
        if (matching.size() < wanted) {
            throw new UserInputException(data + ": " + matching.size() + " lines" + (hasSplit[0] ? " of split "
                    + cfg.poolSplit() : "") + " match " + conditions(cfg) + ", fewer than the " + wanted + " needed (--count "
                    + cfg.count() + (cfg.heldout() > 0 ? " + --heldout " + cfg.heldout() : "") + ")");
        }
        byte[] r = roles.toByteArray();
        // A uniform draw without replacement: the first count of a random permutation are the targets, the next
        // heldout the held-out lines (our choice of sampler; the seed fixes the draw).
        int[] order = Shuffle.permutation(matching.size(), new SplittableRandom(cfg.seed()));
        for (int i = 0; i < wanted; i++) {
            r[matching.get(order[i])] = i < cfg.count() ? TARGET : HELDOUT;
        }
        return new TargetSplit(data, cfg, hasSplit[0], r);
    }

    private static String conditions(TargetSplitConfig cfg) {
        return cfg.where().isEmpty() ? "(no conditions)" : cfg.where().stream().map(w -> "--where " + w)
                .reduce((a, b) -> a + " " + b).orElseThrow();
    }

    /** Whether a {@code heldout.txt} is written: with a split field, or when held-out lines were drawn. */
    public boolean writesHeldout() {
        return hasSplit || cfg.heldout() > 0;
    }

    public Counts counts() {
        int[] n = new int[HELDOUT + 1];
        for (byte r : roles) {
            n[r]++;
        }
        int matching = n[MATCH] + n[TARGET] + (hasSplit ? 0 : n[HELDOUT]);
        return new Counts(roles.length, matching, n[TARGET], n[POOL] + n[MATCH], n[MATCH], n[HELDOUT]);
    }

    /** Writes the files into {@code folder} (made ready by the caller), each atomically; returns the counts. */
    public Counts write(Path folder) {
        writeLines(folder.resolve(TARGETS_FILE), role -> role == TARGET, false);
        writeLines(folder.resolve(POOL_FILE), role -> role == POOL || role == MATCH, false);
        if (writesHeldout()) {
            writeLines(folder.resolve(HELDOUT_FILE), role -> role == HELDOUT, true);
        }
        Counts c = counts();
        Map<String, Object> settings = Json.object("data", data.toString(),
                "where", cfg.where().stream().map(FieldCondition::toString).toList(), "count", cfg.count(),
                "seed", cfg.seed(), "split_field", cfg.splitField(), "pool_split", cfg.poolSplit(),
                "heldout_split", cfg.heldoutSplit(), "heldout", cfg.heldout());
        AtomicFiles.writeString(folder.resolve(SETTINGS_FILE), Json.write(Json.object("settings", settings,
                "data_has_split_field", hasSplit, "counts", Json.object("lines", c.lines(), "matching", c.matching(),
                        "targets", c.targets(), "pool", c.pool(), "pool_matching", c.poolMatching(),
                        "heldout", c.heldout()))) + "\n");
        return c;
    }

    /** The lines whose role passes {@code keep}, copied, or (for {@code heldout.txt}) only their texts. */
    private void writeLines(Path file, java.util.function.IntPredicate keep, boolean textOnly) {
        AtomicFiles.write(file, out -> TextLines.forEach(data, (raw, number) -> {
            if (number > roles.length) {
                throw new UserInputException(data + ": changed while it was being split (line " + number + " is new)");
            }
            if (keep.test(roles[number - 1])) {
                String line = textOnly ? Json.parseLine(raw, data + ":" + number).get("text").textValue() : raw;
                write(out, line);
            }
        }));
    }

    private static void write(OutputStream out, String line) {
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
