package dev.mono4j.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json}, run by DJL's binding of the Rust tokenizers library, so ids match
 * Python's tokenizers exactly. Special tokens are added as the tokenizer's post-processor says (BOS for
 * Llama-family tokenizers, nothing for GPT-2), and special-token text such as {@code <|endoftext|>} in the
 * input maps to its id.
 */
public final class Tokenizer implements AutoCloseable {
    /** Names used for a padding token, in order of preference, when tokenizer.json sets none. */
    private static final List<String> PAD_CANDIDATES =
            List.of("<pad>", "<|pad|>", "[PAD]", "<|endoftext|>", "</s>", "<|end_of_text|>", "<eos>");
    /** Names of end-of-sequence special tokens, in order of preference. */
    private static final List<String> EOS_NAMES = List.of("<eos>", "</s>", "<|endoftext|>", "<|end_of_text|>");
    /** Names of beginning-of-sequence special tokens, in order of preference. */
    private static final List<String> BOS_NAMES = List.of("<bos>", "<s>", "<|begin_of_text|>", "<|startoftext|>");

    private final HuggingFaceTokenizer hf;
    private final Path file;
    private final long padId;
    private final int vocabSize;
    private final Map<String, Long> specialTokens;

    private Tokenizer(HuggingFaceTokenizer hf, Path file, long padId, int vocabSize, Map<String, Long> specialTokens) {
        this.hf = hf;
        this.file = file;
        this.padId = padId;
        this.vocabSize = vocabSize;
        this.specialTokens = specialTokens;
    }

    /** Loads {@code tokenizer.json} from a file or a checkpoint folder. */
    public static Tokenizer load(Path fileOrDir) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("tokenizer.json") : fileOrDir;
        if (!Files.exists(file)) {
            throw new UserInputException(file + ": file not found (a tokenizer.json is needed)");
        }
        JsonNode json = Json.read(file);
        try {
            // No truncation or padding inside the Rust library: batches are padded by data.TokenBatch.
            HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file,
                    Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
            return new Tokenizer(hf, file, findPadId(json), vocabSize(json), specialTokens(json));
        } catch (IOException | RuntimeException e) {
            throw new UserInputException(file + ": cannot load tokenizer: " + e.getMessage());
        }
    }

    private static long findPadId(JsonNode json) {
        JsonNode padding = json.get("padding");
        if (padding != null && padding.has("pad_id")) {
            return padding.get("pad_id").asLong();
        }
        for (String name : PAD_CANDIDATES) {
            for (JsonNode t : json.path("added_tokens")) {
                if (name.equals(t.path("content").asText())) {
                    return t.get("id").asLong();
                }
            }
        }
        return 0;
    }

    /** One more than the largest id of the model's vocabulary (a map or a Unigram list) and the added tokens. */
    private static int vocabSize(JsonNode json) {
        JsonNode vocab = json.path("model").path("vocab");
        long max = vocab.isArray() ? vocab.size() - 1 : -1; // Unigram: a list of [piece, score], ids by position
        if (vocab.isObject()) {
            for (JsonNode id : vocab) {
                max = Math.max(max, id.asLong());
            }
        }
        for (JsonNode t : json.path("added_tokens")) {
            max = Math.max(max, t.path("id").asLong());
        }
        return Math.toIntExact(max + 1);
    }

    private static Map<String, Long> specialTokens(JsonNode json) {
        Map<String, Long> special = new java.util.LinkedHashMap<>();
        for (JsonNode t : json.path("added_tokens")) {
            if (t.path("special").asBoolean(false)) {
                special.put(t.path("content").asText(), t.path("id").asLong());
            }
        }
        return java.util.Collections.unmodifiableMap(special);
    }

    public Path file() {
        return file;
    }

    /** Id used to pad batches: tokenizer.json's padding id, else a pad/eos-like special token, else 0. */
    public long padId() {
        return padId;
    }

    /** Size of the id space a model needs for this tokenizer: every id it can produce is below it. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The end-of-sequence special token ({@code <eos>}, {@code </s>}, {@code <|endoftext|>}, ...), if any. */
    public java.util.OptionalLong eosId() {
        return firstSpecial(EOS_NAMES);
    }

    /** The beginning-of-sequence special token ({@code <bos>}, {@code <s>}, {@code <|begin_of_text|>}, ...), if any. */
    public java.util.OptionalLong bosId() {
        return firstSpecial(BOS_NAMES);
    }

    /** The unknown-word special token ({@code <unk>}, {@code [UNK]}), if any: word-level vocabularies have one. */
    public java.util.OptionalLong unkId() {
        return firstSpecial(List.of("<unk>", "[UNK]"));
    }

    private java.util.OptionalLong firstSpecial(List<String> names) {
        return names.stream().filter(specialTokens::containsKey).mapToLong(specialTokens::get).findFirst();
    }

    public long[] encode(String text) {
        return hf.encode(text).getIds();
    }

    /**
     * A text's token ids and, per token, the character offset where it starts in the text, or -1 for
     * special tokens (BOS, EOS) that stand for no text.
     */
    public record Encoded(long[] ids, int[] charStarts) {
        /** Whether token i is a special token (BOS, EOS, ...) rather than a piece of the text. */
        public boolean special(int i) {
            return charStarts[i] < 0;
        }
    }

    /** Encodes a text and keeps where each token starts, so labels on words can be carried to tokens. */
    public Encoded encodeWithOffsets(String text) {
        Encoding e = hf.encode(text);
        long[] ids = e.getIds();
        long[] special = e.getSpecialTokenMask();
        ai.djl.huggingface.tokenizers.jni.CharSpan[] spans = e.getCharTokenSpans();
        int[] starts = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            starts[i] = special[i] != 0 || spans[i] == null ? -1 : spans[i].getStart();
        }
        return new Encoded(ids, starts);
    }

    /** Encodes each text in one call into the library (padding is {@code data.TokenBatch}'s concern). */
    public List<long[]> encodeAll(List<String> texts) {
        List<long[]> seqs = new ArrayList<>();
        for (Encoding e : hf.batchEncode(texts)) {
            seqs.add(e.getIds());
        }
        return seqs;
    }

    /** Decodes ids to text, special tokens included. */
    public String decode(long[] ids) {
        return hf.decode(ids, false);
    }

    /**
     * The text that {@code continuation} adds after {@code prompt}: decoded together and the prompt's own
     * decoding cut off. Decoding the new ids alone would lose the leading space under SentencePiece-style
     * decoders that strip it ("The cat" + "▁sat" would print "The catsat").
     */
    public String decodeContinuation(long[] prompt, long[] continuation) {
        long[] all = java.util.Arrays.copyOf(prompt, prompt.length + continuation.length);
        System.arraycopy(continuation, 0, all, prompt.length, continuation.length);
        String full = decode(all);
        String head = decode(prompt);
        return full.startsWith(head) ? full.substring(head.length()) : decode(continuation);
    }

    @Override
    public void close() {
        hf.close();
    }
}
