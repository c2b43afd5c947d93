package dev.mono4j.data;

import java.util.List;

/**
 * A text to measure, with what is known about it: a label for the whole text (a user's class), or a
 * concept for each word (ConceptWorld's token labels), or neither.
 *
 * @param source       where it came from, for error messages ("data.jsonl:12", "conceptworld story 7")
 * @param label        the text's label, or null
 * @param wordConcepts one entry per space-separated word of {@code text} (null entries: no concept), or null
 */
public record LabelledText(String source, String text, String label, List<String> wordConcepts)
        implements java.io.Serializable { // Spark tasks carry texts (dev.mono4j.spark); wordConcepts must be too

    public LabelledText {
        if (wordConcepts != null && wordConcepts.size() != words(text).length) {
            throw new IllegalArgumentException(source + ": " + wordConcepts.size() + " concepts for "
                    + words(text).length + " words");
        }
    }

    public static LabelledText plain(String source, String text) {
        return new LabelledText(source, text, null, null);
    }

    /** The words concepts refer to: the text split at single spaces. */
    public static String[] words(String text) {
        return text.split(" ", -1);
    }

    /**
     * The concept of each token, given where tokens start in the text: the concept of the word holding
     * the token's first character, or of the next word when that character is a space (byte-level
     * tokenizers may start a token there). Null for special tokens (offset -1) and without concepts.
     */
    public String[] tokenConcepts(int[] charStarts) {
        String[] out = new String[charStarts.length];
        if (wordConcepts == null) {
            return out;
        }
        String[] words = words(text);
        int[] ends = new int[words.length]; // one past each word's last character: the space after it
        int end = 0;
        for (int w = 0; w < words.length; w++) {
            end += words[w].length();
            ends[w] = end;
            end++;
        }
        for (int t = 0; t < charStarts.length; t++) {
            if (charStarts[t] < 0) {
                continue;
            }
            int w = java.util.Arrays.binarySearch(ends, charStarts[t]);
            w = w >= 0 ? w + 1 : -w - 1; // first word whose end lies beyond the offset
            out[t] = w < words.length ? wordConcepts.get(w) : null;
        }
        return out;
    }
}
