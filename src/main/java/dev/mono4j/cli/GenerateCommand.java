package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.GenerationConfig;
import dev.mono4j.model.Generator;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Continues prompts (optionally steered); prints each prompt followed by its generated text, one line per prompt. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a prompt with a checkpoint (KV-cached, seeded).")
final class GenerateCommand extends CliCommand {
    @Mixin
    CheckpointFolder checkpoint;

    @Mixin
    NonFiniteOption nonFinite;

    @Option(names = "--prompt", required = true, description = "Text to continue (repeatable: prompts run as left-padded"
            + " batches, each continued as it would be alone).")
    List<String> prompts;

    @Option(names = "--batch-size", defaultValue = "8", description = "Prompts per batch (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    InterventionOptions interventions;

    @Option(names = "--max-new-tokens", defaultValue = "40",
            description = "Tokens to generate at most (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "0 for greedy decoding (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample from the k most likely tokens (0: all).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass (1: off).")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop-token", description = "Token id that ends generation (repeatable; default: the model's eos).")
    List<Long> stopTokens;

    @Option(names = "--no-cache", description = "Recompute all positions every step (slow; for checking).")
    boolean noCache;

    @Override
    public void run() {
        if (batchSize < 1) {
            throw new UserInputException("--batch-size must be at least 1");
        }
        Path dir = checkpoint.dir;
        try (Tokenizer tok = Tokenizer.load(dir)) { // first: a missing tokenizer.json fails before a long load
            List<long[]> ids = new ArrayList<>();
            for (String prompt : prompts) {
                long[] p = tok.encode(prompt);
                if (p.length == 0) {
                    throw new UserInputException("--prompt encodes to no tokens: '" + prompt + "'; give some text");
                }
                ids.add(p);
            }
            try (TransformerLM model = Checkpoint.loadCausal(dir, "generation", nonFinite.policy());
                    InterventionOptions owned = interventions) {
                ModelConfig config = model.config();
                int longest = ids.stream().mapToInt(p -> p.length).max().orElse(0);
                // Refused up front, not cut short at the limit: a continuation that silently stops early reads
                // like one that met a stop token (our choice; see ModelFamily.positionLimitField).
                if (longest + maxNewTokens > config.maxPositions()) {
                    throw new UserInputException(dir.resolve("config.json") + ": the " + (ids.size() > 1 ? "longest " : "")
                            + "prompt (" + longest
                            + " tokens) plus --max-new-tokens " + maxNewTokens + " exceeds "
                            + config.family().positionLimitField() + " " + config.maxPositions());
                }
                for (long id : stopTokens != null ? stopTokens : List.<Long>of()) {
                    if (id < 0 || id >= config.vocabSize()) { // the model could never sample it: no stop at all
                        throw new UserInputException("--stop-token " + id + " is outside the vocabulary (ids 0 to "
                                + (config.vocabSize() - 1) + ": vocab_size " + config.vocabSize() + " in "
                                + dir.resolve("config.json") + ")");
                    }
                }
                Set<Long> stops = stopTokens != null ? new HashSet<>(stopTokens) : Checkpoint.defaultStopTokens(dir, config);
                GenerationConfig cfg = Flags.check(() -> new GenerationConfig(maxNewTokens, temperature, topK, topP, seed,
                        stops, !noCache));
                Hooks hooks = interventions.attach(new Hooks(), model);
                for (int from = 0; from < ids.size(); from += batchSize) {
                    List<long[]> batch = ids.subList(from, Math.min(ids.size(), from + batchSize));
                    List<Generator.Result> results = Generator.generate(model, batch, cfg, hooks);
                    for (int i = 0; i < batch.size(); i++) {
                        out().println(prompts.get(from + i) + tok.decodeContinuation(batch.get(i), results.get(i).text()));
                    }
                }
            }
        }
    }
}
