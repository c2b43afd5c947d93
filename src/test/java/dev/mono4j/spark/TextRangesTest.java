package dev.mono4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.UserInputException;
import dev.mono4j.spark.TextRanges.Range;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ranges of whole batches, cut by hand; and the one line --spark gives without Spark on the class path. */
class TextRangesTest {
    @Test
    void rangesAreContiguousWholeStepsAsEvenAsStepsAllow() {
        // 22 texts in steps of 4: 6 steps (the last of 2 texts); 4 ranges get 2, 2, 1, 1 steps.
        assertEquals(List.of(new Range(0, 0, 8), new Range(1, 8, 16), new Range(2, 16, 20), new Range(3, 20, 22)),
                TextRanges.cut(0, 22, 4, 4));
        // More parts than steps: one step each.
        assertEquals(List.of(new Range(0, 0, 4), new Range(1, 4, 8), new Range(2, 8, 10)), TextRanges.cut(0, 10, 7, 4));
        assertEquals(List.of(new Range(0, 0, 10)), TextRanges.cut(0, 10, 1, 4));
        assertEquals(List.of(), TextRanges.cut(0, 0, 3, 4));
        for (int n = 1; n < 40; n++) {
            for (int parts = 1; parts < 9; parts++) {
                List<Range> r = TextRanges.cut(0, n, parts, 3);
                assertEquals(0, r.get(0).from());
                assertEquals(n, r.get(r.size() - 1).to());
                for (int i = 0; i < r.size(); i++) {
                    assertEquals(i, r.get(i).index());
                    assertTrue(r.get(i).from() % 3 == 0 && r.get(i).size() > 0, r.toString());
                    if (i > 0) {
                        assertEquals(r.get(i - 1).to(), r.get(i).from());
                    }
                }
            }
        }
    }

    @Test
    void withoutSparkTheFlagSaysWhatToBuild() {
        SparkAvailability.require("--spark"); // the test class path has Spark (provided scope)
        UserInputException e = assertThrows(UserInputException.class,
                () -> SparkAvailability.require("--spark", "org.apache.spark.sql.NoSuchSession"));
        assertTrue(e.getMessage().startsWith("--spark needs Apache Spark on the class path: build it with `mvn -P spark"
                + " package`"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }
}
