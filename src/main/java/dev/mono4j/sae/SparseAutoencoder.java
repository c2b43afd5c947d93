package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.io.NonFinite;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.io.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A trained SAE as SAELens stores and runs it: {@code cfg.json} and {@code sae_weights.safetensors} with
 * {@code W_enc [d_in, d_sae]}, {@code W_dec [d_sae, d_in]}, {@code b_enc [d_sae]}, {@code b_dec [d_in]} and,
 * for JumpReLU, {@code threshold [d_sae]}. Encoding is SAELens': f = act((x − b_dec) W_enc + b_enc) with
 * act = ReLU ("standard"), ReLU of the k largest ("topk") or z·H(z − θ) ("jumprelu"); decoding is
 * x̂ = f W_dec + b_dec.
 */
public final class SparseAutoencoder implements AutoCloseable {
    public static final String CONFIG = "cfg.json";
    public static final String WEIGHTS = "sae_weights.safetensors";

    /** SAELens' architecture names of the SAEs we run. */
    public enum Kind {
        STANDARD, TOPK, JUMPRELU;

        public String saeLensName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Kind kind;
    private final int dIn;
    private final int dSae;
    private final int k;
    private final NDManager manager;
    private final NDArray wEnc;
    private final NDArray wDec;
    private final NDArray bEnc;
    private final NDArray bDec;
    private final NDArray threshold;
    private final ObjectNode config;

    /**
     * An SAE from its weights (copied into a new manager under {@code parent}). {@code config} is the cfg.json
     * object to save with it (architecture and sizes are set here); {@code threshold} only for JumpReLU, k only
     * for TopK.
     */
    public SparseAutoencoder(Kind kind, int k, float[] wEnc, float[] wDec, float[] bEnc, float[] bDec, float[] threshold,
            int dIn, int dSae, ObjectNode config, NDManager parent) {
        if ((kind == Kind.JUMPRELU) != (threshold != null)) {
            throw new IllegalArgumentException("a threshold goes with JumpReLU, and only with it");
        }
        this.kind = kind;
        this.dIn = dIn;
        this.dSae = dSae;
        this.k = kind == Kind.TOPK ? k : 0;
        this.manager = parent.newSubManager();
        this.wEnc = manager.create(wEnc, new Shape(dIn, dSae));
        this.wDec = manager.create(wDec, new Shape(dSae, dIn));
        this.bEnc = manager.create(bEnc);
        this.bDec = manager.create(bDec);
        this.threshold = threshold == null ? null : manager.create(threshold);
        this.config = config.deepCopy();
        this.config.put("architecture", kind.saeLensName());
        this.config.put("d_in", dIn);
        this.config.put("d_sae", dSae);
        this.config.put("dtype", "float32");
        this.config.put("apply_b_dec_to_input", true);
        this.config.put("normalize_activations", "none");
        this.config.put("activation_fn_str", kind == Kind.TOPK ? "topk" : "relu");
        ObjectNode kwargs = this.config.putObject("activation_fn_kwargs");
        if (kind == Kind.TOPK) {
            kwargs.put("k", k);
            this.config.put("k", k);
        }
    }

    public Kind kind() {
        return kind;
    }

    public int dIn() {
        return dIn;
    }

    public int dSae() {
        return dSae;
    }

    public int k() {
        return k;
    }

    /** cfg.json as it will be saved (a copy). */
    public ObjectNode config() {
        return config.deepCopy();
    }

    /** The hook the SAE was trained on (cfg.json's hook_name), or null. */
    public String hookName() {
        JsonNode h = config.get("hook_name");
        return h == null || h.isNull() ? null : h.asText();
    }

    /** Latent activations {@code [rows, d_sae]} of inputs {@code [rows, d_in]}; the result belongs to x's manager. */
    public NDArray encode(NDArray x) {
        NDArray pre = x.sub(bDec).matMul(wEnc).add(bEnc);
        return switch (kind) {
            case STANDARD -> pre.maximum(0f);
            case JUMPRELU -> pre.mul(pre.gt(threshold));
            case TOPK -> {
                NDArray kth = pre.topK(k, 1, true, true).get(0).get(":, " + (k - 1) + ":" + k);
                yield pre.mul(pre.gte(kth)).maximum(0f);
            }
        };
    }

    public NDArray decode(NDArray f) {
        return f.matMul(wDec).add(bDec);
    }

    /** The decoder rows, one per latent ({@code d_sae × d_in}, row-major). */
    public float[] decoderRows() {
        return wDec.toFloatArray();
    }

