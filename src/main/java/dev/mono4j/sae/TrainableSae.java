package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.train.Gradients;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * An SAE while it trains: the parameters every architecture has (W_enc, W_dec, b_enc, b_dec) and what the trainer
 * asks of each one: its training forward pass and loss ({@link #forward}), its per-step hook ({@link #afterStep}),
 * what its checkpoint holds beyond the parameters, and the SAELens SAE it saves as ({@link #export}). One subclass
 * per architecture, made by its {@link ArchitectureConfig}. Inputs are normalised rows (see {@link SaeTrainer});
 * {@link #export} folds the normalisation back into the weights.
 *
 * <p>Encoder weights are kept as rows {@code [d_sae, d_in]} (SAELens stores their transpose) so that a latent's
 * encoder and decoder rows are read and written the same way (the sparse TopK step, AuxK's dead latents).
 *
 * <p>Under autograd no op takes a Java number (see {@link dev.mono4j.model.TransformerLM}): constants are
 * tensors made by {@link #scalar}.
 */
abstract class TrainableSae implements AutoCloseable {
    /** What one training forward pass produced: the loss to minimise and the statistics the trainer tracks. */
    record Forward(NDArray loss, NDArray mse, NDArray penalty, NDArray recon, float[] firing) {
    }

    /** The weights for raw inputs as SAELens stores them: W_enc [d_in, d_sae], W_dec [d_sae, d_in], biases. */
    record RawWeights(float[] wEnc, float[] wDec, float[] bEnc, float[] bDec) {
    }

    final SaeConfig cfg;
    final int dIn;
    final int dSae;
    final NDManager manager;
    /** Decoder rows [d_sae, d_in]. */
    final NDArray wDec;
    /** Encoder rows [d_sae, d_in]; the same array as {@link #wDec} when they are tied. */
    final NDArray wEnc;
    final NDArray bEnc;
    final NDArray bDec;

    /** The parameters every architecture has; {@code tied}: the encoder is the decoder's transpose. */
    TrainableSae(SaeConfig cfg, int dIn, float[] decoderBias, NDManager parent, boolean tied) {
        this.cfg = cfg;
        this.dIn = dIn;
        this.dSae = cfg.latents(dIn);
        this.manager = parent.newSubManager();
        // Decoder rows: random unit vectors; the encoder starts as the decoder's transpose (Gao et al. 2024,
        // SAELens' init_encoder_as_decoder_transpose), which starts every latent near a sensible direction.
        Random rnd = new Random(cfg.seed());
        float[] rows = new float[dSae * dIn];
        for (int i = 0; i < dSae; i++) {
            double norm = 0;
            for (int j = 0; j < dIn; j++) {
                float v = (float) rnd.nextGaussian();
                rows[i * dIn + j] = v;
                norm += v * v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < dIn; j++) {
                rows[i * dIn + j] *= inv;
            }
        }
        wDec = manager.create(rows, new Shape(dSae, dIn));
        wEnc = tied ? wDec : manager.create(rows, new Shape(dSae, dIn));
        bEnc = manager.zeros(new Shape(dSae));
        bDec = manager.create(decoderBias);
    }

    /**
     * The SAE {@code cfg}'s architecture trains, its parameters requiring gradients. {@code inputNorm} is the mean
     * norm of the training rows as the SAE sees them (after normalisation).
     */
    static TrainableSae create(SaeConfig cfg, int dIn, double inputNorm, float[] decoderBias, NDManager parent) {
        TrainableSae sae = cfg.architecture().newSae(cfg, dIn, inputNorm, decoderBias, parent);
        for (NDArray p : sae.parameters().values()) {
            p.setRequiresGradient(true);
        }
        return sae;
    }

    /**
     * The parameters the optimizer updates, by name: the shared ones (a tied encoder is the decoder; a frozen
     * b_dec, {@link SaeConfig#freezeDecoderBias}, is not among them), then the architecture's own.
     */
    final Map<String, NDArray> parameters() {
        Map<String, NDArray> p = new LinkedHashMap<>();
        p.put("W_dec", wDec);
        if (wEnc != wDec) {
            p.put("W_enc", wEnc);
        }
        if (trainsEncoderBias()) {
            p.put("b_enc", bEnc);
        }
        if (!cfg.freezeDecoderBias()) {
            p.put("b_dec", bDec);
        }
        p.putAll(ownParameters());
        return p;
    }

    /** Whether the optimizer trains b_enc (GBA sets it by adaptation instead). */
    boolean trainsEncoderBias() {
        return true;
    }

    /** Parameters only this architecture has (JumpReLU's thresholds), by name. */
    Map<String, NDArray> ownParameters() {
        return Map.of();
    }

    /** Every array a checkpoint must hold to continue, including an adapted b_enc and a held b_dec. */
    final Map<String, NDArray> state() {
        Map<String, NDArray> s = new LinkedHashMap<>(parameters());
        s.put("b_enc", bEnc);
        s.put("b_dec", bDec);
        return s;
    }

    /**
     * The training forward pass on normalised rows {@code x [N, d_in]}. {@code dead} marks latents that have
     * not fired for {@link SaeConfig#deadTokens} rows when {@link #usesDeadLatents}, else it is null.
     * {@code firing} is the number of rows each latent fired on.
     */
    abstract Forward forward(NDManager m, NDArray x, boolean[] dead);

    /** Whether {@link #forward} needs the dead latents (AuxK). */
    boolean usesDeadLatents() {
        return false;
    }

    /** The log's name of {@link Forward#penalty}. */
    abstract String penaltyName();

    /** Called once before the first step with the first (normalised) sample of rows. */
    void start(float[] sample) {
    }

    /** Called after each optimizer step (1-based {@code step}) with how often each latent fired on its {@code rows}. */
    void afterStep(int step, float[] firing, int rows) {
    }

    /** Adds what this architecture's checkpoint holds beyond {@link #state}: tensors to {@code w}, numbers to {@code fields}. */
    void saveState(SafetensorsWriter w, ObjectNode fields) {
    }

    /** Reads back what {@link #saveState} wrote. */
    void restoreState(SafetensorsReader r, JsonNode fields) {
    }

    /** Σ over d_in of the squared error, averaged over rows (SAELens' MSE). */
    static NDArray mse(NDArray x, NDArray recon) {
        return recon.sub(x).square().sum(new int[] {1}).mean();
    }

    /**
     * xc·encᵀ + bias (xc = x − b_dec): the pre-activations of the latents whose encoder rows are {@code enc}, built
     * to be cheap to back-propagate. Autograd would find b_dec's gradient through xc with
     * a GEMM ∂L/∂xc = ∂L/∂pre·enc over all rows; it only needs the row sum, −(Σ_rows ∂L/∂pre)·enc. So the product
     * takes xc as a constant, and the bias gets the zero-valued term −(t − stop(t)), t = enc·b_dec, whose
     * gradient is exactly that. The values are those of xc·encᵀ + bias, bit for bit.
     */
    NDArray encode(NDManager m, NDArray xc, NDArray enc, NDArray bias) {
        NDArray t = constant(m, enc).matMul(bDec);
        // In place: a new [N, d_sae] array costs page faults as well as a pass, and the product is not needed
        // for its own backward.
        return xc.stopGradient().matMul(inStep(m, enc.transpose())).addi(t.stopGradient().sub(t).add(bias));
    }

    /**
     * An op's result belongs to the manager of its first operand: results of ops on parameters would stay in the
     * SAE's manager for the whole run, so they move to the step's.
     */
    static NDArray inStep(NDManager m, NDArray a) {
        a.attach(m);
        return a;
    }

    /** {@code p} without autograd, owned by the step's manager. */
    static NDArray constant(NDManager m, NDArray p) {
        return inStep(m, p.stopGradient());
    }

    /** How many rows each latent of {@code f} [N, d_sae] is positive on. */
    static float[] firing(NDArray f) {
        return f.stopGradient().gt(0f).toType(DataType.FLOAT32, false).sum(new int[] {0}).toFloatArray();
    }

    /** A float constant that autograd may keep (see the class comment). */
    static NDArray scalar(NDManager m, double v) {
        return m.full(new Shape(), (float) v);
    }

    /**
     * Removes from the decoder's gradient its component along each row (Bricken et al. 2023): with rows held at
     * unit norm, that component would only change their length, which renormalising undoes.
     */
    void projectDecoderGradient() {
        NDArray g = Gradients.of(wDec);
        if (g == null) {
            return;
        }
        try (NDManager tmp = manager.newSubManager()) {
            g.attach(tmp);
            NDArray along = g.mul(wDec).sum(new int[] {1}, true);
            // along × W_dec, not W_dec × along: a result belongs to its left operand's manager, and one in the
            // SAE's own manager would outlive the step (a [d_sae, d_in] array leaked per step).
            g.subi(along.mul(wDec));
        }
    }

    /**
     * Overwrites the parameter {@code p} in place with {@code values}, outside autograd (as the optimizer's updates).
     * Not {@code NDArray.set(float[])}: DJL's native torchSet opens PyTorch's deprecated AutoNonVariableTypeMode
     * guard, which prints a deprecation warning to the terminal (deepjavalibrary/djl@v0.35.1,
     * engines/pytorch/pytorch-native/src/main/native/ai_djl_pytorch_jni_PyTorchLibrary_tensor.cc, torchSet). An
     * indexed copy over every element writes the same bits without it.
     */
    static void overwrite(NDArray p, float[] values) {
        if (values.length != p.size()) {
            throw new IllegalArgumentException(values.length + " values for a parameter of shape " + p.getShape());
        }
        try (NDArray src = p.getManager().create(values, p.getShape())) {
            p.set(new NDIndex("..."), src);
        }
    }

    /** Puts decoder rows back on the unit sphere after an update. */
    void normalizeDecoder() {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray norms = wDec.norm(new int[] {1}, true);
            norms.attach(tmp);
            wDec.divi(norms);
        }
    }

    /**
     * The SAE for raw (unnormalised) inputs, as SAELens runs it. Training saw x·s; folding s in
     * (W_enc·s, W_dec/s, b_dec/s, as SAELens' fold_activation_norm_scaling_factor) gives the same latents and
     * the reconstruction in raw units.
     */
    final SparseAutoencoder export(double scale, ObjectNode saeLensConfig, NDManager parent) {
        float s = (float) scale;
        float[] enc = transposeScaled(wEnc.toFloatArray(), dSae, dIn, s);
        float[] dec = wDec.toFloatArray();
        for (int i = 0; i < dec.length; i++) {
            dec[i] /= s;
        }
        float[] bDecRaw = bDec.toFloatArray();
        for (int i = 0; i < bDecRaw.length; i++) {
            bDecRaw[i] /= s;
        }
        return export(new RawWeights(enc, dec, bEnc.toFloatArray(), bDecRaw), saeLensConfig, parent);
    }

    /** The SAELens SAE (standard, topk or jumprelu) of these raw weights. */
    abstract SparseAutoencoder export(RawWeights w, ObjectNode saeLensConfig, NDManager parent);

    /** A SAELens SAE of kind {@code kind} from {@code w} ({@code threshold} for JumpReLU, {@code k} for TopK). */
    final SparseAutoencoder saved(SparseAutoencoder.Kind kind, int k, RawWeights w, float[] bEnc, float[] threshold,
            ObjectNode saeLensConfig, NDManager parent) {
        return new SparseAutoencoder(kind, k, w.wEnc(), w.wDec(), bEnc, w.bDec(), threshold, dIn, dSae, saeLensConfig,
                parent);
    }

    private static float[] transposeScaled(float[] rows, int r, int c, float s) {
        float[] t = new float[r * c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                t[j * r + i] = rows[i * c + j] * s;
            }
        }
        return t;
    }

    @Override
    public void close() {
        manager.close();
    }
}
