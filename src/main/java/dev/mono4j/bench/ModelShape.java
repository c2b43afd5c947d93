package dev.mono4j.bench;

import dev.mono4j.model.ModelConfig;
import java.util.Locale;

/** Real models' shapes the forward and measure benchmarks run with random weights. */
public enum ModelShape {
    GPT2_SMALL(ModelConfig.gpt2(50257, 768, 12, 12, 1024)),
    SMOLLM_135M(ModelConfig.llama(49152, 576, 30, 9, 3, 1536, 2048, true));

    public final ModelConfig config;

    ModelShape(ModelConfig config) {
        this.config = config;
    }

    /** The name a user types and the tables print: gpt2-small, smollm-135m. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
