package dev.mono4j.align;

import dev.mono4j.UserInputException;
import dev.mono4j.data.PreferencePairs;
import dev.mono4j.data.PreferencePairs.Pair;
import dev.mono4j.data.PreferencePairs.Prompt;
import dev.mono4j.data.conceptworld.ConceptWorldWriter;
import dev.mono4j.data.conceptworld.PreferenceSets;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The pairs of an alignment run, split into training and held-out pairs, and the prompts whose
 * continuations evaluation judges. The split goes by a hash of the prompt, so it does not depend on the
 * seed (every seed and method sees the same split) and one prompt never lies on both sides.
 *
 * @param source   where the pairs came from ("prefs.jsonl", "task toxicity (seed 0)"), for messages
 * @param checksum CRC-32 of every pair's text, so a resumed run can refuse data that changed
 */
public record AlignData(String source, List<Pair> train, List<Pair> eval, List<Prompt> prompts, long checksum) {

    /**
     * Where pairs come from, so a resumed run finds them again: a TRL JSONL file (and optionally a prompts
     * file), or a ConceptWorld task and its data seed. Paths are stored absolute.
     */
    public record Source(String pairs, String prompts, String task, long dataSeed) {
        public static Source file(Path pairs, Path prompts) {
            return new Source(pairs.toAbsolutePath().toString(), prompts == null ? null : prompts.toAbsolutePath().toString(),
                    null, 0);
        }

        public static Source task(String task, long dataSeed) {
            return new Source(null, null, task, dataSeed);
        }

        public AlignData load(double evalShare) {
            return task != null ? fromTask(task, dataSeed, evalShare)
                    : fromFile(Path.of(pairs), prompts == null ? null : Path.of(prompts), evalShare);
        }
    }

    /** Pairs from a TRL JSONL file; prompts from {@code promptsFile}, or else the held-out pairs' prompts (no judge). */
    public static AlignData fromFile(Path pairsFile, Path promptsFile, double evalShare) {
        List<Pair> pairs = PreferencePairs.read(pairsFile);
        List<Pair>[] split = split(pairs, evalShare, pairsFile.toString());
        List<Prompt> prompts = promptsFile != null ? PreferencePairs.readPrompts(promptsFile)
                : split[1].stream().map(p -> new Prompt(p.source(), null, p.prompt(), java.util.Map.of())).toList();
        return new AlignData(pairsFile.toString(), split[0], split[1], prompts, checksum(pairs));
    }

    /**
     * A ConceptWorld task's pairs and judged held-out prompts, generated as {@code data conceptworld --seed
     * dataSeed} writes them into {@code preferences/TASK/}.
     */
    public static AlignData fromTask(String task, long dataSeed, double evalShare) {
        if (!PreferenceSets.TASKS.contains(task)) {
            throw new UserInputException("unknown task '" + task + "' (known: " + String.join(", ", PreferenceSets.TASKS) + ")");
        }
        PreferenceSets.TaskData data = PreferenceSets.generate(dataSeed, ConceptWorldWriter.PAIRS, ConceptWorldWriter.EVAL_PROMPTS)
                .stream().filter(t -> t.task().equals(task)).findFirst().orElseThrow();
        String source = "task " + task + " (data seed " + dataSeed + ")";
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < data.train().size(); i++) {
            PreferenceSets.Pair p = data.train().get(i);
            pairs.add(new Pair(source + " pair " + (i + 1), p.prompt(), p.chosen(), p.rejected()));
        }
        List<Prompt> prompts = new ArrayList<>();
        for (int i = 0; i < data.eval().size(); i++) {
            PreferenceSets.EvalPrompt e = data.eval().get(i);
            prompts.add(new Prompt(source + " prompt " + (i + 1), task, e.prompt(), e.meta()));
        }
        List<Pair>[] split = split(pairs, evalShare, source);
        return new AlignData(source, split[0], split[1], List.copyOf(prompts), checksum(pairs));
    }

    /** Fails, naming the first pair, when the tokenizer maps words of the pairs to its unknown token. */
    public void checkVocabulary(Tokenizer tok) {
        if (tok.unkId().isEmpty()) {
            return;
        }
        long unk = tok.unkId().getAsLong();
        for (List<Pair> side : List.of(train, eval)) {
            for (Pair p : side) {
                for (String text : List.of(p.prompt(), p.chosen(), p.rejected())) {
                    for (long id : tok.encode(text)) {
                        if (id == unk) {
                            throw new UserInputException(p.source() + ": the model's tokenizer " + tok.file()
                                    + " does not know every word of \"" + text.trim() + "\" (ConceptWorld tasks need a model"
                                    + " pretrained on ConceptWorld)");
                        }
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Pair>[] split(List<Pair> pairs, double evalShare, String source) {
        List<Pair> train = new ArrayList<>();
        List<Pair> eval = new ArrayList<>();
        for (Pair p : pairs) {
            (heldOut(p.prompt(), evalShare) ? eval : train).add(p);
        }
        if (train.isEmpty() || eval.isEmpty()) {
            throw new UserInputException(source + ": " + pairs.size() + " pairs split into " + train.size() + " for training"
                    + " and " + eval.size() + " held out (--eval-share " + evalShare + "); both need at least one");
        }
        return new List[] {List.copyOf(train), List.copyOf(eval)};
    }

    /** A prompt's side: its CRC-32 scaled to [0, 1) against the share. */
    static boolean heldOut(String prompt, double evalShare) {
        CRC32 crc = new CRC32();
        crc.update(prompt.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() / (double) (1L << 32) < evalShare;
    }

    private static long checksum(List<Pair> pairs) {
        CRC32 crc = new CRC32();
        for (Pair p : pairs) {
            for (String s : List.of(p.prompt(), p.chosen(), p.rejected())) {
                crc.update(s.getBytes(StandardCharsets.UTF_8));
                crc.update(0);
            }
        }
        return crc.getValue();
    }
}
