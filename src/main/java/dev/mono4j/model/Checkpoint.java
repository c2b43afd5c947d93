package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Dtype;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.io.ShardedSafetensors;
import dev.mono4j.io.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face checkpoint folders: {@code config.json} + safetensors (single or sharded) (+ tokenizer.json).
 * Loading checks that every expected tensor exists with the expected shape before reading any data,
 * widens F16/BF16 to F32 in Java, and refuses NaN or ±Inf weights unless asked not to ({@link NonFinite}).
 */
public final class Checkpoint {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Checkpoint.class);
    /** Tensors are read in row chunks of at most this many elements, through one reused buffer. */
    private static final int CHUNK_ELEMENTS = 1 << 26;

    private Checkpoint() {
    }

    /** What a checkpoint folder holds, read from headers only (no tensor data). */
    public record Contents(ModelConfig config, Map<String, String> fileKeys, List<String> unused,
            Map<Dtype, Long> elementsByDtype) {
    }

    /** Reads config.json and validates the tensors' names and shapes against it. */
    public static Contents inspect(Path dir) {
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        try (ShardedSafetensors st = ShardedSafetensors.open(dir)) {
            return validate(config, st, dir);
        }
    }

    /** The model a checkpoint folder holds: a {@link TransformerLM} or a {@link TransformerEncoder}, by its family. */
    public static Transformer load(Path dir) {
        return load(dir, NonFinite.REFUSE);
    }

    /**
     * As {@link #load(Path)}; {@code nonFinite} says whether a NaN or ±Inf weight is refused (one line naming the
     * file, the tensor, how many and the first) or loaded. The check scans each chunk as it is read.
     */
    public static Transformer load(Path dir, NonFinite nonFinite) {
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        try (ShardedSafetensors st = ShardedSafetensors.open(dir)) {
            Contents contents = validate(config, st, dir);
            rejectUnusedBlockTensors(dir, contents);
            if (!contents.unused().isEmpty()) {
                LOG.warn("{}: {} tensor(s) not used by {}: {}", dir, contents.unused().size(), config.family().hfArchitecture(),
                        String.join(", ", contents.unused()));
            }
            NDManager manager = NDManager.newBaseManager();
            try {
                Map<String, NDArray> params = new LinkedHashMap<>();
                ByteBuffer scratch = null;
                for (Map.Entry<String, String> e : contents.fileKeys().entrySet()) {
                    TensorInfo info = st.info(e.getValue());
                    long rowElems = info.shape().length == 0 ? 1 : info.numel() / Math.max(1, info.shape()[0]);
                    int chunkRows = (int) Math.max(1, Math.min(info.shape().length == 0 ? 1 : info.shape()[0],
                            CHUNK_ELEMENTS / Math.max(1, rowElems)));
                    int need = (int) (chunkRows * rowElems * 4);
                    if (scratch == null || scratch.capacity() < need) {
                        scratch = ByteBuffer.allocateDirect(need).order(ByteOrder.LITTLE_ENDIAN); // = native on x86/ARM
                    }
                    NonFinite.Tally tally = nonFinite.tally();
                    params.put(e.getKey(), read(st, info, manager, scratch, chunkRows, rowElems, tally));
                    nonFinite.check(tally, st.reader(info.name()).path() + ": tensor '" + info.name() + "'");
                }
                return config.family().newModel(config, manager, params);
            } catch (RuntimeException ex) {
                manager.close();
                throw ex;
            }
        }
    }

    /**
     * As {@link #load}, for work that needs next-token logits ({@code purpose}: "generation", "alignment", ...):
     * an encoder is refused, naming its config.json, before any weight is read.
     */
    public static TransformerLM loadCausal(Path dir, String purpose) {
        return loadCausal(dir, purpose, NonFinite.REFUSE);
    }

    /** As {@link #loadCausal(Path, String)}, with {@link #load(Path, NonFinite)}'s choice for non-finite weights. */
    public static TransformerLM loadCausal(Path dir, String purpose, NonFinite nonFinite) {
        Path file = dir.resolve("config.json");
        ModelFamily family = ModelConfig.read(file).family();
        if (!(family instanceof DecoderFamily)) {
            throw new UserInputException(file + ": " + family.hfArchitecture() + " is an encoder without an LM head; "
                    + purpose + " needs a causal language model");
        }
        return (TransformerLM) load(dir, nonFinite);
    }

    /**
     * As {@link #load}, for work on an encoder's hidden states ({@code purpose}: "embed", ...): a causal language
     * model is refused, naming its config.json, before any weight is read.
     */
    public static TransformerEncoder loadEncoder(Path dir, String purpose) {
        return loadEncoder(dir, purpose, NonFinite.REFUSE);
    }

    /** As {@link #loadEncoder(Path, String)}, with {@link #load(Path, NonFinite)}'s choice for non-finite weights. */
    public static TransformerEncoder loadEncoder(Path dir, String purpose, NonFinite nonFinite) {
        Path file = dir.resolve("config.json");
        ModelFamily family = ModelConfig.read(file).family();
        if (!(family instanceof EncoderFamily)) {
            throw new UserInputException(file + ": " + family.hfArchitecture() + " is a causal language model; "
                    + purpose + " needs an encoder (" + String.join(", ", FamilyRegistry.known().stream()
                    .filter(f -> f instanceof EncoderFamily).map(ModelFamily::hfArchitecture).toList()) + ")");
        }
        return (TransformerEncoder) load(dir, nonFinite);
    }

    /**
     * The tokens that end generation by default: config.json's eos ids and those of generation_config.json
     * (which HF's generate() uses, and which instruct models often extend, e.g. with an end-of-turn token).
     */
    public static java.util.Set<Long> defaultStopTokens(Path dir, ModelConfig config) {
        java.util.Set<Long> stops = new java.util.LinkedHashSet<>(config.eosTokenIds());
        Path gen = dir.resolve("generation_config.json");
        if (Files.exists(gen)) {
            com.fasterxml.jackson.databind.JsonNode eos = Json.read(gen).path("eos_token_id");
            if (eos.isArray()) {
                eos.forEach(x -> stops.add(x.asLong()));
            } else if (eos.canConvertToLong()) {
                stops.add(eos.asLong());
            }
        }
        return stops;
    }

    /**
     * A tensor inside the blocks that the config does not account for (an o_proj bias, say) means the
     * config and the weights disagree; loading would silently compute something else, so it is an error.
     */
    private static void rejectUnusedBlockTensors(Path dir, Contents contents) {
        ModelFamily family = contents.config().family();
        List<String> blocks = family.fileKeys(family.blocksPrefix());
        for (String k : contents.unused()) {
            if (blocks.stream().anyMatch(k::startsWith)) {
                throw new UserInputException(dir + ": tensor '" + k + "' is not used by " + family.hfArchitecture()
                        + " as config.json describes it; do they match?");
            }
        }
    }

    /** Copies a tensor into an F32 NDArray, chunk by chunk along its first axis, counting into {@code tally} (or null). */
    private static NDArray read(ShardedSafetensors st, TensorInfo info, NDManager manager, ByteBuffer scratch,
            int chunkRows, long rowElems, NonFinite.Tally tally) {
        long rows = info.shape().length == 0 ? 1 : info.shape()[0];
        NDList parts = new NDList();
        for (long r = 0; r < rows; r += chunkRows) {
            int n = (int) Math.min(chunkRows, rows - r);
            scratch.clear();
            st.reader(info.name()).readF32(info.name(), r * rowElems, (int) (n * rowElems), scratch);
            scratch.flip();
            if (tally != null) {
                tally.add(scratch.asFloatBuffer());
            }
            long[] shape = info.shape().length == 0 ? new long[0] : info.shape().clone();
            if (shape.length > 0) {
                shape[0] = n;
            }
            // DJL wraps a direct buffer without copying (torch::from_blob), so the wrapper is cloned into
            // memory torch owns before the scratch buffer is reused for the next chunk.
            try (NDArray view = manager.create(scratch, new Shape(shape), DataType.FLOAT32)) {
                parts.add(view.duplicate());
            }
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        NDArray whole = NDArrays.concat(parts, 0);
        parts.close();
        return whole;
    }

    private static Contents validate(ModelConfig config, ShardedSafetensors st, Path dir) {
        Map<String, String> fileKeys = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : ParameterLayout.expected(config).entrySet()) {
            String found = null;
            for (String k : config.family().fileKeys(e.getKey())) {
                if (st.has(k)) {
                    found = k;
                    break;
                }
            }
            if (found == null) {
                throw new UserInputException(dir + ": missing tensor '" + e.getKey() + "' (expected shape "
                        + Arrays.toString(e.getValue()) + " for " + config.family().hfArchitecture() + ")");
            }
            TensorInfo info = st.info(found);
            if (!Arrays.equals(info.shape(), e.getValue())) {
                throw new UserInputException(st.reader(found).path() + ": tensor '" + found + "' has shape "
                        + info.shapeString() + " but config.json implies " + Arrays.toString(e.getValue()));
            }
            if (!info.dtype().isFloat()) {
                throw new UserInputException(st.reader(found).path() + ": tensor '" + found + "' is " + info.dtype()
                        + ", expected a float dtype");
            }
            fileKeys.put(e.getKey(), found);
        }
        List<String> unused = new ArrayList<>();
        Map<Dtype, Long> byDtype = new LinkedHashMap<>();
        for (String k : st.tensors().keySet()) {
            TensorInfo info = st.info(k);
            byDtype.merge(info.dtype(), info.numel(), Long::sum);
            if (!fileKeys.containsValue(k) && !config.family().isIgnorable(config, k)) {
                unused.add(k);
            }
        }
        return new Contents(config, fileKeys, unused, byDtype);
    }


    /** Writes further files into a checkpoint's temp folder, so they are renamed into place with it. */
    @FunctionalInterface
    public interface Extras {
        void writeTo(Path folder) throws IOException;
    }

    /**
     * Saves an HF folder (config.json, model.safetensors in F32, tokenizer.json when given) that mono4j
     * and Hugging Face load back. Written to a temp folder beside {@code dir} and renamed into place.
     * Refused: a file at {@code dir}; a non-empty folder unless {@code overwrite}; and, even with
     * {@code overwrite}, a non-empty folder without config.json (it is not a checkpoint we would replace).
     */
    public static void save(Transformer model, Path dir, Path tokenizerJson, boolean overwrite) {
        save(model, dir, tokenizerJson, overwrite, folder -> { });
    }

    /** As {@link #save(Transformer, Path, Path, boolean)}, with {@code extras} (e.g. optimizer state) in the folder. */
    public static void save(Transformer model, Path dir, Path tokenizerJson, boolean overwrite, Extras extras) {
        if (tokenizerJson != null && !Files.isRegularFile(tokenizerJson)) {
            throw new UserInputException(tokenizerJson + ": file not found (tokenizer to save with the checkpoint)");
        }
        AtomicFiles.writeFolder(dir, overwrite, "config.json", "checkpoint", tmp -> {
            AtomicFiles.writeString(tmp.resolve("config.json"), Json.write(model.config().toHfJson()));
            SafetensorsWriter w = new SafetensorsWriter().metadata("producer", "mono4j");
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                w.add(e.getKey(), Dtype.F32, e.getValue().getShape().getShape(), e.getValue().getShape().size() * 4,
                        out -> writeF32(e.getValue(), out));
            }
            w.write(tmp.resolve("model.safetensors"));
            if (tokenizerJson != null) {
                Files.copy(tokenizerJson, tmp.resolve("tokenizer.json"));
            }
            extras.writeTo(tmp);
        });
    }

    /** Writes an F32 array in row chunks, so no copy larger than {@link #CHUNK_ELEMENTS} floats is made. */
    private static void writeF32(NDArray p, java.nio.channels.WritableByteChannel out) throws IOException {
        Shape shape = p.getShape();
        long rows = shape.dimension() == 0 ? 1 : shape.get(0);
        long rowElems = shape.dimension() == 0 ? 1 : shape.size() / Math.max(1, rows);
        long chunkRows = Math.max(1, CHUNK_ELEMENTS / Math.max(1, rowElems));
        for (long r = 0; r < rows; r += chunkRows) {
            try (NDManager tmp = p.getManager().newSubManager()) {
                NDArray part = rows <= chunkRows ? p : p.get(new NDIndex(r + ":" + Math.min(rows, r + chunkRows)));
                if (part != p) {
                    part.attach(tmp); // a slice of a weight belongs to the model's manager unless moved
                }
                ByteBuffer b = part.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
        }
    }
}
