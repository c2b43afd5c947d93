package dev.mono4j.data.conceptworld;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The closed vocabulary of ConceptWorld, in its base (English) form. Word classes are disjoint within a
 * domain, and every template differs from the others in the class of some slot, so each random choice
 * of the generator shows in the text: that is what makes the corpus's entropy exactly computable.
 *
 * <p>Polysemous nouns appear in two domains with two senses ("bat": animals and sports); the domain of
 * a story, named in its first sentence, decides which sense an occurrence has.
 */
public final class Lexicon {
    /** A domain's own words; nouns may include polysemous words shared with one other domain. */
    public record Domain(String name, List<String> nouns, List<String> verbs, List<String> adjectives) {
    }

    public static final List<Domain> DOMAINS = List.of(
            domain("animals",
                    "dog cat horse cow sheep goat rabbit fox wolf bear deer owl eagle crane duck frog snake lizard "
                            + "turtle whale dolphin shark salmon bass bat mouse squirrel beaver otter seal",
                    "feeds chases tames watches follows grooms herds tracks",
                    "furry wild tame fluffy striped spotted feathered hungry"),
            domain("food",
                    "bread soup cheese apple pear rice pasta salad cake pie butter honey jam sauce pepper salt "
                            + "onion garlic carrot potato tomato egg milk tea coffee plate bowl spoon oven kettle",
                    "cooks bakes tastes slices stirs serves fries peels",
                    "sweet salty spicy crispy fresh ripe sour creamy"),
            domain("weather",
                    "rain snow wind storm cloud fog sun thunder lightning frost hail breeze drizzle sky rainbow "
                            + "flood drought season spring summer winter autumn forecast current temperature humidity "
                            + "pressure cold front",
                    "predicts measures reports clears soaks freezes warms cools",
                    "cloudy windy rainy foggy humid chilly mild stormy"),
            domain("sports",
                    "ball bat goal team coach player match court pitch racket net field score referee whistle "
                            + "glove helmet stadium trophy league race lap sprint jump serve tackle pass season medal "
                            + "ticket",
                    "kicks throws catches scores trains coaches wins defends",
                    "fast strong agile fit athletic quick tough skilled"),
            domain("music",
                    "song guitar piano drum violin flute trumpet choir band concert melody rhythm chord note "
                            + "pitch scale tempo lyric album stage singer bass harmony tune opera jam record beat "
                            + "encore ticket",
                    "plays sings composes tunes records hums strums conducts",
                    "loud soft melodic harmonic rhythmic acoustic catchy classical"),
            domain("science",
                    "atom cell molecule lab experiment theory data microscope telescope planet star orbit energy "
                            + "current magnet crystal acid protein gene formula equation sample note scale plate "
                            + "match battery circuit laser spring",
                    "measures observes tests analyzes models predicts heats samples",
                    "precise empirical chemical physical magnetic electric organic accurate"),
            domain("travel",
                    "train bus plane ship car road map ticket hotel passport suitcase station airport harbor "
                            + "bridge tunnel border crane jam tour guide trip journey route beach island mountain "
                            + "valley village city",
                    "visits books packs boards crosses explores drives sails",
                    "distant scenic busy remote crowded coastal foreign rural"),
            domain("health",
                    "doctor nurse patient clinic medicine pill vaccine fever cough cold injury bandage diet "
                            + "exercise sleep heart lung bone muscle blood cell vitamin therapy checkup scale "
                            + "wheelchair crutch stretcher ward pulse",
                    "treats heals examines prescribes bandages rests stretches recovers",
                    "healthy sick sore injured medical sterile chronic vital"));

    /** Sentence sentiment, carried by adjectives (and in reframings by templates). */
    public static final List<String> POSITIVE = words("happy bright lovely cheerful wonderful gentle proud lucky "
            + "joyful hopeful");
    public static final List<String> NEGATIVE = words("sad gloomy awful miserable dreary bitter lonely grim "
            + "dismal hopeless");
    /** Invented, mild insults: hostility without real slurs. */
    public static final List<String> INSULTS = words("grobble snarfwit dunderbump blatherskite muttonhead "
            + "puddingbrain");
    public static final List<String> NAMES = words("ada ben cora dan eva finn gus hana ivo june kai lena milo nia "
            + "omar pia");
    public static final List<String> ROLES = words("chef farmer pilot teacher painter sailor");
    /** Things people fail at, for the reframe task's negative thoughts. */
    public static final List<String> FAILURES = words("failed lost broke missed forgot ruined");
    public static final List<String> PREPOSITIONS = words("near behind under beside above");
    /** Words of fixed templates. */
    public static final List<String> FUNCTION_WORDS = words("this is a story about the today says please thank "
            + "you now thinks i it was my fault will learn good bad for and everything right yes no asks are chance to "
            + "try again");
    public static final List<String> PUNCTUATION = List.of(".", ",", ":", "?");

    private Lexicon() {
    }

    public static Domain domain(String name) {
        return DOMAINS.stream().filter(d -> d.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no domain " + name));
    }

    /** Every word of the base language, punctuation included, in a stable order. */
    public static List<String> allWords() {
        Set<String> all = new LinkedHashSet<>();
        for (Domain d : DOMAINS) {
            all.add(d.name);
            all.addAll(d.nouns);
            all.addAll(d.verbs);
            all.addAll(d.adjectives);
        }
        for (List<String> l : List.of(POSITIVE, NEGATIVE, INSULTS, NAMES, ROLES, FAILURES, PREPOSITIONS,
                FUNCTION_WORDS, PUNCTUATION)) {
            all.addAll(l);
        }
        return new ArrayList<>(all);
    }

    /** Nouns that occur in more than one domain, with the domains they belong to. */
    public static Map<String, List<String>> polysemousNouns() {
        Map<String, List<String>> senses = new LinkedHashMap<>();
        for (Domain d : DOMAINS) {
            for (String n : d.nouns) {
                senses.computeIfAbsent(n, k -> new ArrayList<>()).add(d.name);
            }
        }
        senses.values().removeIf(l -> l.size() < 2);
        return senses;
    }

    private static Domain domain(String name, String nouns, String verbs, String adjectives) {
        return new Domain(name, words(nouns), words(verbs), words(adjectives));
    }

    private static List<String> words(String s) {
        return Collections.unmodifiableList(Arrays.asList(s.trim().split("\\s+")));
    }
}
