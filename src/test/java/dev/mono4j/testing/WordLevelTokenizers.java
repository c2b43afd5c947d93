package dev.mono4j.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Small word-level tokenizer.json files and texts for training tests: ids 0-3 are {@code <pad>}, {@code <bos>},
 * {@code <eos>}, {@code <unk>} (special added tokens), then the words; whitespace splits words, and a
 * post-processor puts {@code <bos>} before every text, as Llama-style tokenizers do.
 */
public final class WordLevelTokenizers {
    public static final List<String> SPECIALS = dev.mono4j.tokenize.WordLevelTokenizer.SPECIAL;
    public static final long BOS = 1;
    public static final long EOS = 2;

    private WordLevelTokenizers() {
    }

    /** Writes a tokenizer for {@code words} (ids from 4 on) and returns its path. */
    public static Path write(Path file, List<String> words) {
        dev.mono4j.tokenize.WordLevelTokenizer.write(file, words);
        return file;
    }

    /** Words {@code w0 .. w(n-1)}. */
    public static List<String> words(int n) {
        List<String> w = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            w.add("w" + i);
        }
        return w;
    }

    /**
     * {@code docs} lines of 5-20 words each drawn from a fixed random successor table (each word is followed by
     * one of 4 others), so the text is learnable but not trivially periodic.
     */
    public static String text(List<String> words, int docs, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] next = new int[words.size()][4];
        SplittableRandom table = new SplittableRandom(7);
        for (int[] row : next) {
            for (int j = 0; j < row.length; j++) {
                row[j] = table.nextInt(words.size());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < docs; d++) {
            int w = rng.nextInt(words.size());
            int len = 5 + rng.nextInt(16);
            for (int i = 0; i < len; i++) {
                sb.append(i == 0 ? "" : " ").append(words.get(w));
                w = next[w][rng.nextInt(4)];
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
