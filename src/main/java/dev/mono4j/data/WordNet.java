package dev.mono4j.data;

import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.TextLines;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * WordNet 3.0's noun synsets read from its {@code data.noun} file, as texts labelled by supersense (the
 * lexicographer file, "noun.food"): each synset's definition and its example sentences. The file format is the
 * wndb(5WN) manual page's; the supersense names are lexnames(5WN)'s.
 */
public final class WordNet {
    /** Where the Debian package {@code wordnet-base} installs the noun data file. */
    public static final Path DEFAULT_FILE = Path.of("/usr/share/wordnet/data.noun");
    /** The package that provides {@link #DEFAULT_FILE}, named in the message when the file is missing. */
    public static final String DEBIAN_PACKAGE = "wordnet-base";
    /** Texts with fewer words are left out of {@code wordnet.jsonl} (our choice: a one-word gloss carries no topic). */
    public static final int DEFAULT_MIN_WORDS = 4;
    /** The file {@link #writeTexts} fills in its folder. */
    public static final String TEXTS_FILE = "wordnet.jsonl";

    /** lexnames(5WN): the noun lexicographer files, numbers 03 to 28 in this order. */
    static final List<String> NOUN_SUPERSENSES = List.of("noun.Tops", "noun.act", "noun.animal", "noun.artifact",
            "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling",
            "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person", "noun.phenomenon",
            "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation", "noun.shape",
            "noun.state", "noun.substance", "noun.time");
    /** lexnames(5WN): the number of the first noun file, noun.Tops. */
    private static final int FIRST_NOUN_FILE = 3;

    private WordNet() {
    }

    /**
     * One noun synset.
     *
     * @param offset     the synset's offset in {@code data.noun}, eight digits as written there ("02084071")
     * @param supersense its lexicographer file ("noun.animal")
     * @param lemmas     its words in file order, underscores turned into spaces ("domestic dog")
     * @param definition the gloss up to its first quoted example, without the separator before it
     * @param examples   the gloss's quoted example sentences, without the quotes, in order
     */
    public record Synset(String offset, String supersense, List<String> lemmas, String definition, List<String> examples) {
        public Synset {
            lemmas = List.copyOf(lemmas);
            examples = List.copyOf(examples);
        }
    }

    /**
     * Shows each synset of a {@code data.noun} file to {@code each}, in file order, reading one line at a time.
     * A missing file says which Debian package provides it; a malformed line is one error naming file and line.
     *
     * @return the number of synsets
     */
    public static int forEach(Path file, Consumer<Synset> each) {
        requireFile(file);
        int[] synsets = {0};
        TextLines.forEach(file, (line, number) -> {
            // wndb(5WN): "the license ... at the beginning of the file; each line begins with two spaces".
            if (!line.startsWith("  ")) {
                each.accept(parse(line, file + ":" + number));
                synsets[0]++;
            }
        });
        return synsets[0];
    }

    /** Fails with one line unless {@code file} exists; a missing one says which Debian package installs it. */
    public static void requireFile(Path file) {
        if (!Files.exists(file)) {
            throw new UserInputException(file + ": file not found; install the Debian package " + DEBIAN_PACKAGE
                    + " (apt-get install " + DEBIAN_PACKAGE + ") or pass --wordnet FILE");
        }
        TextLines.requireFile(file);
    }

