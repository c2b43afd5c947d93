package dev.mono4j.lcm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.UserInputException;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.io.Json;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.ConceptTransformer;
import dev.mono4j.model.Transformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A trainable Large Concept Model: a causal {@link ConceptTransformer} body over normalised sentence embeddings,
 * and, for the Two-Tower, a denoiser. Its folder is the body's Hugging Face-style checkpoint (config.json,
 * model.safetensors) with {@link LcmSettings#FILE} and, for the Two-Tower, {@value TwoTowerLcm#DENOISER_FILE}.
 */
public abstract sealed class LcmNetwork implements ConceptModel permits BaseLcm, TwoTowerLcm {
    final ConceptTransformer body;
    final LcmSettings settings;

    LcmNetwork(ConceptTransformer body, LcmSettings settings) {
        this.body = body;
        this.settings = settings;
    }

    public LcmSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return settings.kind();
    }

    /** Every trained weight by a unique name (the optimizer's keys). */
    abstract Map<String, NDArray> parameters();

    /** Turns gradients on for every weight. */
    abstract void setTrainable();

    /**
     * The training loss of {@code batch} (as {@link LcmLoss#mean}); {@code rng} draws whatever the objective samples
     * (the Two-Tower's timesteps, noise and dropped conditions). Arrays are owned by {@code step}.
     */
    abstract NDArray loss(NDManager step, ConceptBatch batch, LcmLoss loss, SplittableRandom rng);

    /** What the folder holds besides the body's checkpoint and the settings. */
    abstract void writeExtras(Path folder);

    /** Saves the model whole into {@code dir}, with {@code extras} (a checkpoint's loop files) beside it. */
    void save(Path dir, Checkpoint.Extras extras) {
        Checkpoint.save(body, dir, null, true, tmp -> {
            AtomicFiles.writeString(tmp.resolve(LcmSettings.FILE), Json.write(settings));
            writeExtras(tmp);
            extras.writeTo(tmp);
        });
    }

    /** The model in {@code dir}, by its {@link LcmSettings#FILE}. */
    static LcmNetwork load(Path dir) {
        LcmSettings settings = LcmModels.settings(dir);
        Transformer t = Checkpoint.load(dir);
        if (!(t instanceof ConceptTransformer body)) {
            t.close();
            throw new UserInputException(dir.resolve("config.json") + ": not a concept model's body");
        }
        return switch (settings.kind()) {
            case LcmSettings.BASE -> new BaseLcm(body, settings);
            case LcmSettings.TWO_TOWER -> TwoTowerLcm.load(body, settings, dir);
            default -> {
                body.close();
                throw new UserInputException(dir.resolve(LcmSettings.FILE) + ": unknown kind '" + settings.kind() + "'");
            }
        };
    }

    /** Each context's last {@link LcmSettings#context()} sentences, checked for width. */
    List<float[][]> truncated(List<float[][]> contexts) {
        List<float[][]> out = new ArrayList<>();
        for (float[][] c : contexts) {
            if (c.length == 0) {
                throw new IllegalArgumentException("a context needs at least one sentence");
            }
            out.add(c.length <= settings.context() ? c
                    : java.util.Arrays.copyOfRange(c, c.length - settings.context(), c.length));
        }
        return out;
    }

    @Override
    public void close() {
        body.close();
    }
}
