package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.train.Gradients;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * An SAE while it trains: its parameters and the training forward pass of each architecture. Inputs are
 * normalised rows (see {@link SaeTrainer}); {@link #export} folds the normalisation back into the weights.
 *
 * <p>Encoder weights are kept as rows {@code [d_sae, d_in]} (SAELens stores their transpose) so that a latent's
 * encoder and decoder rows are read and written the same way (the sparse TopK step, AuxK's dead latents).
 *
 * <p>Under autograd no op takes a Java number (see {@link dev.mono4j.model.TransformerLM}): constants are
 * tensors made by {@link #scalar}.
 */
final class TrainableSae implements AutoCloseable {
    /** What one training forward pass produced: the loss to minimise and the statistics the trainer tracks. */
    record Forward(NDArray loss, NDArray mse, NDArray penalty, NDArray recon, float[] firing, NDArray peak) {
    }

    final SaeConfig cfg;
    final int dIn;
    final int dSae;
    private final NDManager manager;
    /** Decoder rows [d_sae, d_in]. */
    final NDArray wDec;
    /** Encoder rows [d_sae, d_in]; the same array as {@link #wDec} when GBA ties them. */
    final NDArray wEnc;
    final NDArray bEnc;
    final NDArray bDec;
    /** JumpReLU: log θ (θ stays positive). Null otherwise. */
    final NDArray logThreshold;
    /** BatchTopK: the running threshold used at inference (NaN until the first step). */
    double batchThreshold = Double.NaN;
    /** The sparse TopK path's Java arrays, kept from step to step (made at the first step). */
    private SparseTopKStep sparseStep;
    /**
     * The dense TopK path's mask, kept from step to step: a new [N, d_sae] array costs its page faults, several
     * times what a pass over it costs.
     */
    private NDArray keep;

    TrainableSae(SaeConfig cfg, int dIn, float[] decoderBias, NDManager parent) {
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
        wEnc = tied() ? wDec : manager.create(rows, new Shape(dSae, dIn));
        bEnc = manager.zeros(new Shape(dSae));
        bDec = manager.create(decoderBias);
        logThreshold = cfg.architecture() == SaeArchitecture.JUMPRELU
                ? manager.full(new Shape(dSae), (float) Math.log(cfg.initThreshold())) : null;
        for (NDArray p : parameters().values()) {
            p.setRequiresGradient(true);
        }
    }

    /** GBA ties encoder and decoder unless asked not to (see {@link GbaConfig}). */
    boolean tied() {
        return cfg.architecture().adaptsBiases() && cfg.gba().tied();
    }

    /**
     * The parameters the optimizer updates, by name. GBA's encoder bias is not among them: bias adaptation
     * sets it, and the loss is reconstruction only. Nor is a frozen b_dec ({@link SaeConfig#freezeDecoderBias}).
     */
    Map<String, NDArray> parameters() {
        Map<String, NDArray> p = new LinkedHashMap<>();
        p.put("W_dec", wDec);
        if (!tied()) {
            p.put("W_enc", wEnc);
        }
        if (!cfg.architecture().adaptsBiases()) {
            p.put("b_enc", bEnc);
        }
        if (!cfg.freezeDecoderBias()) {
            p.put("b_dec", bDec);
        }
        if (logThreshold != null) {
            p.put("log_threshold", logThreshold);
        }
        return p;
    }

    /** Every array a checkpoint must hold to continue, including GBA's adapted bias and a held b_dec. */
    Map<String, NDArray> state() {
        Map<String, NDArray> s = new LinkedHashMap<>(parameters());
        s.put("b_enc", bEnc);
        s.put("b_dec", bDec);
        return s;
    }

    /**
     * The training forward pass on normalised rows {@code x [N, d_in]}. {@code dead} marks latents that have
     * not fired for {@link SaeConfig#deadTokens} rows (AuxK uses them), or is null. {@code firing} is the number
     * of rows each latent fired on, {@code peak} (GBA only) each latent's largest pre-activation w·(x − b_dec).
     */
    Forward forward(NDManager m, NDArray x, boolean[] dead) {
        NDArray xc = x.sub(bDec);
        return switch (cfg.architecture()) {
            case RELU -> relu(m, x, xc);
            case JUMPRELU -> jumpRelu(m, x, xc);
            case TOPK, BATCHTOPK -> cfg.sparseDecode() ? topKSparse(m, x, xc, dead) : topKDense(m, x, xc, dead);
            case GBA, BA -> biasAdapted(m, x, xc);
        };
    }

    /** Σ over d_in of the squared error, averaged over rows (SAELens' MSE). */
    private static NDArray mse(NDArray x, NDArray recon) {
        return recon.sub(x).square().sum(new int[] {1}).mean();
    }

    private Forward relu(NDManager m, NDArray x, NDArray xc) {
        NDArray f = Activation.relu(encode(m, xc, wEnc, bEnc));
        NDArray recon = f.matMul(wDec).add(bDec);
        NDArray mse = mse(x, recon);
        // L1 of activations weighted by decoder row norms (Anthropic, April 2024): the penalty cannot be dodged by
        // shrinking f while growing W_dec when rows are not held at unit norm.
        NDArray penalty = f.mul(inStep(m, wDec.norm(new int[] {1}))).sum(new int[] {1}).mean();
        return new Forward(mse.add(penalty.mul(scalar(m, cfg.l1Coefficient()))), mse, penalty, recon, firing(f), null);
    }

    /**
     * JumpReLU (Rajamanoharan et al. 2024, eqs. 4-11): f = z·H(z − θ), L0 = Σ H(z − θ). H has no useful
     * derivative, so θ gets the straight-through pseudo-derivatives ∂f/∂θ = −(θ/ε)K((z − θ)/ε) and
     * ∂H/∂θ = −(1/ε)K((z − θ)/ε) with the rectangle kernel K(u) = 1[|u| < ½]. Each is added as
     * c·(θ − stop(θ)): zero in value, gradient c.
     */
    private Forward jumpRelu(NDManager m, NDArray x, NDArray xc) {
        NDArray z = encode(m, xc, wEnc, bEnc);
        NDArray theta = inStep(m, logThreshold.exp());
        NDArray zd = z.stopGradient();
        NDArray thetaD = theta.stopGradient();
        float eps = (float) cfg.bandwidth();
        NDArray gate = zd.gt(thetaD).toType(DataType.FLOAT32, false);
        NDArray kernel = zd.sub(thetaD).abs().lt(eps / 2).toType(DataType.FLOAT32, false).div(eps);
        NDArray dTheta = theta.sub(thetaD); // zero, with gradient 1 towards θ
        NDArray f = z.mul(gate).add(dTheta.mul(kernel.mul(thetaD).neg()));
        NDArray l0 = gate.add(dTheta.mul(kernel.neg())).sum(new int[] {1}).mean();
        NDArray recon = f.matMul(wDec).add(bDec);
        NDArray mse = mse(x, recon);
        return new Forward(mse.add(l0.mul(scalar(m, cfg.l0Coefficient()))), mse, l0, recon, gate.sum(new int[] {0}).toFloatArray(), null);
    }

    /** TopK (Gao et al. 2024), densely: every latent is computed, then all but the chosen are masked to zero. */
    private Forward topKDense(NDManager m, NDArray x, NDArray xc, boolean[] dead) {
        NDArray pre = encode(m, xc, wEnc, bEnc);
        if (keep == null || !keep.getShape().equals(pre.getShape())) {
            if (keep != null) {
                keep.close();
            }
            keep = manager.create(pre.getShape(), DataType.FLOAT32);
        }
        float[] firing = keepMask(m, pre.stopGradient(), keep);
        // The mask keeps positive values only, so relu(pre)·mask = pre·mask; in place, as pre is not needed for
        // its own backward.
        NDArray f = pre.muli(keep);
        NDArray recon = f.matMul(wDec).add(bDec);
        NDArray mse = mse(x, recon);
        NDArray aux = auxK(m, xc, x.sub(recon).stopGradient(), dead);
        return new Forward(mse.add(aux.mul(scalar(m, cfg.auxCoefficient()))), mse, aux, recon, firing, null);
    }

    /**
     * xc·encᵀ + bias (xc = x − b_dec): the pre-activations of the latents whose encoder rows are {@code enc}, built
     * to be cheap to back-propagate. Autograd would find b_dec's gradient through xc with
     * a GEMM ∂L/∂xc = ∂L/∂pre·enc over all rows; it only needs the row sum, −(Σ_rows ∂L/∂pre)·enc. So the product
     * takes xc as a constant, and the bias gets the zero-valued term −(t − stop(t)), t = enc·b_dec, whose
     * gradient is exactly that. The values are those of xc·encᵀ + bias, bit for bit.
     */
    private NDArray encode(NDManager m, NDArray xc, NDArray enc, NDArray bias) {
        NDArray t = constant(m, enc).matMul(bDec);
        // In place: a new [N, d_sae] array costs page faults as well as a pass, and the product is not needed
        // for its own backward.
        return xc.stopGradient().matMul(inStep(m, enc.transpose())).addi(t.stopGradient().sub(t).add(bias));
    }

    /**
     * An op's result belongs to the manager of its first operand: results of ops on parameters would stay in the
     * SAE's manager for the whole run, so they move to the step's.
     */
    private static NDArray inStep(NDManager m, NDArray a) {
        a.attach(m);
        return a;
    }

    /** {@code p} without autograd, owned by the step's manager. */
    private static NDArray constant(NDManager m, NDArray p) {
        return inStep(m, p.stopGradient());
    }

    /**
     * TopK through the active latents only: the one dense GEMM that chooses them runs without autograd, then
     * {@link SparseTopKStep} decodes from and back-propagates into the chosen rows with explicit gradients. They
     * reach the optimizer through a surrogate S = Σ_p ⟨p, ∂L/∂p⟩ over the parameters: the loss carries S − stop(S),
     * zero in value, whose gradient towards each p is ∂L/∂p. AuxK is added through autograd as in the dense path.
     */
    private Forward topKSparse(NDManager m, NDArray x, NDArray xc, boolean[] dead) {
        NDArray xcD = xc.stopGradient();
        NDArray encD = constant(m, wEnc);
        NDArray encT = encD.transpose();
        NDArray bias = constant(m, bEnc);
        int n = (int) x.getShape().get(0);
        // Chunk by chunk, the pre-activations are computed, chosen from and dropped (see CHUNK_FLOATS).
        PreActivations pre = (sub, rows) -> rowsOf(sub, xcD, rows).matMul(encT).addi(bias);
        Chosen chosen = cfg.architecture() == SaeArchitecture.TOPK ? rowTopK(m, pre, n, dSae, cfg.k())
                : batchTopK(m, pre, n);
        if (sparseStep == null || sparseStep.xc.length != n) {
            sparseStep = new SparseTopKStep(n, dIn, dSae);
        }
        copy(xcD, sparseStep.xc);
        copy(wDec, sparseStep.dec);
        SparseTopKStep.Result step = sparseStep.run(chosen.values(), chosen.columns(), chosen.threshold());
        NDArray gradBEnc = m.create(step.gradBEnc());
        // b_dec enters x̂ directly and xc = x − b_dec: ∂L/∂b_dec = Σ_rows ∂L/∂x̂ − (Σ_rows ∂L/∂pre)·W_enc.
        NDArray gradBDec = m.create(step.gradRecon()).sub(gradBEnc.matMul(encD));
        NDArray surrogate = inner(m, wDec, array(m, sparseStep.gradDec))
                .add(inner(m, wEnc, array(m, sparseStep.gradEnc)))
                .add(inner(m, bEnc, gradBEnc))
                .add(inner(m, bDec, gradBDec));
        NDArray mse = m.create((float) step.mse());
        NDArray residual = array(m, sparseStep.residual);
        NDArray aux = auxK(m, xc, residual, dead);
        NDArray loss = surrogate.sub(surrogate.stopGradient()).add(mse).add(aux.mul(scalar(m, cfg.auxCoefficient())));
        return new Forward(loss, mse, aux, x.sub(residual), step.firing(), null);
    }

    /** Copies a [r, c] float array into {@code rows}, once, from its memory (toFloatArray copies twice). */
    private static void copy(NDArray a, float[][] rows) {
        FloatBuffer data = floatsOf(a);
        for (int r = 0, o = 0; r < rows.length; o += rows[r++].length) {
            data.get(o, rows[r]);
        }
    }

    /** A [rows, c] array of the step's, copied once into its memory (create(float[]) zero-fills a buffer first). */
    private static NDArray array(NDManager m, float[][] rows) {
        NDArray a = m.create(new Shape(rows.length, rows[0].length), DataType.FLOAT32);
        FloatBuffer data = floatsOf(a);
        for (int r = 0, o = 0; r < rows.length; o += rows[r++].length) {
            data.put(o, rows[r]);
        }
        return a;
    }

    /** ⟨p, g⟩ over all elements, with gradient g towards p (a dot product: no [p]-sized product array). */
    private static NDArray inner(NDManager m, NDArray p, NDArray g) {
        return g.reshape(-1).dot(inStep(m, p.reshape(-1)));
    }

    /**
     * Each row's candidate latents (values and columns, unordered) and the threshold at or above which one is
     * active; every value of a row at or above it is among its candidates.
     */
    private record Chosen(float[][] values, int[][] columns, float threshold) {
    }

    /** Pre-activations of the listed rows, [rows.length, c'] (row q is row rows[q]'s), made in {@code m}. */
    private interface PreActivations {
        NDArray of(NDManager m, int[] rows);
    }

    /** The listed rows of {@code a}, made in {@code m}: a view when they are consecutive, else a copy. */
    private static NDArray rowsOf(NDManager m, NDArray a, int[] rows) {
        if (rows[rows.length - 1] - rows[0] == rows.length - 1) {
            return a.get(m, new NDIndex(rows[0] + ":" + (rows[rows.length - 1] + 1)));
        }
        return a.get(m, new NDIndex("{}", m.create(rows)));
    }

    /**
     * Floats per chunk of rows when choosing latents: a chunk of 16 MB is under glibc's largest mmap threshold,
     * so the next chunk reuses its memory, still cached, where one [N, d_sae] array is mapped and page-faulted
     * anew each step. It also keeps every Java view of PyTorch memory far below the 2 GiB a buffer can hold.
     */
    private static final int CHUNK_FLOATS = 1 << 22;

    private static int chunkRows(int cols) {
        return Math.max(1, CHUNK_FLOATS / cols);
    }

    /**
     * The {@code c} largest of the {@code cols} pre-activations of each listed row (all when c ≥ cols), chunk by
     * chunk, into values and columns.
     */
    private static void choose(NDManager m, PreActivations pre, int cols, int[] rows, int c, float[][] values,
            int[][] columns) {
        int chunk = chunkRows(cols);
        for (int from = 0; from < rows.length; from += chunk) {
            try (NDManager sub = m.newSubManager()) {
                int[] part = Arrays.copyOfRange(rows, from, Math.min(rows.length, from + chunk));
                SparseTopKStep.largest(floatsOf(pre.of(sub, part)), cols, Math.min(c, cols), part, values, columns);
            }
        }
    }

    private static float rowMin(float[] values) {
        float min = Float.POSITIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
        }
        return min;
    }

    /**
     * TopK: each of the n rows' k largest of its {@code cols} pre-activations (all when it has fewer), active when
     * positive (the smallest positive float is the threshold).
     */
    private static Chosen rowTopK(NDManager m, PreActivations pre, int n, int cols, int k) {
        Chosen chosen = new Chosen(new float[n][], new int[n][], Float.MIN_VALUE);
        choose(m, pre, cols, IntStream.range(0, n).toArray(), k, chosen.values(), chosen.columns());
        return chosen;
    }

    /**
     * BatchTopK (Bussmann et al. 2024): active are the batch's k·N largest pre-activations, at least a tiny
     * positive number so that only positive values are kept. Rather than a top-(k·N) over all N·d_sae values, it
     * takes each row's 2k largest, then twice as many of every row whose smallest candidate reaches the (k·N)-th
     * largest of all candidates, until none does: then nothing outside the candidates reaches it, and it is the
     * batch's own (k·N)-th largest. It also moves the running threshold used at inference: an average
     * of the smallest kept activation over batches (the paper's estimate), here exponential with weight 0.01.
     */
    private Chosen batchTopK(NDManager m, PreActivations pre, int n) {
        int kn = (int) Math.min((long) n * cfg.k(), (long) n * dSae);
        float[][] values = new float[n][];
        int[][] columns = new int[n][];
        int[] rows = IntStream.range(0, n).toArray();
        for (int c = 2 * cfg.k(); ; c *= 2) {
            choose(m, pre, dSae, rows, c, values, columns);
            float[] all = new float[Arrays.stream(values).mapToInt(v -> v.length).sum()];
            for (int r = 0, o = 0; r < n; o += values[r++].length) {
                System.arraycopy(values[r], 0, all, o, values[r].length);
            }
            float thr = Math.max(m.create(all).topK(kn, 0, true, false).get(0).min().getFloat(), Float.MIN_NORMAL);
            // Rows whose candidates might miss some of their values at or above thr; they get twice as many. Only
            // this round's rows can be among them: thr only grows as candidates are added.
            rows = IntStream.range(0, n).filter(r -> values[r].length < dSae && rowMin(values[r]) >= thr).toArray();
            if (rows.length == 0) {
                batchThreshold = Double.isNaN(batchThreshold) ? thr : 0.99 * batchThreshold + 0.01 * thr;
                return new Chosen(values, columns, thr);
            }
        }
    }

    /**
     * Writes into {@code mask} 1 where a latent is kept: among the row's k largest (TopK) or the batch's
     * (BatchTopK), and positive; else 0. Returns how many rows each latent is kept on.
     */
    private float[] keepMask(NDManager m, NDArray pre, NDArray mask) {
        if (cfg.architecture() == SaeArchitecture.TOPK) {
            return rowTopKMask(m, pre, cfg.k(), mask);
        }
        int n = (int) pre.getShape().get(0);
        float[] thr = new float[n];
        Arrays.fill(thr, batchTopK(m, (sub, rows) -> rowsOf(sub, pre, rows), n).threshold());
        float[] firing = new float[(int) pre.getShape().get(1)];
        for (int from = 0, chunk = chunkRows(firing.length); from < n; from += chunk) {
            maskRows(m, pre, thr, from, Math.min(n, from + chunk), mask, firing);
        }
        return firing;
    }

    /**
     * Writes into {@code mask} 1 where a value of {@code pre} [N, c'] is among its row's k largest and positive.
     * Chunk by chunk of rows, so that the mask is written while the chunk just chosen from is still cached.
     */
    private static float[] rowTopKMask(NDManager m, NDArray pre, int k, NDArray mask) {
        int n = (int) pre.getShape().get(0);
        int cols = (int) pre.getShape().get(1);
        float[][] values = new float[n][];
        int[][] columns = new int[n][];
        float[] kth = new float[n];
        float[] firing = new float[cols];
        for (int from = 0, chunk = chunkRows(cols); from < n; from += chunk) {
            int to = Math.min(n, from + chunk);
            choose(m, (sub, rows) -> rowsOf(sub, pre, rows), cols, IntStream.range(from, to).toArray(), k, values,
                    columns);
            for (int r = from; r < to; r++) {
                kth[r] = Math.max(rowMin(values[r]), Float.MIN_VALUE);
            }
            maskRows(m, pre, kth, from, to, mask, firing);
        }
        return firing;
    }

    /**
     * Writes into rows from .. to − 1 of {@code mask} 1 where pre is at or above its row's threshold, else 0, and
     * adds to {@code firing} how many of those rows each column is 1 on.
     */
    private static void maskRows(NDManager m, NDArray pre, float[] rowThreshold, int from, int to, NDArray mask,
            float[] firing) {
        try (NDManager sub = m.newSubManager()) {
            NDIndex part = new NDIndex(from + ":" + to);
            float[] counts = SparseTopKStep.mask(floatsOf(pre.get(sub, part)), firing.length,
                    Arrays.copyOfRange(rowThreshold, from, to), floatsOf(mask.get(sub, part)));
            for (int i = 0; i < firing.length; i++) {
                firing[i] += counts[i];
            }
        }
    }

    /** A contiguous float array's memory, to read or write in place. */
    private static FloatBuffer floatsOf(NDArray a) {
        return a.toByteBuffer(true).asFloatBuffer();
    }

    /**
     * AuxK (Gao et al. 2024, sec. A.2): the k_aux largest pre-activations among dead latents reconstruct the
     * residual x − x̂ (a constant here); its squared error, scaled down while fewer than k_aux latents are dead (as
     * SAELens), is added with weight α. Zero when no latent is dead. Computed densely over the dead latents'
     * columns only: there are few of them, and k_aux (512) active latents per row would make a gathered path slow.
     */
    private NDArray auxK(NDManager m, NDArray xc, NDArray residual, boolean[] dead) {
        int nDead = 0;
        long[] deadIdx = new long[dSae];
        for (int i = 0; dead != null && i < dSae; i++) {
            if (dead[i]) {
                deadIdx[nDead++] = i;
            }
        }
        if (nDead == 0 || cfg.auxK() == 0) {
            return m.zeros(new Shape());
        }
        NDIndex cols = new NDIndex("{}", m.create(Arrays.copyOf(deadIdx, nDead)));
        NDArray pre = encode(m, xc, wEnc.get(m, cols), bEnc.get(m, cols));
        NDArray mask = m.create(pre.getShape(), DataType.FLOAT32);
        rowTopKMask(m, pre.stopGradient(), Math.min(cfg.auxK(), nDead), mask);
        NDArray f = pre.muli(mask);
        NDArray err = f.matMul(wDec.get(m, cols)).sub(residual).square().sum(new int[] {1}).mean();
        return err.mul(scalar(m, Math.min(1.0, (double) nDead / cfg.auxK())));
    }

    /**
     * GBA and BA (Chen et al. 2025): a ReLU SAE trained on reconstruction alone, whose encoder bias b is not a
     * parameter but set by {@link GroupBiasAdaptation}. With {@code --gba-jumprelu} the adapted value gates
     * instead of shifting: f = z·H(z + b), i.e. a JumpReLU with θ = −b, which keeps the magnitudes of the latents
     * that fire unshrunk. Both fire on the same rows, so the adaptation is the same.
     */
    private Forward biasAdapted(NDManager m, NDArray x, NDArray xc) {
        NDArray z = xc.matMul(inStep(m, wEnc.transpose()));
        NDArray shifted = z.add(bEnc);
        NDArray fires = shifted.stopGradient().gt(0f).toType(DataType.FLOAT32, false);
        NDArray f = cfg.gba().jumpRelu() ? z.mul(fires) : Activation.relu(shifted);
        NDArray recon = f.matMul(wDec).add(bDec);
        NDArray mse = mse(x, recon);
        return new Forward(mse, mse, m.zeros(new Shape()), recon, fires.sum(new int[] {0}).toFloatArray(),
                z.stopGradient().max(new int[] {0}));
    }

    private static float[] firing(NDArray f) {
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
            g.subi(wDec.mul(along));
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
    SparseAutoencoder export(double scale, ObjectNode saeLensConfig, NDManager parent) {
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
        float[] b = bEnc.toFloatArray();
        SaeArchitecture a = cfg.architecture();
        if (a == SaeArchitecture.JUMPRELU) {
            return new SparseAutoencoder(SparseAutoencoder.Kind.JUMPRELU, 0, enc, dec, b, bDecRaw,
                    logThreshold.exp().toFloatArray(), dIn, dSae, saeLensConfig, parent);
        }
        if (a == SaeArchitecture.BATCHTOPK) {
            float[] thr = new float[dSae];
            java.util.Arrays.fill(thr, (float) batchThreshold);
            return new SparseAutoencoder(SparseAutoencoder.Kind.JUMPRELU, 0, enc, dec, b, bDecRaw, thr, dIn, dSae,
                    saeLensConfig, parent);
        }
        if (a.adaptsBiases() && cfg.gba().jumpRelu()) {
            float[] thr = new float[dSae];
            for (int i = 0; i < dSae; i++) {
                thr[i] = -b[i];
            }
            return new SparseAutoencoder(SparseAutoencoder.Kind.JUMPRELU, 0, enc, dec, new float[dSae], bDecRaw, thr, dIn,
                    dSae, saeLensConfig, parent);
        }
        SparseAutoencoder.Kind kind = a == SaeArchitecture.TOPK ? SparseAutoencoder.Kind.TOPK : SparseAutoencoder.Kind.STANDARD;
        return new SparseAutoencoder(kind, cfg.k(), enc, dec, b, bDecRaw, null, dIn, dSae, saeLensConfig, parent);
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
