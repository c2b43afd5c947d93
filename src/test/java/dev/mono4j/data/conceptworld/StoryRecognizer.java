package dev.mono4j.data.conceptworld;

import dev.mono4j.data.conceptworld.Lexicon.Domain;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent reading of the grammar for tests: parses a story (base-dialect words) back into its
 * choices and sums −ln p, counting how many templates match at each sentence start. A unique parse for
 * every sentence is what makes the generator's nll the exact −ln p(text).
 */
final class StoryRecognizer {
    /** Slot classes of a template; literal words stand for themselves. */
    private static final List<String[]> TEMPLATES = List.of(
            "the ADJ NOUN VERB the NOUN .".split(" "),
            "NAME VERB a ADJ NOUN PREP the NOUN .".split(" "),
            "the NOUN is ADJ today .".split(" "),
            "the FNOUN is FACT for the FNOUN2 .".split(" "),
            "NAME says : please VERB the NOUN , thank you .".split(" "),
            "NAME says : VERB the NOUN now , you INSULT .".split(" "),
            "NAME thinks : i FAILED the NOUN .".split(" "),
            "NAME says : it was a chance to learn , i will try again .".split(" "),
            "NAME says : it was my fault and everything is NEG .".split(" "));
    private static final double[] KIND_P = {0.2, 0.2, 0.15, 0.14, 0.09, 0.09, 0.05, 0.04, 0.04};

    record Parse(double nll, int ambiguousSentences) {
    }

    static Parse parse(List<String> w, int dialects) {
        double nll = StrictMath.log(dialects) + StrictMath.log(Lexicon.DOMAINS.size());
        Domain d = Lexicon.domain(w.get(5));
        int pos = 7;
        int ambiguous = 0;
        for (int n = 1; ; n++) {
            List<double[]> matches = new ArrayList<>();
            for (int k = 0; k < TEMPLATES.size(); k++) {
                double[] m = match(TEMPLATES.get(k), w, pos, d);
                if (m != null) {
                    matches.add(new double[] {k, m[0], m[1]});
                }
            }
            if (matches.size() != 1) {
                ambiguous++;
            }
            if (matches.isEmpty()) {
                throw new AssertionError("no template matches at token " + pos + " of " + w);
            }
            double[] m = matches.get(0);
            nll += -StrictMath.log(KIND_P[(int) m[0]]) + m[1];
            pos += (int) m[2];
            boolean end = pos == w.size();
            if (n >= 8) {
                if (!end) {
                    throw new AssertionError("more than 8 sentences");
                }
                return new Parse(nll, ambiguous);
            }
            if (n >= 2) {
                nll -= StrictMath.log(end ? 0.25 : 0.75);
            }
            if (end) {
                return new Parse(nll, ambiguous);
            }
        }
    }

    /** {−ln p of the slot choices, length} when the template matches at pos, else null. */
    private static double[] match(String[] t, List<String> w, int pos, Domain d) {
        if (pos + t.length > w.size()) {
            return null;
        }
        double nll = 0;
        String sentiment = null;
        String x = null;
        for (int i = 0; i < t.length; i++) {
            String word = w.get(pos + i);
            List<String> cls = switch (t[i]) {
                case "NOUN" -> d.nouns();
                case "FNOUN" -> d.nouns().subList(0, 10);
                case "FNOUN2" -> d.nouns().subList(0, 10).stream().filter(n -> !n.equals(w.get(pos + 1))).toList();
                case "VERB" -> d.verbs();
                case "NAME" -> Lexicon.NAMES;
                case "PREP" -> Lexicon.PREPOSITIONS;
                case "INSULT" -> Lexicon.INSULTS;
                case "FAILED" -> Lexicon.FAILURES;
                case "NEG" -> Lexicon.NEGATIVE;
                default -> null;
            };
            if (t[i].equals("ADJ")) {
                // The sentence's sentiment (1/3 each) shows in the adjective's class.
                sentiment = Lexicon.POSITIVE.contains(word) ? "p" : Lexicon.NEGATIVE.contains(word) ? "n"
                        : d.adjectives().contains(word) ? "0" : null;
                if (sentiment == null) {
                    return null;
                }
                cls = sentiment.equals("p") ? Lexicon.POSITIVE : sentiment.equals("n") ? Lexicon.NEGATIVE : d.adjectives();
                nll += StrictMath.log(3);
            }
            if (t[i].equals("FACT")) {
                String y = w.get(pos + i + 3);
                x = w.get(pos + 1);
                if (!word.equals(ConceptWorldGenerator.goodFor(d.name(), x, y) ? "good" : "bad")) {
                    return null;
                }
                continue; // determined by the world's facts: no choice, no cost
            }
            if (cls == null) {
                if (!t[i].equals("ADJ") && !word.equals(t[i])) {
                    return null;
                }
                continue;
            }
            if (!cls.contains(word)) {
                return null;
            }
            nll += StrictMath.log(cls.size());
        }
        return new double[] {nll, t.length};
    }
}
