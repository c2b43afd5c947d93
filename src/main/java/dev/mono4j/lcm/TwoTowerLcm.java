package dev.mono4j.lcm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.UserInputException;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.model.ConceptTransformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Two-Tower diffusion LCM (facebookresearch/large_concept_model@fd7db80
 * {@code lcm/models/two_tower_diffusion_lcm/builder.py}): the body (without post-net) contextualizes the sentences
 * causally; the {@link Denoiser} predicts sentence i's clean embedding from its noised version, cross-attending to
 * the contexts of sentences before i. Trained on every real position, position 0 included (it sees only the zero
 * vector; {@code lcm/train/two_tower_diffusion_lcm/criterion.py}: the target mask is the padding mask), with x₀ as
 * target, timesteps uniform in [0, T) ({@code step_sampling: uniform} in {@code recipes/train/pretrain/two_tower.yaml})
 * and classifier-free guidance's condition dropped on ⌊(L − 1)·p⌋ rows of the cross-attention mask, position 0 never
 * among them ({@code lcm/nn/denoisers/attention_masks.py}). Predicts by DDIM (η = 0) from Gaussian noise.
 */
public final class TwoTowerLcm extends LcmNetwork {
    public static final String DENOISER_FILE = "denoiser.safetensors";
    /** Prefix of the denoiser's weights among the optimizer's keys. */
    private static final String PREFIX = "denoiser.";

    private final Denoiser denoiser;
    private final NoiseSchedule schedule;
    private final double conditionDrop;

    TwoTowerLcm(ConceptTransformer body, LcmSettings settings, Denoiser denoiser, double conditionDrop) {
        super(body, settings);
        this.denoiser = denoiser;
        this.schedule = new NoiseSchedule(settings.diffusionSteps());
        this.conditionDrop = conditionDrop;
    }

