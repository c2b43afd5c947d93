package dev.mono4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.train.PretrainConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pretraining benchmark's table for a dense and a Monet model; the peak-memory reading it reports. */
class PretrainBenchTest {
    @Test
    void reportsTrainingAndInferenceRatesAndPeakMemory() {
        List<PretrainBench.Run> runs = List.of("llama", "monet-vd").stream().map(arch -> new PretrainBench.Run(arch, "xs",
                PretrainConfig.builder().arch(arch).preset("xs").steps(2).batchSize(2).seqLen(16).evalEvery(0)
                        .evalBatches(1).checkpointEvery(0).build())).toList();
        StringWriter text = new StringWriter();
        Map<String, Object> report = new PretrainBench(runs).run(new PrintWriter(text, true));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) report.get("results");
        assertEquals(2, results.size());
        for (Map<String, Object> r : results) {
            assertTrue((double) r.get("tokens_per_s") > 0 && (double) r.get("inference_tokens_per_s") > 0, r.toString());
            assertTrue((double) r.get("inference_fraction_of_gemm") > 0, r.toString());
        }
        assertTrue((long) results.get(0).get("train_peak_rise_bytes") >= 0 || !linux(), "the first run is measured");
        assertEquals(-1L, results.get(1).get("train_peak_rise_bytes"), "later runs of a process are not");
        assertTrue(text.toString().contains("monet-vd"), text.toString());
    }

    @Test
    void peakMemorySeesAnAllocationAndStartsAgainAtEachMark() {
        if (!linux()) {
            assertEquals(-1, PeakMemory.start().peakBytes());
            return;
        }
        PeakMemory.Mark mark = PeakMemory.start();
        // Native memory, as PyTorch's tensors are (a Java array could land on heap pages already resident).
        java.nio.ByteBuffer big = java.nio.ByteBuffer.allocateDirect(256 << 20);
        for (int i = 0; i < big.capacity(); i += 4096) {
            big.put(i, (byte) 1); // touch every page so it is resident
        }
        assertTrue(mark.riseBytes() > 200L << 20, "rise " + mark.riseBytes());
        assertTrue(big.get(4096) == 1);
        PeakMemory.Mark after = PeakMemory.start();
        assertTrue(after.riseBytes() < 64L << 20, "a new mark starts from the current size: " + after.riseBytes());
    }

    private static boolean linux() {
        return java.nio.file.Files.isWritable(java.nio.file.Path.of("/proc/self/clear_refs"));
    }
}
