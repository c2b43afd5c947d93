package dev.mono4j.train;

import dev.mono4j.testing.WordLevelTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training throughput of every preset: 20 steps of batch 16 × 128 tokens on generated text with a vocabulary
 * of 2,000. Not part of {@code mvn verify} (the class name does not end in Test); run it with
 * {@code mvn -o test -Dtest=PretrainBenchmark}.
 */
class PretrainBenchmark {
    @Test
    void tokensPerSecondOfEachPreset(@TempDir Path tmp) throws Exception {
        List<String> words = WordLevelTokenizers.words(2000 - WordLevelTokenizers.SPECIALS.size());
        Path tokenizer = WordLevelTokenizers.write(tmp.resolve("tokenizer.json"), words);
        Path train = Files.writeString(tmp.resolve("train.txt"), WordLevelTokenizers.text(words, 10_000, 1));
        Path valid = Files.writeString(tmp.resolve("valid.txt"), WordLevelTokenizers.text(words, 200, 2));
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-6s %-6s %12s %12s %10s%n", "arch", "preset",
                "parameters", "tokens/s", "loss"));
        for (String arch : ModelPresets.ARCHS) {
            for (String preset : ModelPresets.names()) {
                PretrainConfig cfg = PretrainConfig.builder().arch(arch).preset(preset).steps(20).batchSize(16).seqLen(128)
                        .evalEvery(0).evalBatches(1).checkpointEvery(0).build();
                PretrainSummary s = Pretrainer.run(cfg, train, valid, tokenizer, tmp.resolve(arch + "-" + preset), log -> { });
                table.append(String.format(Locale.ROOT, "%-6s %-6s %,12d %,12.0f %10.3f%n", arch, preset, s.parameters(),
                        s.tokensPerS(), s.finalTrainLoss()));
            }
        }
        System.out.print(table);
    }
}
