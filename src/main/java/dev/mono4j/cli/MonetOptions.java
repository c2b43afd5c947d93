package dev.mono4j.cli;

import dev.mono4j.data.LabelledText;
import dev.mono4j.data.TextSource;
import dev.mono4j.data.conceptworld.StoryLabel;
import dev.mono4j.monet.ResectConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What {@code monet experts} and {@code monet resect} share: the Monet checkpoint, labelled texts, the rule, batching. */
final class MonetOptions {
    private static final ResectConfig D = ResectConfig.DEFAULT;

    @Mixin
    CheckpointFolder model;

    @Mixin
    TextOptions texts;

    @Option(names = "--labels", description = "One label per line for the texts of --data.")
    Path labels;

    @Option(names = "--by", description = "Label generated ConceptWorld stories by: ${COMPLETION-CANDIDATES} (default"
            + " ${DEFAULT-VALUE}).")
    StoryLabel by = StoryLabel.DOMAIN;

    @Option(names = "--ratio", description = "An expert belongs to a label at >= this times the runner-up's mean routing"
            + " (default ${DEFAULT-VALUE}, the paper's App. D.1).")
    double ratio = D.ratio();

    @Option(names = "--seed", description = "Seed of generated stories, random draws and sampled replies (default ${DEFAULT-VALUE}).")
    long seed = D.seed();

    @Option(names = "--batch-size", description = "Texts per forward pass (default ${DEFAULT-VALUE}).")
    int batchSize = D.batchSize();

    @Option(names = "--max-tokens", description = "Longer texts are cut to this many tokens (default ${DEFAULT-VALUE}).")
    int maxTokens = D.maxTokens();

    @Mixin
    NonFiniteOption nonFinite;

    /** Every text, read now (a bad line fails before any model runs). */
    List<LabelledText> read() {
        StoryLabel label = texts.data.equals("conceptworld") ? by : StoryLabel.NONE;
        TextSource source = TextOptions.open(texts.data, texts.samples, texts.dialects, seed, labels, label);
        List<LabelledText> all = new ArrayList<>();
        source.iterator().forEachRemaining(all::add);
        return all;
    }

    /** The shared fields of the config; a command adds its own. */
    ResectConfig.Builder config() {
        return ResectConfig.builder().ratio(ratio).seed(seed).batchSize(batchSize).maxTokens(maxTokens);
    }
}
