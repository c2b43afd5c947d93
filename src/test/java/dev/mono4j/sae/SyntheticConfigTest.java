package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.io.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticConfigTest {
    @Test
    void sparsitySpecsParseAndPrintBack() {
        SyntheticConfig.Sparsity range = SyntheticConfig.Sparsity.parse("4-8");
        assertEquals(List.of(4, 5, 6, 7, 8), range.values());
        assertEquals(List.of(0.2, 0.2, 0.2, 0.2, 0.2), range.shares());
        assertEquals(6.0, range.mean(), 1e-12);
        assertEquals(8, range.max());
        SyntheticConfig.Sparsity mixture = SyntheticConfig.Sparsity.parse("3:0.5, 20:0.5");
        assertEquals(List.of(3, 20), mixture.values());
        assertEquals(11.5, mixture.mean(), 1e-12);
        assertEquals(List.of(6), SyntheticConfig.Sparsity.parse("6").values());
        for (String spec : new String[] {"4-8", "6", "3:0.5,20:0.5", "1:0.25,2:0.75", "2:0.5,3:0.5"}) {
            SyntheticConfig.Sparsity s = SyntheticConfig.Sparsity.parse(spec);
            assertEquals(s, SyntheticConfig.Sparsity.parse(s.toString()), spec);
        }
        assertEquals("2-3", SyntheticConfig.Sparsity.parse("2:0.5,3:0.5").toString(), "a uniform range prints as one");
    }

    @Test
    void badSpecsSayWhatIsWrong() {
        for (String spec : new String[] {"", "x", "8-4", "0-3", "4-", "3:0.5", "3:0.5,20:0.6", "3:0.5,3:0.5", "3:-1,4:2",
            "3:0.5:1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SyntheticConfig.Sparsity.parse(spec), spec);
            assertTrue(e.getMessage().contains("sparsity"), e.getMessage());
        }
        for (String spec : new String[] {"zipf", "zipf:-1", "zipf:x", "normal"}) {
            assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.Frequencies.parse(spec), spec);
        }
        for (String spec : new String[] {"uniform:1", "uniform:2,1", "const:0", "const:-1", "gauss:0,1"}) {
            assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.Magnitudes.parse(spec), spec);
        }
    }

    @Test
    void configRejectsImpossibleSettings() {
        SyntheticConfig c = SyntheticConfig.DEFAULT;
        assertThrows(IllegalArgumentException.class, () -> new SyntheticConfig(4, 2, c.sparsity(), c.frequencies(),
                c.magnitudes(), 0, 1), "s up to 8 but 4 features");
        assertThrows(IllegalArgumentException.class, () -> new SyntheticConfig(16, 0, c.sparsity(), c.frequencies(),
                c.magnitudes(), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticConfig(16, 4, c.sparsity(), c.frequencies(),
                c.magnitudes(), -0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticConfig(16, 4, null, c.frequencies(),
                c.magnitudes(), 0, 1));
    }

    @Test
    void defaultsAreThePapersMainCase() {
        SyntheticConfig c = SyntheticConfig.DEFAULT;
        assertEquals(512, c.n());
        assertEquals(64, c.d());
        assertEquals("4-8", c.sparsity().toString());
        assertEquals("uniform", c.frequencies().toString());
        assertEquals(0, c.noise());
    }

    @Test
    void jsonWritesSpecsAsStringsAndReadsThemBack() throws Exception {
        SyntheticConfig c = new SyntheticConfig(128, 42, SyntheticConfig.Sparsity.parse("3:0.5,20:0.5"),
                SyntheticConfig.Frequencies.parse("zipf:1.5"), SyntheticConfig.Magnitudes.parse("const:2"), 0.01, 9);
        String json = Json.write(c);
        assertTrue(json.contains("\"sparsity\" : \"3:0.5,20:0.5\""), json);
        assertTrue(json.contains("\"frequencies\" : \"zipf:1.5\""), json);
        assertTrue(json.contains("\"magnitudes\" : \"const:2.0\""), json);
        assertEquals(c, Json.MAPPER.readValue(json, SyntheticConfig.class));
    }
}
