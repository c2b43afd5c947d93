package dev.mono4j.tokenize;

import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face {@code tokenizer.json} for a closed vocabulary of whitespace-separated words (a
 * WordLevel model), as synthetic corpora need. Ids: {@code <pad>} 0, {@code <bos>} 1, {@code <eos>} 2,
 * {@code <unk>} 3, then the words in the order given. Like Llama's tokenizers, encoding prepends {@code <bos>}.
 */
public final class WordLevelTokenizer {
    public static final String PAD = "<pad>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";
    public static final String UNK = "<unk>";
    public static final List<String> SPECIAL = List.of(PAD, BOS, EOS, UNK);

    private WordLevelTokenizer() {
    }

    public static void write(Path file, List<String> words) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String s : SPECIAL) {
            vocab.put(s, vocab.size());
        }
        for (String w : words) {
            if (w.isBlank() || w.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("a word-level token cannot hold whitespace: '" + w + "'");
            }
            vocab.putIfAbsent(w, vocab.size());
        }
        List<Object> added = new ArrayList<>();
        for (String s : SPECIAL) {
            added.add(Json.object("id", vocab.get(s), "content", s, "single_word", false, "lstrip", false, "rstrip", false,
                    "normalized", false, "special", true));
        }
        Map<String, Object> bosSeq = Json.object("SpecialToken", Json.object("id", BOS, "type_id", 0));
        Map<String, Object> tok = new LinkedHashMap<>();
        tok.put("version", "1.0");
        tok.put("truncation", null);
        tok.put("padding", null);
        tok.put("added_tokens", added);
        tok.put("normalizer", null);
        tok.put("pre_tokenizer", Json.object("type", "WhitespaceSplit"));
        tok.put("post_processor", Json.object("type", "TemplateProcessing",
                "single", List.of(bosSeq, Json.object("Sequence", Json.object("id", "A", "type_id", 0))),
                "pair", List.of(bosSeq, Json.object("Sequence", Json.object("id", "A", "type_id", 0)),
                        Json.object("Sequence", Json.object("id", "B", "type_id", 1))),
                "special_tokens", Json.object(BOS, Json.object("id", BOS, "ids", List.of(vocab.get(BOS)), "tokens", List.of(BOS)))));
        // Without a decoder, tokenizers joins tokens with single spaces: exactly the corpus's text format.
        tok.put("decoder", null);
        tok.put("model", Json.object("type", "WordLevel", "vocab", vocab, "unk_token", UNK));
        AtomicFiles.writeString(file, Json.write(tok));
    }
}
