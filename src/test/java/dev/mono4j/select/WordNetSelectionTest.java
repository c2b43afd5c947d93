package dev.mono4j.select;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mono4j.data.FieldCondition;
import dev.mono4j.data.WordNet;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Selection on real text whose relevance we know ({@code mvn -P wordnet verify}): WordNet 3.0 noun definitions, 20
 * food definitions as targets, 5% of a 6,000-definition pool selected. BM25 must find food far above chance (food
 * words are lexical cues), random must stay near chance. Fails, never skips, when the file is missing.
 */
@Tag("wordnet")
class WordNetSelectionTest {
    @TempDir
    Path tmp;

    @Test
    void bm25FindsFoodDefinitionsAndRandomDoesNot() throws Exception {
        if (!Files.isRegularFile(WordNet.DEFAULT_FILE)) {
            fail(WordNet.DEFAULT_FILE + " is missing: install the Debian package " + WordNet.DEBIAN_PACKAGE);
        }
        List<String[]> defs = new ArrayList<>(); // {text, supersense}
        WordNet.forEach(WordNet.DEFAULT_FILE, s -> {
            if (s.definition().split(" ").length >= 4) {
                defs.add(new String[] {s.definition(), s.supersense()});
            }
        });
        Collections.shuffle(defs, new Random(0));
        List<String> pool = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        int food = 0;
        for (String[] d : defs) {
            String line = Json.line(Json.object("text", d[0], "supersense", d[1]));
            if (targets.size() < 20 && d[1].equals("noun.food")) {
                targets.add(line);
            } else if (pool.size() < 6000) {
                pool.add(line);
                food += d[1].equals("noun.food") ? 1 : 0;
            }
        }
        Path poolFile = Files.write(tmp.resolve("pool.jsonl"), pool);
        Path targetFile = Files.write(tmp.resolve("targets.jsonl"), targets);
        double chance = food / 6000.0;
        FieldCondition foodLabel = new FieldCondition("supersense", "noun.food");
        Selection.Result bm25 = Selection.run(SelectConfig.builder(poolFile, targetFile, SelectMethod.BM25)
                .relevant(foodLabel).build(), tmp.resolve("bm25"), false, false, NonFinite.REFUSE, false);
        Selection.Result random = Selection.run(SelectConfig.builder(poolFile, targetFile, SelectMethod.RANDOM)
                .relevant(foodLabel).build(), tmp.resolve("random"), false, false, NonFinite.REFUSE, false);
        assertTrue(bm25.precision() > 4 * chance, "BM25 precision " + bm25.precision() + ", chance " + chance);
        // 300 draws: a binomial's 4-sigma band around chance
        double sigma = Math.sqrt(chance * (1 - chance) / 300);
        assertTrue(Math.abs(random.precision() - chance) < 4 * sigma, "random " + random.precision() + ", chance " + chance);
    }
}
