package dev.mono4j.cli;

import dev.mono4j.data.FieldCondition;
import dev.mono4j.model.SentenceEmbeddings;
import dev.mono4j.select.Aggregation;
import dev.mono4j.select.SelectConfig;
import dev.mono4j.select.SelectMethod;
import dev.mono4j.select.Selection;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j select}: MoNA's data selection by SAE codes, its ablations and baselines (docs/select.md). */
@Command(name = "select", mixinStandardHelpOptions = true, description = "Select the pool samples most like a target"
        + " set (MoNA: mean-pooled SAE codes by generalised Jaccard; or an ablation or baseline): --out gets"
        + " selected.jsonl, selected.txt, scores.f32 and select.json.")
final class SelectCommand extends CliCommand {
    @Option(names = "--pool", required = true, description = "Pool JSONL: one sample per line with a \"text\" field.")
    Path pool;

    @Option(names = "--targets", required = true, description = "Target examples, JSONL like the pool.")
    Path targets;

    @Option(names = "--method", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    SelectMethod method = SelectConfig.DEFAULT_METHOD;

    @Option(names = "--model", description = "The selection model's checkpoint folder (jaccard, cosine, euclidean, raw),"
            + " or a sentence encoder's (embedding, e.g. from 'models pull bge-small').")
    Path model;

    @Option(names = "--sae", description = "SAE folder (SAELens layout) on a hook of --model (jaccard, cosine, euclidean).")
    Path sae;

    @Option(names = "--hook", description = "Hook point read (default: the SAE's hook_name, else the residual stream"
            + " after the penultimate block).")
    String hook;

    @Option(names = "--ratio", description = "Share of the pool selected (default ${DEFAULT-VALUE}).")
    double ratio = SelectConfig.DEFAULT_RATIO;

    @Option(names = "--count", description = "Select this many samples instead of --ratio.")
    int count;

    @Option(names = "--aggregate", description = "Token vectors to a sample vector: ${COMPLETION-CANDIDATES}"
            + " (default ${DEFAULT-VALUE}).")
    Aggregation aggregate = SelectConfig.DEFAULT_AGGREGATE;

    @Option(names = "--embed-pooling", description = "The encoder's pooling for --method embedding:"
            + " ${COMPLETION-CANDIDATES} (default: what the folder's source.json names, else MEAN).")
    SentenceEmbeddings.Pooling embedPooling;

    @Option(names = "--seed", description = "Seed of --method random (default ${DEFAULT-VALUE}).")
    long seed = SelectConfig.DEFAULT_SEED;

    @Option(names = "--batch-size", description = "Samples per forward pass (default ${DEFAULT-VALUE}).")
    int batchSize = SelectConfig.DEFAULT_BATCH_SIZE;

    @Option(names = "--max-tokens", description = "Longer samples are cut to this many tokens (default ${DEFAULT-VALUE}).")
    int maxTokens = SelectConfig.DEFAULT_MAX_TOKENS;

    @Option(names = "--relevant", paramLabel = "FIELD=VALUE", description = "Pool lines whose FIELD is (or, for an array,"
            + " contains) VALUE are relevant: select.json reports the selection's precision and recall.")
    String relevant;

    @Option(names = "--vectors", paramLabel = "DIR", description = "Keep the pool's sample vectors in DIR, and read them"
            + " from there in later selections from the same pool, model, SAE, hook and pooling (any targets or"
            + " similarity).")
    Path vectors;

    @Option(names = "--resume", description = "Continue a stopped selection in --out (same flags).")
    boolean resume;

    @Mixin
    OutputFolderOptions output;

    @Mixin
    NonFiniteOption nonFinite;

    @Override
    public void run() {
        SelectConfig cfg = Flags.check(() -> SelectConfig.builder(pool, targets, method).model(model).sae(sae).hook(hook)
                .ratio(ratio).count(count).aggregate(aggregate).embedPooling(embedPooling).seed(seed).batchSize(batchSize)
                .maxTokens(maxTokens).relevant(relevant == null ? null : FieldCondition.parse(relevant)).vectors(vectors).build());
        Selection.Result r = Selection.run(cfg, output.out, output.overwrite, resume, nonFinite.policy(), true);
        out().printf(Locale.ROOT, "selected %,d of %,d samples by %s%s (%.0f samples/s): %s%n", r.selected(), r.poolSize(),
                r.method(), r.hook() == null ? "" : " at " + r.hook(), r.samplesPerSecond(),
                r.out().resolve(Selection.SELECTED));
        if (r.precision() != null) {
            out().printf(Locale.ROOT, "%s: precision %.3f, recall %s (%d relevant in the pool)%n", relevant, r.precision(),
                    r.recall() == null ? "n/a" : String.format(Locale.ROOT, "%.3f", r.recall()), r.relevantInPool());
        }
    }
}
