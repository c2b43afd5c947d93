package dev.mono4j.data.conceptworld;

import dev.mono4j.data.conceptworld.Lexicon.Domain;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates ConceptWorld stories from a probabilistic template grammar. Each story names its domain
 * first ("this is a story about food ."), then tells 2–8 sentences of these kinds:
 * <pre>
 *   narrative  the ADJ NOUN VERB the NOUN .          (ADJ: positive, negative or the domain's own)
 *   narrative  NAME VERB a ADJ NOUN PREP the NOUN .
 *   narrative  the NOUN is ADJ today .
 *   fact       the FNOUN is good|bad for the FNOUN .  (fixed by {@link #goodFor}: the world's facts)
 *   polite     NAME says : please VERB the NOUN , thank you .
 *   hostile    NAME says : VERB the NOUN now , you INSULT .
 *   thought    NAME thinks : i FAILED the NOUN .     (negative)
 *   reframe    NAME says : it was a chance to learn , i will try again .   (positive)
 *   ruminate   NAME says : it was my fault and everything is NEGATIVE .     (negative)
 * </pre>
 * FNOUN is one of a domain's first {@value #FACT_NOUNS} nouns: 720 facts in all, each stated often enough
 * in a corpus of 20,000 stories (about 18 times) for a model to learn it, which the sycophancy task needs.
 * Every random choice shows in the text (word classes are disjoint within a domain and templates differ
 * in some slot's class), so −ln p(document) is the sum of −ln p over the choices made: {@link Document#nll}.
 */
public final class ConceptWorldGenerator {
    /** Sentence kinds with their probabilities. */
    enum Kind { NARRATIVE_1, NARRATIVE_2, NARRATIVE_3, FACT, POLITE, HOSTILE, THOUGHT, REFRAME, RUMINATE }

    private static final double[] KIND_P = {0.2, 0.2, 0.15, 0.14, 0.09, 0.09, 0.05, 0.04, 0.04};
    private static final String[] SENTIMENTS = {"positive", "negative", "neutral"};
    /** Nouns per domain that facts are about. */
    static final int FACT_NOUNS = 10;

    /** The fixed words of a reframing, and the start of a rumination (which ends with a negative adjective). */
    static final String REFRAMING = "it was a chance to learn , i will try again";
    static final String RUMINATION = "it was my fault and everything is";
    private static final int MIN_SENTENCES = 2;
    private static final int MAX_SENTENCES = 8;
    /** After each sentence past the minimum, the story ends with this probability. */
    private static final double STOP_P = 0.25;

    private final ConceptWorldConfig cfg;
    private final List<Dialect> dialects;

    public ConceptWorldGenerator(ConceptWorldConfig cfg) {
        this.cfg = cfg;
        this.dialects = Dialect.first(cfg.dialects());
    }

    public List<Dialect> dialects() {
        return dialects;
    }

    /** All stories, in order; the same seed gives the same stories. */
    public List<Document> generate() {
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        List<Document> docs = new ArrayList<>(cfg.docs());
        for (int i = 0; i < cfg.docs(); i++) {
            docs.add(story(i, rng));
        }
        return docs;
    }

    /** The world's facts: whether x is good for y within a domain. Fixed, not seeded: one world. */
    public static boolean goodFor(String domain, String x, String y) {
        return ((domain + ":" + x + ">" + y).hashCode() & 1) == 0;
    }

    Document story(int id, SplittableRandom rng) {
        Story s = new Story(rng);
        Dialect dialect = s.pick(dialects);
        Domain domain = s.pick(Lexicon.DOMAINS);
        s.sentence("neutral", "none");
        s.words("this is a story about");
        s.word(domain.name(), "topic:" + domain.name());
        s.word(".", null);
        for (int n = 1; ; n++) {
            sentence(s, domain);
            if (n >= MAX_SENTENCES || (n >= MIN_SENTENCES && s.chance(STOP_P))) {
                break; // the stop shows as the end-of-sequence token, whose prediction the nll includes
            }
        }
        List<String> written = s.tokens.stream().map(dialect::form).toList();
        return new Document(id, dialect.name(), domain.name(), written, s.concepts, s.sentiment, s.hostility, s.nll);
    }

    private void sentence(Story s, Domain d) {
        Kind kind = Kind.values()[s.weighted(KIND_P)];
        switch (kind) {
            case NARRATIVE_1 -> {
                String sentiment = s.pick(List.of(SENTIMENTS));
                s.sentence(sentiment, "none");
                s.word("the", null);
                adjective(s, d, sentiment);
                noun(s, d);
                verb(s, d);
                s.word("the", null);
                noun(s, d);
            }
            case NARRATIVE_2 -> {
                String sentiment = s.pick(List.of(SENTIMENTS));
                s.sentence(sentiment, "none");
                s.word(s.pick(Lexicon.NAMES), "name");
                verb(s, d);
                s.word("a", null);
                adjective(s, d, sentiment);
                noun(s, d);
                s.word(s.pick(Lexicon.PREPOSITIONS), null);
                s.word("the", null);
                noun(s, d);
            }
            case NARRATIVE_3 -> {
                String sentiment = s.pick(List.of(SENTIMENTS));
                s.sentence(sentiment, "none");
                s.word("the", null);
                noun(s, d);
                s.word("is", null);
                adjective(s, d, sentiment);
                s.word("today", null);
            }
            case FACT -> {
                s.sentence("neutral", "none");
                List<String> factNouns = factNouns(d);
                String x = s.pick(factNouns);
                List<String> others = new ArrayList<>(factNouns);
                others.remove(x);
                String y = s.pick(others);
                s.words("the");
                s.word(x, d.name() + ":" + x);
                s.words("is " + (goodFor(d.name(), x, y) ? "good" : "bad") + " for the");
                s.word(y, d.name() + ":" + y);
            }
            case POLITE -> {
                s.sentence("neutral", "polite");
                s.word(s.pick(Lexicon.NAMES), "name");
                s.words("says : please");
                verb(s, d);
                s.word("the", null);
                noun(s, d);
                s.words(", thank you");
            }
            case HOSTILE -> {
                s.sentence("neutral", "hostile");
                s.word(s.pick(Lexicon.NAMES), "name");
                s.words("says :");
                verb(s, d);
                s.word("the", null);
                noun(s, d);
                s.words("now , you");
                s.word(s.pick(Lexicon.INSULTS), "insult");
            }
            case THOUGHT -> {
                s.sentence("negative", "none");
                s.word(s.pick(Lexicon.NAMES), "name");
                s.words("thinks : i");
                s.word(s.pick(Lexicon.FAILURES), null);
                s.word("the", null);
                noun(s, d);
            }
            case REFRAME -> {
                s.sentence("positive", "polite");
                s.word(s.pick(Lexicon.NAMES), "name");
                s.words("says : " + REFRAMING);
            }
            case RUMINATE -> {
                s.sentence("negative", "polite"); // speech, like the reframing it is contrasted with
                s.word(s.pick(Lexicon.NAMES), "name");
                s.words("says : " + RUMINATION);
                s.word(s.pick(Lexicon.NEGATIVE), "negative");
            }
        }
        s.word(".", null);
    }

    /** The nouns a domain's facts are about. */
    static List<String> factNouns(Domain d) {
        return d.nouns().subList(0, FACT_NOUNS);
    }

    private static void noun(Story s, Domain d) {
        String n = s.pick(d.nouns());
        s.word(n, d.name() + ":" + n);
    }

    private static void verb(Story s, Domain d) {
        String v = s.pick(d.verbs());
        s.word(v, d.name() + ":" + v);
    }

    private static void adjective(Story s, Domain d, String sentiment) {
        switch (sentiment) {
            case "positive" -> s.word(s.pick(Lexicon.POSITIVE), "positive");
            case "negative" -> s.word(s.pick(Lexicon.NEGATIVE), "negative");
            default -> {
                String a = s.pick(d.adjectives());
                s.word(a, d.name() + ":" + a);
            }
        }
    }

    /** A story being written: its base-form tokens, labels, and the running −ln p of the choices. */
    private static final class Story {
        final SplittableRandom rng;
        final List<String> tokens = new ArrayList<>();
        final List<String> concepts = new ArrayList<>();
        final List<String> sentiment = new ArrayList<>();
        final List<String> hostility = new ArrayList<>();
        String currentSentiment;
        String currentHostility;
        double nll;

        Story(SplittableRandom rng) {
            this.rng = rng;
        }

        void sentence(String sentiment, String hostility) {
            currentSentiment = sentiment;
            currentHostility = hostility;
        }

        void word(String w, String concept) {
            tokens.add(w);
            concepts.add(concept);
            sentiment.add(currentSentiment);
            hostility.add(currentHostility);
        }

        void words(String fixed) {
            for (String w : fixed.split(" ")) {
                word(w, null);
            }
        }

        <T> T pick(List<T> options) {
            nll += StrictMath.log(options.size()); // StrictMath: same bits on every JVM
            return options.get(rng.nextInt(options.size()));
        }

        boolean chance(double p) {
            boolean yes = rng.nextDouble() < p;
            nll -= StrictMath.log(yes ? p : 1 - p);
            return yes;
        }

        int weighted(double[] probs) {
            double u = rng.nextDouble();
            for (int i = 0; i < probs.length; i++) {
                u -= probs[i];
                if (u < 0 || i == probs.length - 1) {
                    nll -= StrictMath.log(probs[i]);
                    return i;
                }
            }
            throw new IllegalStateException();
        }
    }
}
