package dev.mono4j.data.factorgraph;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import dev.mono4j.io.TextLines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The splits of a factor-graph folder: {@code SPLIT.txt} (one line per sample, {@link FactorGraphSample#line})
 * and {@code SPLIT.answers.jsonl} (line n's exact answer). TRAIN and VALID are drawn from the graph; OOD from the
 * graph with the roots' marginals re-drawn ({@link FactorGraph#withRedrawnRoots}).
 */
public enum FactorGraphSplit {
    TRAIN, VALID, OOD;

    public String textFile() {
        return name().toLowerCase(Locale.ROOT) + ".txt";
    }

    public String answersFile() {
        return name().toLowerCase(Locale.ROOT) + ".answers.jsonl";
    }

    /** The answers line of a sample, as {@link #read} reads it back. */
    static String answerLine(FactorGraphSample s) {
        return Json.line(Json.object("masked", s.masked(), "value", s.value(), "root", s.root(),
                "conditional", s.conditional(), "entropy", s.entropy(), "bayes_nll", s.bayesNll(), "blanket", s.blanket()));
    }

    /** The split's samples from folder {@code dir}; a malformed or mismatched line is one error naming file:line. */
    public List<FactorGraphSample> read(Path dir) {
        Path text = dir.resolve(textFile());
        Path answers = dir.resolve(answersFile());
        List<String> lines = new ArrayList<>();
        TextLines.forEach(text, (line, n) -> lines.add(line));
        List<FactorGraphSample> samples = new ArrayList<>();
        int count = TextLines.forEach(answers, (raw, n) -> {
            if (n > lines.size()) {
                throw new UserInputException(answers + ":" + n + ": more answers than " + text + " has lines (" + lines.size() + ")");
            }
            samples.add(parse(lines.get(n - 1), Json.parseLine(raw, answers + ":" + n), text + ":" + n));
        });
        if (count != lines.size()) {
            throw new UserInputException(answers + ": " + count + " answers for " + lines.size() + " lines of " + text);
        }
        return samples;
    }

    /** One line and its answer; {@code where} ("valid.txt:12") names it in errors. */
    static FactorGraphSample parse(String line, JsonNode answer, String where) {
        String[] tokens = line.strip().split(" +");
        int variables = tokens.length - 1;
        if (variables < 2) {
            throw new UserInputException(where + ": expected observed pairs, a query and an answer, got '" + line + "'");
        }
        int[] order = new int[variables - 1];
        int[] values = new int[variables];
        boolean[] seen = new boolean[variables];
        for (int t = 0; t < order.length; t++) {
            int[] pair = FactorGraphTokens.parsePair(tokens[t]);
            if (pair == null || pair[0] >= variables || seen[pair[0]]) {
                throw new UserInputException(where + ": token " + (t + 1) + " '" + tokens[t] + "' is not a new pair vI_K"
                        + " with I below " + variables);
            }
            seen[pair[0]] = true;
            order[t] = pair[0];
            values[pair[0]] = pair[1];
        }
        int masked = FactorGraphTokens.parseQuery(tokens[order.length]);
        int[] last = FactorGraphTokens.parsePair(tokens[variables]);
        if (masked < 0 || masked >= variables || seen[masked] || last == null || last[0] != masked) {
            throw new UserInputException(where + ": the line must end with the unobserved variable's query and its pair");
        }
        values[masked] = last[1];
        if (answer == null || !answer.path("masked").isInt() || answer.path("masked").asInt() != masked
                || answer.path("value").asInt(-1) != last[1] || !answer.path("conditional").isArray()
                || !answer.path("blanket").isArray() || !answer.path("root").isBoolean()) {
            throw new UserInputException(where + ": its answer does not match it (masked v" + masked + " = " + last[1]
                    + "; need masked, value, root, conditional and blanket)");
        }
        double[] conditional = new double[answer.get("conditional").size()];
        Arrays.setAll(conditional, i -> answer.get("conditional").get(i).asDouble());
        int[] blanket = new int[answer.get("blanket").size()];
        Arrays.setAll(blanket, i -> answer.get("blanket").get(i).asInt());
        if (last[1] >= conditional.length) {
            throw new UserInputException(where + ": value " + last[1] + " outside the answer's " + conditional.length + " values");
        }
        return new FactorGraphSample(order, values, masked, conditional, blanket, answer.get("root").asBoolean());
    }
}
