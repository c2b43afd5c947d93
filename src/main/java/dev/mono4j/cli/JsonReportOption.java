package dev.mono4j.cli;

import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --json FILE} of a command that prints a table: the same results as JSON, for scripts and docs. */
final class JsonReportOption {
    @Option(names = "--json", description = "Also write the results to this JSON file.")
    Path json;

    /** Writes {@code report} to {@code --json}, if given. */
    void write(Map<String, Object> report) {
        if (json != null) {
            AtomicFiles.writeString(json, Json.write(report));
        }
    }
}
