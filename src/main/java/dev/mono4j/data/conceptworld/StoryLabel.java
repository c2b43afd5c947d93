package dev.mono4j.data.conceptworld;

import java.util.function.Function;

/**
 * Which property of a generated story becomes its text label, for statistics per label (e.g. {@code monet experts}).
 * Hostility is a sentence property ({@link Document#hostility()}); a story is "hostile" when any of its sentences is,
 * else "polite" when any is, else "none" (no speech): our choice of a story-level reading.
 */
public enum StoryLabel {
    NONE(d -> null),
    DOMAIN(Document::domain),
    DIALECT(Document::dialect),
    HOSTILITY(d -> d.hostility().contains("hostile") ? "hostile" : d.hostility().contains("polite") ? "polite" : "none");

    private final Function<Document, String> of;

    StoryLabel(Function<Document, String> of) {
        this.of = of;
    }

    /** The story's label, or null for {@link #NONE}. */
    public String of(Document d) {
        return of.apply(d);
    }
}
