package dev.mono4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The real WordNet 3.0 data.noun ({@code mvn -P wordnet verify}); fails, never skips, when the file is missing. */
@Tag("wordnet")
class WordNetRealTest {
    @Test
    void knownFactsOfWordNet30Nouns() {
        if (!Files.isRegularFile(WordNet.DEFAULT_FILE)) {
            fail(WordNet.DEFAULT_FILE + " is missing: install the Debian package " + WordNet.DEBIAN_PACKAGE);
        }
        Map<String, WordNet.Synset> byOffset = new HashMap<>();
        Set<String> supersenses = new TreeSet<>();
        int synsets = WordNet.forEach(WordNet.DEFAULT_FILE, s -> {
            supersenses.add(s.supersense());
            if (s.offset().equals("02084071") || s.offset().equals("00001740")) {
                byOffset.put(s.offset(), s);
            }
        });
        assertEquals(82_115, synsets); // WordNet 3.0's noun synsets (wnstats(7WN))
        assertEquals(26, supersenses.size());
        WordNet.Synset dog = byOffset.get("02084071");
        assertNotNull(dog);
        assertEquals("noun.animal", dog.supersense());
        assertEquals("dog", dog.lemmas().get(0));
        assertTrue(dog.lemmas().contains("Canis familiaris"), dog.lemmas().toString());
        assertTrue(dog.definition().startsWith("a member of the genus Canis"), dog.definition());
        assertEquals(java.util.List.of("the dog barked all night"), dog.examples());
        assertEquals("noun.Tops", byOffset.get("00001740").supersense()); // entity, the root of the noun hierarchy
    }
}
