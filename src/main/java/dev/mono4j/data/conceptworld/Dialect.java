package dev.mono4j.data.conceptworld;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Synthetic "languages": the same grammar with other word forms. Dialect 0 is the base (English) form;
 * the others respell every word by letter substitutions and a suffix of their own. Punctuation is shared.
 * The forms are checked to be unique across all dialects, so a word's form tells its dialect.
 */
public final class Dialect {
    public static final int MAX = 4;
    private static final String[] NAMES = {"en", "kelt", "sorn", "miru"};

    private final int index;
    private final Map<String, String> forms = new HashMap<>();

    private Dialect(int index, List<String> baseWords) {
        this.index = index;
        for (String w : baseWords) {
            forms.put(w, Lexicon.PUNCTUATION.contains(w) ? w : respell(index, w));
        }
    }

    /** The first {@code count} dialects, checked for collisions between all their word forms. */
    public static List<Dialect> first(int count) {
        if (count < 1 || count > MAX) {
            throw new IllegalArgumentException("dialects must be between 1 and " + MAX);
        }
        List<String> base = Lexicon.allWords();
        List<Dialect> all = new java.util.ArrayList<>();
        Map<String, String> owner = new HashMap<>();
        for (int i = 0; i < count; i++) {
            Dialect d = new Dialect(i, base);
            for (Map.Entry<String, String> e : d.forms.entrySet()) {
                if (Lexicon.PUNCTUATION.contains(e.getKey())) {
                    continue;
                }
                String prev = owner.put(e.getValue(), d.name() + ":" + e.getKey());
                if (prev != null) {
                    throw new IllegalStateException("word form '" + e.getValue() + "' of " + d.name() + ":" + e.getKey()
                            + " collides with " + prev);
                }
            }
            all.add(d);
        }
        return all;
    }

    public String name() {
        return NAMES[index];
    }

    public String form(String baseWord) {
        String f = forms.get(baseWord);
        if (f == null) {
            throw new IllegalArgumentException("'" + baseWord + "' is not a ConceptWorld word");
        }
        return f;
    }

    /** Each dialect has its own sound changes (applied left to right) and suffix. */
    private static String respell(int dialect, String w) {
        return switch (dialect) {
            case 0 -> w;
            case 1 -> w.replace("th", "z").replace('c', 'k').replace('w', 'v').replace('y', 'j') + "o";
            case 2 -> rotateVowels(w, "aeiou", "eioua") + "ik";
            case 3 -> rotateVowels(w, "aeiou", "uaeio").replace('s', 'x') + "um";
            default -> throw new IllegalArgumentException("no dialect " + dialect);
        };
    }

    private static String rotateVowels(String w, String from, String to) {
        StringBuilder b = new StringBuilder(w.length());
        for (char ch : w.toCharArray()) {
            int i = from.indexOf(ch);
            b.append(i < 0 ? ch : to.charAt(i));
        }
        return b.toString();
    }
}
