package dev.mono4j.cli;

import dev.mono4j.io.Json;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints token ids of texts, one JSON array per text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Print the token ids of a text as a JSON array (one line per --text).")
final class TokenizeCommand extends CliCommand {
    @Parameters(paramLabel = "TOKENIZER", description = "Checkpoint folder or tokenizer.json.")
    Path path;

    @Option(names = "--text", required = true, description = "Text to encode; repeat for several.")
    List<String> texts;

    @Option(names = "--decode", description = "Also print each text decoded back from its ids.")
    boolean decode;

    @Override
    public void run() {
        try (Tokenizer tok = Tokenizer.load(path)) {
            for (String t : texts) {
                long[] ids = tok.encode(t);
                out().println(Json.MAPPER.copy()
                        .disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                        .valueToTree(ids).toString());
                if (decode) {
                    out().println(Json.write(tok.decode(ids)));
                }
            }
        }
    }
}
