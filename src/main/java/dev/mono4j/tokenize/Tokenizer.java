package dev.mono4j.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
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

    private final HuggingFaceTokenizer hf;
    private final Path file;
    private final long padId;

    private Tokenizer(HuggingFaceTokenizer hf, Path file, long padId) {
        this.hf = hf;
        this.file = file;
        this.padId = padId;
    }

    /** Loads {@code tokenizer.json} from a file or a checkpoint folder. */
    public static Tokenizer load(Path fileOrDir) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("tokenizer.json") : fileOrDir;
        if (!Files.exists(file)) {
            throw new UserInputException(file + ": file not found (a tokenizer.json is needed)");
        }
        JsonNode json = Json.read(file);
        try {
            // No truncation or padding inside the Rust library: batches are padded by TokenBatch.
            HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file,
                    Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
            return new Tokenizer(hf, file, findPadId(json));
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

    public Path file() {
        return file;
    }

    /** Id used to pad batches: tokenizer.json's padding id, else a pad/eos-like special token, else 0. */
    public long padId() {
        return padId;
    }

    public long[] encode(String text) {
        return hf.encode(text).getIds();
    }

    /** Encodes each text and pads them to one length on the given side. */
    public TokenBatch encodeBatch(List<String> texts, TokenBatch.PadSide side) {
        List<long[]> seqs = new ArrayList<>();
        for (Encoding e : hf.batchEncode(texts)) {
            seqs.add(e.getIds());
        }
        return TokenBatch.pad(seqs, padId, side);
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