    /** Writes the SAE as a SAELens folder, atomically; an existing SAE folder is replaced only with {@code overwrite}. */
    public void save(Path dir, boolean overwrite) {
        AtomicFiles.writeFolder(dir, overwrite, CONFIG, "SAE folder", tmp -> {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
            w.addF32("W_enc", new long[] {dIn, dSae}, wEnc.toFloatArray());
            w.addF32("W_dec", new long[] {dSae, dIn}, wDec.toFloatArray());
            w.addF32("b_enc", new long[] {dSae}, bEnc.toFloatArray());
            w.addF32("b_dec", new long[] {dIn}, bDec.toFloatArray());
            if (threshold != null) {
                w.addF32("threshold", new long[] {dSae}, threshold.toFloatArray());
            }
            w.write(tmp.resolve(WEIGHTS));
            Files.writeString(tmp.resolve(CONFIG), Json.write(config));
        });
    }

    /**
     * Loads a SAELens folder. Standard (ReLU), TopK and JumpReLU SAEs with b_dec subtracted from the input are
     * supported; weights of any float dtype are widened to F32. A NaN or ±Inf weight is refused.
     */
    public static SparseAutoencoder load(Path dir, NDManager parent) {
        return load(dir, parent, NonFinite.REFUSE);
    }

    /** As {@link #load(Path, NDManager)}; {@code nonFinite} says whether a NaN or ±Inf weight is refused or loaded. */
    public static SparseAutoencoder load(Path dir, NDManager parent, NonFinite nonFinite) {
        Path cfgFile = dir.resolve(CONFIG);
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(cfgFile)) {
            throw new UserInputException(dir + ": no " + CONFIG + "; not a SAELens SAE folder");
        }
        JsonNode cfg = Json.read(cfgFile);
        if (!cfg.isObject() || !cfg.path("d_in").canConvertToInt() || !cfg.path("d_sae").canConvertToInt()) {
            throw new UserInputException(cfgFile + ": needs integer d_in and d_sae");
        }
        int dIn = cfg.get("d_in").asInt();
        int dSae = cfg.get("d_sae").asInt();
        Kind kind = kind(cfg, cfgFile);
        int k = kind == Kind.TOPK ? topK(cfg, cfgFile) : 0;
        if (!cfg.path("apply_b_dec_to_input").asBoolean(true)) {
            throw new UserInputException(cfgFile + ": apply_b_dec_to_input false is not supported");
        }
        String norm = cfg.path("normalize_activations").asText("none");
        if (!norm.equals("none") && !norm.isEmpty() && !norm.equals("null")) {
            throw new UserInputException(cfgFile + ": normalize_activations '" + norm + "' is not supported; fold the"
                    + " scaling into the weights (SAELens: fold_activation_norm_scaling_factor) and save again");
        }
        if (!Files.isRegularFile(weights)) {
            throw new UserInputException(dir + ": no " + WEIGHTS);
        }
        try (SafetensorsReader r = SafetensorsReader.open(weights)) {
            return new SparseAutoencoder(kind, k, tensor(r, nonFinite, "W_enc", dIn, dSae),
                    tensor(r, nonFinite, "W_dec", dSae, dIn), tensor(r, nonFinite, "b_enc", dSae),
                    tensor(r, nonFinite, "b_dec", dIn), kind == Kind.JUMPRELU ? tensor(r, nonFinite, "threshold", dSae)
                            : null, dIn, dSae, (ObjectNode) cfg, parent);
        }
    }

    private static Kind kind(JsonNode cfg, Path file) {
        String arch = cfg.path("architecture").asText("standard");
        String fn = cfg.path("activation_fn_str").asText("relu");
        return switch (arch) {
            case "standard" -> fn.equals("topk") ? Kind.TOPK : Kind.STANDARD; // SAELens 3-5 marked TopK by the function
            case "topk" -> Kind.TOPK;
            case "jumprelu" -> Kind.JUMPRELU;
            default -> throw new UserInputException(file + ": architecture '" + arch + "' is not supported (standard,"
                    + " topk, jumprelu)");
        };
    }

    private static int topK(JsonNode cfg, Path file) {
        JsonNode k = cfg.has("k") ? cfg.get("k") : cfg.path("activation_fn_kwargs").get("k");
        if (k == null || !k.canConvertToInt() || k.asInt() < 1) {
            throw new UserInputException(file + ": a TopK SAE needs k (\"k\" or activation_fn_kwargs.k) >= 1");
        }
        return k.asInt();
    }

    private static float[] tensor(SafetensorsReader r, NonFinite nonFinite, String name, long... shape) {
        if (!r.tensors().containsKey(name)) {
            throw new UserInputException(r.path() + ": no tensor '" + name + "'");
        }
        TensorInfo t = r.info(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new UserInputException(r.path() + ": tensor '" + name + "' has shape " + t.shapeString() + ", expected "
                    + Arrays.toString(shape) + " from cfg.json");
        }
        float[] values = r.readFloats(name);
        nonFinite.check(values, r.path() + ": tensor '" + name + "'");
        return values;
    }

    @Override
    public void close() {
        manager.close();
    }
}
