package dev.mono4j.train;

import java.nio.file.Path;

/**
 * The outcome of a pretraining run.
 *
 * @param model           the final checkpoint folder (HF format, with tokenizer.json)
 * @param steps           optimizer steps the model has had
 * @param tokens          training tokens it has seen
 * @param parameters      its parameter count
 * @param finalTrainLoss  the last step's training loss (mean next-token NLL, nats)
 * @param initialValidLoss validation loss of the starting checkpoint before any step, for a run from one
 *                        ({@link PretrainConfig#init()}); null for a run from scratch
 * @param finalValidLoss  validation loss after the last step
 * @param tokensPerS      training throughput of this call (a resumed run counts only its own steps)
 * @param wallSeconds     duration of this call, data encoding, evaluation and saving included
 */
public record PretrainSummary(Path model, int steps, long tokens, long parameters, double finalTrainLoss,
        Double initialValidLoss, double finalValidLoss, double tokensPerS, double wallSeconds) {
}