    /**
     * One synset line. wndb(5WN): {@code synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] p_cnt
     * [ptr...] [frames...] | gloss}; lex_filenum is a two-digit decimal, w_cnt two hexadecimal digits, lex_id one
     * hexadecimal digit, p_cnt three decimal digits, each pointer four fields; nouns have no frames.
     */
    static Synset parse(String line, String where) {
        int bar = line.indexOf(" | ");
        String head = bar < 0 ? line.strip() : line.substring(0, bar);
        String gloss = bar < 0 ? "" : line.substring(bar + 3).strip(); // the file pads lines with two spaces
        String[] f = head.split(" ");
        if (f.length < 6) {
            throw bad(where, "expected 'offset lex_filenum n w_cnt word lex_id ... p_cnt ... | gloss'");
        }
        if (!f[0].matches("\\d{8}")) {
            throw bad(where, "synset offset '" + f[0] + "' is not eight digits");
        }
        int lexFile = number(f[1], 10, "lex_filenum", where);
        if (lexFile < FIRST_NOUN_FILE || lexFile >= FIRST_NOUN_FILE + NOUN_SUPERSENSES.size()) {
            throw bad(where, "lex_filenum " + f[1] + " is not a noun file (03 to 28 in lexnames(5WN))");
        }
        if (!f[2].equals("n")) {
            throw bad(where, "ss_type '" + f[2] + "' is not n (a noun synset)");
        }
        int words = number(f[3], 16, "w_cnt (hexadecimal)", where);
        int pointersAt = 4 + 2 * words;
        if (words < 1 || f.length <= pointersAt) {
            throw bad(where, "w_cnt " + f[3] + " announces " + words + " words, more than the line holds");
        }
        List<String> lemmas = new ArrayList<>(words);
        for (int w = 0; w < words; w++) {
            lemmas.add(f[4 + 2 * w].replace('_', ' '));
        }
        int pointers = number(f[pointersAt], 10, "p_cnt", where);
        if (f.length != pointersAt + 1 + 4 * pointers) {
            throw bad(where, "p_cnt " + f[pointersAt] + " announces " + pointers + " pointers (4 fields each), but "
                    + (f.length - pointersAt - 1) + " fields follow before the gloss");
        }
        int quote = gloss.indexOf('"');
        // The definition ends where the first example begins; usually after "; " (8,727 of the 8,743 glosses with
        // examples in WordNet 3.0), else after ": " or a space, so the quote itself is the boundary.
        String definition = (quote < 0 ? gloss : gloss.substring(0, quote)).strip().replaceAll("[;:]+$", "").strip();
        return new Synset(f[0], NOUN_SUPERSENSES.get(lexFile - FIRST_NOUN_FILE), lemmas, definition,
                quoted(quote < 0 ? "" : gloss.substring(quote)));
    }

    /**
     * The double-quoted spans of {@code s}, stripped, empty ones dropped. A last quote without its closing one
     * (four glosses of WordNet 3.0) runs to the end of the gloss. Text between spans (attributions such as
     * "- Milton Berle", the separators) is not part of any example.
     */
    static List<String> quoted(String s) {
        List<String> spans = new ArrayList<>();
        int open = s.indexOf('"');
        while (open >= 0) {
            int close = s.indexOf('"', open + 1);
            String span = (close < 0 ? s.substring(open + 1) : s.substring(open + 1, close)).strip();
            if (!span.isEmpty()) {
                spans.add(span);
            }
            open = close < 0 ? -1 : s.indexOf('"', close + 1);
        }
        return spans;
    }

    private static int number(String field, int radix, String name, String where) {
        try {
            return Integer.parseInt(field, radix);
        } catch (NumberFormatException e) {
            throw bad(where, name + " '" + field + "' is not a number");
        }
    }

    private static UserInputException bad(String where, String what) {
        return new UserInputException(where + ": not a WordNet data.noun synset line: " + what);
    }

    /** What {@link #writeTexts} wrote. */
    public record Summary(int synsets, int definitions, int examples, int skipped, int supersenses) {
    }

    /**
     * Writes {@code folder/wordnet.jsonl}: per synset in file order, its definition and then each example as one
     * JSON line with {@code text}, {@code supersense}, {@code synset} (the offset), {@code kind} ("definition" or
     * "example") and {@code lemma} (the first); texts of fewer than {@code minWords} words are left out.
     */
    public static Summary writeTexts(Path wordNetFile, int minWords, Path folder) {
        if (minWords < 0) {
            throw new IllegalArgumentException("min words " + minWords + " must be at least 0");
        }
        requireFile(wordNetFile);
        int[] counts = new int[4]; // synsets, definitions, examples, skipped
        Set<String> supersenses = new TreeSet<>();
        AtomicFiles.write(folder.resolve(TEXTS_FILE), out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            counts[0] = forEach(wordNetFile, s -> {
                supersenses.add(s.supersense());
                List<String> texts = new ArrayList<>();
                texts.add(s.definition());
                texts.addAll(s.examples());
                for (int i = 0; i < texts.size(); i++) {
                    String text = texts.get(i);
                    if (words(text) < minWords) {
                        counts[3]++;
                        continue;
                    }
                    String kind = i == 0 ? "definition" : "example";
                    counts[i == 0 ? 1 : 2]++;
                    try {
                        w.write(Json.line(Json.object("text", text, "supersense", s.supersense(), "synset", s.offset(),
                                "kind", kind, "lemma", s.lemmas().get(0))));
                        w.write('\n');
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            w.flush();
        });
        return new Summary(counts[0], counts[1], counts[2], counts[3], supersenses.size());
    }

    /** Words of a text: runs of non-whitespace. */
    static int words(String text) {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }
}
