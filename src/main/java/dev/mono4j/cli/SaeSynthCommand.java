package dev.mono4j.cli;

import dev.mono4j.sae.SyntheticConfig;
import dev.mono4j.sae.SyntheticSuperposition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mono4j sae synth --out DIR}: the ground truth of a synthetic superposition model (docs/sae.md). */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write known feature directions and frequencies for SAE training on synthetic data X = H V.")
final class SaeSynthCommand extends CliCommand {
    @Mixin
    OutputFolderOptions output;

    @Option(names = "--n", description = "Number of features (default ${DEFAULT-VALUE}).")
    int n = SyntheticConfig.DEFAULT.n();

    @Option(names = "--d", description = "Width of a data row (default ${DEFAULT-VALUE}).")
    int d = SyntheticConfig.DEFAULT.d();

    @Option(names = "--sparsity", description = "Features per row: S, LOW-HIGH (uniform) or S:SHARE,S:SHARE,..."
            + " (default ${DEFAULT-VALUE}).")
    String sparsity = SyntheticConfig.DEFAULT.sparsity().toString();

    @Option(names = "--frequencies", description = "Feature frequencies: uniform or zipf:EXPONENT (default ${DEFAULT-VALUE}).")
    String frequencies = SyntheticConfig.DEFAULT.frequencies().toString();

    @Option(names = "--magnitudes", description = "Non-zero coefficients: uniform:LOW,HIGH or const:C (default ${DEFAULT-VALUE}).")
    String magnitudes = SyntheticConfig.DEFAULT.magnitudes().toString();

    @Option(names = "--noise", description = "σ of Gaussian noise on every coordinate (default ${DEFAULT-VALUE}).")
    double noise = SyntheticConfig.DEFAULT.noise();

    @Option(names = "--seed", description = "Draws the feature directions (default ${DEFAULT-VALUE}).")
    long seed = SyntheticConfig.DEFAULT.seed();

    @Override
    public void run() {
        SyntheticConfig cfg = Flags.check(() -> new SyntheticConfig(n, d, SyntheticConfig.Sparsity.parse(sparsity),
                SyntheticConfig.Frequencies.parse(frequencies), SyntheticConfig.Magnitudes.parse(magnitudes), noise, seed));
        output.prepare(SyntheticSuperposition.OUTPUTS);
        SyntheticSuperposition model = new SyntheticSuperposition(cfg);
        model.save(output.out);
        float[] f = model.frequencies();
        float min = f[0];
        float max = f[0];
        for (float x : f) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        out().printf("wrote %s: %,d features in %,d dimensions, s %s (mean %.2f a row),"
                + " feature frequencies %s (%.4g to %.4g), magnitudes %s, noise %s, seed %d%n", output.out, cfg.n(), cfg.d(),
                cfg.sparsity(), cfg.sparsity().mean(), cfg.frequencies(), min, max, cfg.magnitudes(), cfg.noise(), cfg.seed());
    }
}
