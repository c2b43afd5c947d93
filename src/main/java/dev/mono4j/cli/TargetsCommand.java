package dev.mono4j.cli;

import dev.mono4j.data.FieldCondition;
import dev.mono4j.data.TargetSplit;
import dev.mono4j.data.TargetSplitConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j data targets}: a labelled JSONL file split into target examples, a pool and held-out texts. */
@Command(name = "targets", mixinStandardHelpOptions = true, description = "Split a labelled JSONL file for data"
        + " selection: targets.jsonl (--count lines drawn among those meeting every --where), pool.jsonl (every other"
        + " line), heldout.txt (held-out texts) and targets.json (settings and counts).")
final class TargetsCommand extends CliCommand {
    private static final TargetSplitConfig D = TargetSplitConfig.DEFAULT;

    @Mixin
    OutputFolderOptions output;

    @Option(names = "--data", required = true, description = "The JSONL file: one object per line with a \"text\".")
    Path data;

    @Option(names = "--where", required = true, paramLabel = "FIELD=VALUE", description = "A condition targets meet:"
            + " the field equals VALUE (string or number) or is an array holding it; repeat for several (all must hold).")
    List<String> where = new ArrayList<>();

    @Option(names = "--count", description = "Target lines drawn (default ${DEFAULT-VALUE}).")
    int count = D.count();

    @Option(names = "--seed", description = "Seed of the draw (default ${DEFAULT-VALUE}).")
    long seed = D.seed();

    @Option(names = "--split-field", description = "The field naming a line's split, if the data has one"
            + " (default ${DEFAULT-VALUE}).")
    String splitField = D.splitField();

    @Option(names = "--pool-split", description = "With a split field: targets and pool come from this split"
            + " (default ${DEFAULT-VALUE}).")
    String poolSplit = D.poolSplit();

    @Option(names = "--heldout-split", description = "With a split field: its matching lines' texts go to heldout.txt"
            + " (default ${DEFAULT-VALUE}).")
    String heldoutSplit = D.heldoutSplit();

    @Option(names = "--heldout", description = "Without a split field: this many more matching lines are held out"
            + " into heldout.txt, not the pool (default ${DEFAULT-VALUE}: no heldout.txt).")
    int heldout = D.heldout();

    @Override
    public void run() {
        TargetSplitConfig cfg = Flags.check(() -> TargetSplitConfig.builder()
                .where(where.stream().map(FieldCondition::parse).toList()).count(count).seed(seed)
                .splitField(splitField).poolSplit(poolSplit).heldoutSplit(heldoutSplit).heldout(heldout).build());
        output.check(TargetSplit.OUTPUTS);
        TargetSplit split = TargetSplit.plan(data, cfg);
        output.prepare(TargetSplit.OUTPUTS);
        TargetSplit.Counts c = split.write(output.out);
        out().printf("wrote %s: %,d targets, pool of %,d lines (%,d of them matching)%s%n", output.out, c.targets(),
                c.pool(), c.poolMatching(), split.writesHeldout() ? String.format(", %,d held-out texts", c.heldout()) : "");
    }
}