    static TwoTowerLcm load(ConceptTransformer body, LcmSettings settings, Path dir) {
        Path file = dir.resolve(DENOISER_FILE);
        if (!Files.isRegularFile(file)) {
            body.close();
            throw new UserInputException(dir + ": no " + DENOISER_FILE + " beside the two-tower's body");
        }
        int d = body.config().hiddenSize();
        Map<String, NDArray> params = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            Denoiser.layout(settings.dim(), d, settings.denoiserLayers()).forEach((key, shape) -> {
                if (!r.tensors().containsKey(key)) {
                    throw new UserInputException(file + ": no tensor '" + key + "'");
                }
                params.put(key, body.manager().create(r.readFloats(key), new Shape(shape)));
            });
        } catch (RuntimeException e) {
            body.close();
            throw e;
        }
        return new TwoTowerLcm(body, settings, Denoiser.of(settings.dim(), d, settings.denoiserLayers(),
                settings.denoiserHeads(), params), 0);
    }

    Denoiser denoiser() {
        return denoiser;
    }

    NoiseSchedule schedule() {
        return schedule;
    }

    @Override
    Map<String, NDArray> parameters() {
        Map<String, NDArray> all = new LinkedHashMap<>(body.parameters());
        denoiser.parameters().forEach((k, v) -> all.put(PREFIX + k, v));
        return all;
    }

    @Override
    void setTrainable() {
        body.setTrainable(k -> true);
        denoiser.parameters().values().forEach(p -> p.setRequiresGradient(true));
    }

    @Override
    NDArray loss(NDManager step, ConceptBatch batch, LcmLoss loss, SplittableRandom rng) {
        int n = batch.batch() * batch.length();
        int dim = batch.dim();
        int[] timesteps = new int[n];
        float[] noisy = new float[batch.values().length];
        for (int i = 0; i < n; i++) {
            timesteps[i] = rng.nextInt(schedule.steps());
            for (int c = 0; c < dim; c++) {
                noisy[i * dim + c] = schedule.noised(batch.values()[i * dim + c], (float) rng.nextGaussian(), timesteps[i]);
            }
        }
        NDArray context = body.forward(step, batch.inputs(step), batch.mask(), Hooks.none());
        NDArray bias = Denoiser.CrossMask.training(step, batch.batch(), batch.length(), batch.mask(),
                droppedRows(batch.length(), rng));
        NDArray predicted = denoiser.forward(step, step.create(noisy, new Shape(batch.batch(), batch.length(), dim)),
                timesteps, context, bias);
        return loss.mean(step, predicted, batch.inputs(step), batch.weights(step));
    }

    /** ⌊(L − 1)·p⌋ distinct rows of 1..L−1, drawn uniformly (their {@code 1 + randperm(L − 1)[:k]}). */
    boolean[] droppedRows(int length, SplittableRandom rng) {
        boolean[] dropped = new boolean[length];
        int[] rows = new int[length - 1];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i + 1;
        }
        int k = (int) Math.floor((length - 1) * conditionDrop);
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(rows.length - i);
            int swap = rows[i];
            rows[i] = rows[j];
            rows[j] = swap;
            dropped[rows[i]] = true;
        }
        return dropped;
    }

    @Override
    void writeExtras(Path folder) {
        SafetensorsWriter w = new SafetensorsWriter().metadata("producer", "mono4j");
        denoiser.parameters().forEach((k, v) -> w.addF32(k, v.getShape().getShape(), v.toFloatArray()));
        w.write(folder.resolve(DENOISER_FILE));
    }

    /**
     * DDIM sampling (their {@code predict_next_sentence} and {@code _with_cf_guidance}): x from N(0, I) (seeded), at
     * each inference timestep the denoiser's x₀; with a guidance scale g ≠ 1 also the unconditioned x₀ (the zero
     * vector only), combined on the implied noises ε = ε_u + g (ε_c − ε_u); at ᾱ_t = 0 (the first, zero-SNR step)
     * theirs takes the conditioned x₀, as x₀ cannot be recovered from ε there. Returns the last step's x₀.
     */
    @Override
    public float[][] predictNext(List<float[][]> contexts, long seed) {
        ConceptBatch batch = ConceptBatch.of(truncated(contexts), settings.dim());
        int rows = batch.batch();
        int dim = batch.dim();
        int[] lengths = new int[rows];
        for (int b = 0; b < rows; b++) {
            lengths[b] = batch.realLength(b);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[rows * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextGaussian();
        }
        double[] x0 = new double[x.length];
        int[] ts = schedule.inferenceTimesteps(settings.inferenceSteps());
        boolean guided = settings.guidanceScale() != 1;
        try (NDManager step = body.manager().newSubManager()) {
            NDArray context = body.forward(step, batch.inputs(step), batch.mask(), Hooks.none());
            NDArray conditioned = Denoiser.CrossMask.inference(step, lengths, batch.length(), true);
            NDArray unconditioned = guided ? Denoiser.CrossMask.inference(step, lengths, batch.length(), false) : null;
            for (int k = 0; k < ts.length; k++) {
                int t = ts[k];
                int prev = k + 1 < ts.length ? ts[k + 1] : -1;
                float[] cond = denoise(step, x, t, context, conditioned, rows);
                float[] uncond = guided ? denoise(step, x, t, context, unconditioned, rows) : null;
                for (int i = 0; i < x.length; i++) {
                    double eps = schedule.epsilon(x[i], cond[i], t);
                    x0[i] = cond[i];
                    if (guided && schedule.alphaBar(t) > 0) {
                        eps = schedule.epsilon(x[i], uncond[i], t) + settings.guidanceScale()
                                * (eps - schedule.epsilon(x[i], uncond[i], t));
                        x0[i] = schedule.sampleFromEpsilon(x[i], eps, t);
                    }
                    x[i] = schedule.ddimStep(x0[i], eps, prev);
                }
            }
        }
        float[][] next = new float[rows][dim];
        for (int b = 0; b < rows; b++) {
            for (int c = 0; c < dim; c++) {
                next[b][c] = (float) x0[b * dim + c];
            }
        }
        return next;
    }

    private float[] denoise(NDManager outer, double[] x, int t, NDArray context, NDArray bias, int rows) {
        try (NDManager step = outer.newSubManager()) {
            float[] xf = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                xf[i] = (float) x[i];
            }
            int[] timesteps = new int[rows];
            java.util.Arrays.fill(timesteps, t);
            return denoiser.forward(step, step.create(xf, new Shape(rows, 1, xf.length / rows)), timesteps, context, bias)
                    .toFloatArray();
        }
    }
}
