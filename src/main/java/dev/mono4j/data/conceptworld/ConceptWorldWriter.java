package dev.mono4j.data.conceptworld;

import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.tokenize.WordLevelTokenizer;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a ConceptWorld folder: {@code corpus.jsonl} (text and token labels), {@code train.txt} and
 * {@code valid.txt} (one story per line), {@code tokenizer.json}, {@code stats.json} (sizes and the exact
 * entropy floor), and {@code preferences/TASK/train.jsonl} + {@code eval_prompts.jsonl} per task.
 */
public final class ConceptWorldWriter {
    /** Preference pairs and held-out prompts per task. */
    public static final int PAIRS = 2000;
    public static final int EVAL_PROMPTS = 200;
    /** The entries a ConceptWorld folder holds. */
    public static final List<String> OUTPUTS = List.of("corpus.jsonl", "train.txt", "valid.txt", "tokenizer.json",
            "stats.json", "preferences");

    private ConceptWorldWriter() {
    }

    /** What was written, with the numbers people compare a model's loss against. */
    public record Summary(int trainDocs, int validDocs, long trainTokens, long validTokens, int vocabSize,
            double trainEntropyPerToken, double validEntropyPerToken) {
    }

    public static Summary write(ConceptWorldConfig cfg, Path dir) {
        ConceptWorldGenerator gen = new ConceptWorldGenerator(cfg);
        List<Document> docs = gen.generate();
        int valid = (int) Math.round(docs.size() * cfg.validShare());
        List<Document> validDocs = docs.subList(docs.size() - valid, docs.size());
        List<Document> trainDocs = docs.subList(0, docs.size() - valid);

        List<String> vocab = new ArrayList<>();
        for (Dialect d : gen.dialects()) {
            for (String w : Lexicon.allWords()) {
                if (!vocab.contains(d.form(w))) {
                    vocab.add(d.form(w));
                }
            }
        }
        WordLevelTokenizer.write(dir.resolve("tokenizer.json"), vocab);
        AtomicFiles.write(dir.resolve("corpus.jsonl"), out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            for (Document d : docs) {
                w.write(Json.line(Json.object("id", d.id(), "split", d.id() >= docs.size() - valid ? "valid" : "train",
                        "dialect", d.dialect(), "domain", d.domain(), "text", d.text(), "concepts", d.concepts(),
                        "sentiment", d.sentiment(), "hostility", d.hostility(), "nll", d.nll())));
                w.write('\n');
            }
            w.flush();
        });
        AtomicFiles.writeLines(dir.resolve("train.txt"), trainDocs.stream().map(Document::text).toList());
        AtomicFiles.writeLines(dir.resolve("valid.txt"), validDocs.stream().map(Document::text).toList());

        for (PreferenceSets.TaskData t : PreferenceSets.generate(cfg.seed(), PAIRS, EVAL_PROMPTS)) {
            Path taskDir = dir.resolve("preferences").resolve(t.task());
            AtomicFiles.writeLines(taskDir.resolve("train.jsonl"), t.train().stream()
                    .map(p -> Json.line(Json.object("prompt", p.prompt(), "chosen", p.chosen(), "rejected", p.rejected())))
                    .toList());
            AtomicFiles.writeLines(taskDir.resolve("eval_prompts.jsonl"), t.eval().stream()
                    .map(e -> Json.line(Json.object("task", e.task(), "prompt", e.prompt(), "meta", new TreeMap<>(e.meta()))))
                    .toList());
        }
        Summary s = new Summary(trainDocs.size(), validDocs.size(), tokens(trainDocs), tokens(validDocs),
                vocab.size() + WordLevelTokenizer.SPECIAL.size(), entropy(trainDocs), entropy(validDocs));
        Map<String, Object> stats = Json.object("config", cfg, "summary", s);
        stats.put("entropy_note", "nats per predicted token (every word and the end-of-sequence token, not BOS),"
                + " exact for this corpus: the mean loss of a model that knows the generator");
        stats.put("dialects", gen.dialects().stream().map(Dialect::name).toList());
        stats.put("domains", Lexicon.DOMAINS.stream().map(Lexicon.Domain::name).toList());
        stats.put("polysemous_nouns", Lexicon.polysemousNouns());
        AtomicFiles.writeString(dir.resolve("stats.json"), Json.write(stats));
        return s;
    }

    /** Predicted tokens: words plus end-of-sequence, per story. */
    private static long tokens(List<Document> docs) {
        return docs.stream().mapToLong(Document::predictedTokens).sum();
    }

    /** Mean −ln p per predicted token: the loss floor. */
    private static double entropy(List<Document> docs) {
        return docs.isEmpty() ? Double.NaN : docs.stream().mapToDouble(Document::nll).sum() / tokens(docs);
    }
}
