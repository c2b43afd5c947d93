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
 * for JumpReLU, {@code threshold [d_sae]}. Encoding is SAELens': f = act((n(x) − b_dec) W_enc + b_enc) with
 * act = ReLU ("standard"), ReLU of the k largest ("topk") or z·H(z − θ) ("jumprelu"); decoding is
 * x̂ = n⁻¹(f W_dec + b_dec). b_dec is subtracted only with {@code apply_b_dec_to_input} (Gemma Scope's SAEs set it
 * false); n is {@code normalize_activations} ({@link Normalization}), undone per row after decoding. Both as
 * SAELens' {@code SAE.process_sae_in}, {@code _setup_activation_normalization} and {@code decode}
 * (jbloomAus/SAELens sae_lens/saes/sae.py@62dca28).
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

    /**
     * SAELens' {@code normalize_activations}, at run time (sae.py@62dca28): {@code constant_norm_rescale} scales each
     * input row to norm √d_in and the reconstruction back; {@code layer_norm} centres each row and divides by its
     * standard deviation (Bessel-corrected, + 1e-5), the reconstruction multiplied back and re-centred;
     * {@code expected_average_only_in} is a training-time scale that SAELens folds into the weights when it knows the
     * factor and otherwise leaves out at run time, as here; {@code none}.
     */
    public enum Normalization {
        NONE, EXPECTED_AVERAGE_ONLY_IN, CONSTANT_NORM_RESCALE, LAYER_NORM;

        public String saeLensName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * An input as the encoder reads it ({@code x}: normalised, b_dec subtracted when the SAE does so) and the per-row
     * {@code scale} and {@code shift} (null: none) that map a reconstruction back to the input's space.
     */
    public record Input(NDArray x, NDArray scale, NDArray shift) {
        /** A reconstruction in the input's space. */
        public NDArray restore(NDArray reconstruction) {
            NDArray y = scale == null ? reconstruction : reconstruction.mul(scale);
            return shift == null ? y : y.add(shift);
        }
    }

    private final Kind kind;
    private final boolean applyBDecToInput;
    private final Normalization normalization;
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
     * object to save with it (architecture and sizes are set here; {@code apply_b_dec_to_input} (default true) and
     * {@code normalize_activations} (default none) are read from it); {@code threshold} only for JumpReLU, k only
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
        this.applyBDecToInput = config.path("apply_b_dec_to_input").asBoolean(true);
        this.normalization = normalization(config, "cfg.json");
        this.config = config.deepCopy();
        this.config.put("architecture", kind.saeLensName());
        this.config.put("d_in", dIn);
        this.config.put("d_sae", dSae);
        this.config.put("dtype", "float32");
        this.config.put("apply_b_dec_to_input", applyBDecToInput);
        this.config.put("normalize_activations", normalization.saeLensName());
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

    public boolean applyBDecToInput() {
        return applyBDecToInput;
    }

    public Normalization normalization() {
        return normalization;
    }

    /**
     * Latent activations {@code [..., d_sae]} of inputs {@code [..., d_in]} (rows, or batch × pos as spliced in); the
     * result belongs to x's manager.
     */
    public NDArray encode(NDArray x) {
        return activate(preActivation(input(x)));
    }

    /** Latents and reconstruction (in the input's space) of one encoding. */
    public record Output(NDArray latents, NDArray reconstruction) {
    }

    /** Encodes inputs {@code [rows, d_in]} and decodes them back into their space (normalisation undone). */
    public Output run(NDArray x) {
        Input in = input(x);
        NDArray f = activate(preActivation(in));
        return new Output(f, in.restore(decode(f)));
    }

    /** The reconstruction of inputs {@code [rows, d_in]}, in their space. */
    public NDArray reconstruct(NDArray x) {
        return run(x).reconstruction();
    }

    /** Inputs {@code [rows, d_in]} as the encoder reads them (SAELens' {@code process_sae_in}), with what undoes it. */
    public Input input(NDArray x) {
        NDArray scale = null;
        NDArray shift = null;
        switch (normalization) {
            case CONSTANT_NORM_RESCALE -> {
                // x · √d / ‖x‖ in, ÷ the same coefficient out.
                scale = x.norm(new int[] {-1}, true).div(x.getManager().full(new Shape(), (float) Math.sqrt(dIn)));
                x = x.div(scale);
            }
            case LAYER_NORM -> {
                shift = x.mean(new int[] {-1}, true);
                x = x.sub(shift);
                // torch's x.std: Bessel-corrected; the 1e-5 is added to the std going in, not coming out.
                scale = x.square().sum(new int[] {-1}, true).div(x.getManager().full(new Shape(), dIn - 1f)).sqrt();
                x = x.div(scale.add(x.getManager().full(new Shape(), 1e-5f)));
            }
            default -> {
            }
        }
        return new Input(applyBDecToInput ? x.sub(bDec) : x, scale, shift);
    }

    /** The encoder's pre-activations (SAELens' {@code hook_sae_acts_pre}) of a processed input. */
    public NDArray preActivation(Input in) {
        return in.x().matMul(wEnc).add(bEnc);
    }

    /** The latents (SAELens' {@code hook_sae_acts_post}) of pre-activations. */
    public NDArray activate(NDArray pre) {
        return switch (kind) {
            case STANDARD -> pre.maximum(0f);
            case JUMPRELU -> pre.mul(pre.gt(threshold));
            case TOPK -> {
                NDArray kth = pre.topK(k, -1, true, true).get(0).get("..., " + (k - 1) + ":" + k);
                yield pre.mul(pre.gte(kth)).maximum(0f);
            }
        };
    }

    /**
     * f W_dec + b_dec: the reconstruction in the encoder's normalised space (SAELens' {@code hook_sae_recons}); the
     * input's space when {@link #normalization()} is none (see {@link Input#restore}, {@link #reconstruct}).
     */
    public NDArray decode(NDArray f) {
        return f.matMul(wDec).add(bDec);
    }

    /** W_enc, {@code d_in × d_sae}, row-major. */
    public float[] encoderWeights() {
        return wEnc.toFloatArray();
    }

    public float[] encoderBias() {
        return bEnc.toFloatArray();
    }

    public float[] decoderBias() {
        return bDec.toFloatArray();
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
        normalization(cfg, cfgFile.toString());
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

    private static Normalization normalization(JsonNode cfg, String file) {
        JsonNode n = cfg.path("normalize_activations");
        String name = n.isMissingNode() || n.isNull() ? "none" : n.asText();
        for (Normalization v : Normalization.values()) {
            if (v.saeLensName().equals(name)) {
                return v;
            }
        }
        throw new UserInputException(file + ": normalize_activations '" + name + "' is not one of none,"
                + " expected_average_only_in, constant_norm_rescale, layer_norm");
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
