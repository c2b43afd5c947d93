package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.data.factorgraph.FactorGraphEval;
import dev.mono4j.data.factorgraph.FactorGraphSplit;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j factorgraph eval MODEL --data DIR}: a causal LM's excess loss over the exact Bayes conditional. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "A causal LM's NLL of each line's answer (renormalised"
        + " over the masked variable's values, and raw) against the exact Bayes NLL on the same lines: excess, KL,"
        + " accuracy; all lines, masked roots, the rest.")
final class FactorGraphEvalCommand extends CliCommand {
    @Mixin
    CheckpointFolder checkpoint;

    @Option(names = "--data", required = true, description = "The folder 'data factorgraph' wrote.")
    Path data;

    @Option(names = "--split", defaultValue = "valid", description = "train, valid or ood (default ${DEFAULT-VALUE}).")
    FactorGraphSplit split;

    @Option(names = "--batch-size", defaultValue = "" + FactorGraphEval.DEFAULT_BATCH_SIZE,
            description = "Lines per forward pass (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--blanket", description = "Also score Markov-blanket recovery at the query position, per layer"
            + " (the workspace's write pattern or the attention pattern; docs/factorgraph.md).")
    boolean blanket;

    @Option(names = "--out", description = "Write the results here as JSON (refuses to overwrite).")
    Path out;

    @Mixin
    NonFiniteOption nonFinite;

    @Override
    public void run() {
        if (batchSize < 1) {
            throw new UserInputException("--batch-size " + batchSize + ": must be at least 1");
        }
        if (out != null && Files.exists(out)) {
            throw new UserInputException(out + ": exists; refusing to overwrite it");
        }
        var samples = split.read(data);
        if (samples.isEmpty()) {
            throw new UserInputException(data.resolve(split.textFile()) + ": has no lines");
        }
        FactorGraphEval.Result r;
        try (TransformerLM model = Checkpoint.loadCausal(checkpoint.dir, "factorgraph eval", nonFinite.policy());
                Tokenizer tok = Tokenizer.load(checkpoint.dir)) {
            r = FactorGraphEval.run(model, tok, split, samples, batchSize, blanket);
        }
        var o = out();
        o.println(r.split() + ": " + r.all().describe());
        o.println("  masked roots:     " + (r.roots() == null ? "none" : r.roots().describe()));
        o.println("  masked non-roots: " + (r.nonRoots() == null ? "none" : r.nonRoots().describe()));
        if (r.blanket() != null) {
            o.println("  " + r.blanket().describe());
        }
        if (out != null) {
            AtomicFiles.writeString(out, Json.write(r));
            o.println("results: " + out);
        }
    }
}
