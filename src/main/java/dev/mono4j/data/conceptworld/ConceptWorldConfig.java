package dev.mono4j.data.conceptworld;

/**
 * What to generate. Defaults give a corpus a small model learns in minutes.
 *
 * @param docs        number of stories
 * @param seed        same seed, byte-identical output
 * @param dialects    how many dialects stories are written in (1–4); each story picks one uniformly
 * @param validShare  fraction of stories held out for valid.txt
 */
public record ConceptWorldConfig(int docs, long seed, int dialects, double validShare) {
    public static final ConceptWorldConfig DEFAULT = new ConceptWorldConfig(20_000, 1, 2, 0.05);

    public ConceptWorldConfig {
        if (docs < 1 || dialects < 1 || dialects > Dialect.MAX || validShare < 0 || validShare >= 1) {
            throw new IllegalArgumentException("need docs >= 1, 1 <= dialects <= " + Dialect.MAX + ", 0 <= validShare < 1");
        }
    }
}
