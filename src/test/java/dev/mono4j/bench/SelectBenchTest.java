package dev.mono4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The data-selection benchmark on one small shape: every kind timed, the report complete, bad settings refused. */
class SelectBenchTest {
    @Test
    void timesEveryKindAndReportsRatesAgainstTheForwardPassAndTheGemm() {
        StringWriter text = new StringWriter();
        Map<String, Object> report = new SelectBench(List.of("xs"), 40, 1).run(new PrintWriter(text, true));
        assertEquals(List.of("threads", "gemm_gflops", "results"), List.copyOf(report.keySet()));
        assertTrue((int) report.get("threads") >= 1, report.toString());
        assertTrue(positive(report.get("gemm_gflops")), report.toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) report.get("results");
        assertEquals(1, results.size());
        Map<String, Object> r = results.get(0);
        assertEquals("xs", r.get("preset"));
        assertEquals(40, r.get("pool"));
        assertEquals(16 * 32, r.get("d_sae"), "d_sae = 16 x d_model of preset xs");
        assertEquals("blocks.2.hook_resid_post", r.get("hook"), "the penultimate of xs's 4 blocks");
        @SuppressWarnings("unchecked")
        Map<String, Object> rates = (Map<String, Object>) r.get("samples_per_s");
        assertEquals(List.of("forward", "jaccard", "jaccard_cached_vectors", "bm25", "random"), List.copyOf(rates.keySet()));
        rates.values().forEach(v -> assertTrue(positive(v), rates.toString()));
        assertTrue(positive(r.get("forward_fraction_of_gemm")) && positive(r.get("forward_gflops")), r.toString());
        assertTrue(Double.isFinite((double) r.get("jaccard_overhead")), r.toString());
        assertTrue((long) r.get("padded_tokens") > 40, r.toString());
        for (String row : List.of("forward", "jaccard", "jaccard (cached vectors)", "bm25", "random")) {
            assertTrue(text.toString().contains("xs     " + row + " "), row + " missing from:\n" + text);
        }
    }

    @Test
    void refusesSettingsItCannotRun() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SelectBench(List.of("xs"), 1, 1)).getMessage()
                .contains("--pool"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SelectBench(List.of("xs"), 40, 0)).getMessage()
                .contains("--repeats"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SelectBench(List.of("xl"), 40, 1)).getMessage()
                .contains("unknown preset 'xl'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SelectBench(List.of(), 40, 1)).getMessage()
                .contains("--presets"));
    }

    private static boolean positive(Object v) {
        double d = ((Number) v).doubleValue();
        return Double.isFinite(d) && d > 0;
    }
}
