package dev.mono4j.cli;

import dev.mono4j.UserInputException;
import dev.mono4j.lens.LensOutput;
import dev.mono4j.lens.LogitAttribution;
import dev.mono4j.lens.LogitDiff;
import dev.mono4j.lens.LogitLens;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j lens}: the logit lens over a text, and direct logit attribution when an answer pair is given. */
@Command(name = "lens", mixinStandardHelpOptions = true, description = "Logit lens (each layer's top tokens) and, with"
        + " --answer/--wrong, direct logit attribution at the last position; writes lens.json and report.html.")
final class LensCommand extends CliCommand {
    @Mixin
    CheckpointFolder checkpoint;

    @Option(names = "--text", required = true, description = "The text to read.")
    String text;

    @Option(names = "--top-k", defaultValue = "" + LogitLens.DEFAULT_TOP_K,
            description = "Most likely tokens per layer and position (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--target", description = "Token whose rank is followed through the layers (" + TokenOption.HELP
            + "; default: each position's final prediction).")
    String target;

    @Option(names = "--answer", description = "Direct logit attribution to logit(answer) − logit(wrong): "
            + TokenOption.HELP + ".")
    String answer;

    @Option(names = "--wrong", description = "The wrong answer of --answer (" + TokenOption.HELP + ").")
    String wrong;

    @Mixin
    OutputFolderOptions output;

    @Mixin
    NonFiniteOption nonFinite;

    @Override
    public void run() {
        if ((answer == null) != (wrong == null)) {
            throw new UserInputException("--answer and --wrong go together; give both or neither");
        }
        output.check(List.of(LensOutput.LENS_FILE, LensOutput.REPORT_FILE));
        try (Tokenizer tok = Tokenizer.load(checkpoint.dir)) {
            long[] ids = tok.encode(text);
            if (ids.length == 0) {
                throw new UserInputException("--text encodes to no tokens; give some text");
            }
            LogitLens.Config cfg = Flags.check(() -> LogitLens.Config.builder().topK(topK)
                    .target(target == null ? null : TokenOption.resolve(tok, "--target", target)).build());
            LogitDiff diff = answer == null ? null : Flags.check(() -> new LogitDiff(
                    TokenOption.resolve(tok, "--answer", answer), TokenOption.resolve(tok, "--wrong", wrong)));
            try (TransformerLM model = Checkpoint.loadCausal(checkpoint.dir, "the logit lens", nonFinite.policy())) {
                LogitLens.Result lens = LogitLens.run(model, ids, cfg);
                LogitAttribution.Result dla = diff == null ? null : LogitAttribution.run(model, ids, diff);
                output.prepare(List.of(LensOutput.LENS_FILE, LensOutput.REPORT_FILE));
                LensOutput.writeLens(output.out, checkpoint.dir.toString(), lens, dla, tok);
                var o = out();
                LogitLens.Layer last = lens.layers().get(lens.layers().size() - 1);
                o.printf("%d layers × %d positions; last position predicts %s%n", lens.layers().size(), ids.length,
                        tok.decode(new long[] {last.positions().get(ids.length - 1).top().get(0).id()}));
                if (dla != null) {
                    o.printf("logit difference %.4f = Σ components %.4f + norm bias %.4f%n", dla.logitDiff(),
                            dla.total() - dla.normBias(), dla.normBias());
                }
                o.println("report: " + output.out.resolve(LensOutput.REPORT_FILE));
            }
        }
    }
}
