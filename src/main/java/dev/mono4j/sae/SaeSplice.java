package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.UserInputException;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.hooks.Interventions;

/**
 * An SAE spliced into a model at a hook point, as SAELens' {@code HookedSAETransformer} attaches one
 * (sae_lens/saes/sae.py@62dca28, {@code SAE.forward}): the hook's tensor is replaced by the SAE's reconstruction, and
 * the SAE's own hook points ({@link HookPoint#SAE_HOOKS}, e.g. {@code blocks.3.hook_resid_post.hook_sae_acts_post})
 * can be captured and intervened on like any other. With {@code keepError} the reconstruction error of the
 * unmodified input is added back (SAELens' {@code use_error_term}), so the model's output is unchanged until a latent
 * is changed; like SAELens, the error is computed without the SAE's hooks and carries no gradient.
 */
public final class SaeSplice {
    private SaeSplice() {
    }

    /** Splices {@code sae} in at hook {@code at} of the passes {@code hooks} serves; returns {@code hooks}. */
    public static Hooks attach(Hooks hooks, SparseAutoencoder sae, String at, boolean keepError) {
        return hooks.intervene(at, (name, x) -> {
            Shape shape = x.getShape();
            long width = shape.size() / (shape.get(0) * shape.get(1));
            if (width != sae.dIn()) {
                throw new UserInputException("an SAE with d_in " + sae.dIn() + " at " + name + ", whose vectors are "
                        + width + " wide");
            }
            // [batch, pos, d_in] as SAELens' hooks see it (per-head hooks flattened, as its hook_z reshaping).
            long[] flat = {shape.get(0), shape.get(1), sae.dIn()};
            NDArray rows = hooks.apply(HookPoint.sae(at, "hook_sae_input"), x.reshape(flat));
            SparseAutoencoder.Input in = sae.input(rows);
            NDArray pre = hooks.apply(HookPoint.sae(at, "hook_sae_acts_pre"), sae.preActivation(in));
            NDArray latents = hooks.apply(HookPoint.sae(at, "hook_sae_acts_post"), sae.activate(pre));
            NDArray out = in.restore(hooks.apply(HookPoint.sae(at, "hook_sae_recons"), sae.decode(latents)));
            if (keepError) {
                NDArray error = x.reshape(flat);
                error = error.sub(sae.reconstruct(error)).stopGradient();
                out = out.add(hooks.apply(HookPoint.sae(at, "hook_sae_error"), error));
            }
            return hooks.apply(HookPoint.sae(at, "hook_sae_output"), out).reshape(shape);
        });
    }

    /** Sets latent {@code latent} of an SAE spliced in at {@code at} to {@code value} at every position. */
    public static Hooks clampLatent(Hooks hooks, SparseAutoencoder sae, String at, int latent, float value) {
        checkLatent(sae, latent);
        return hooks.intervene(HookPoint.sae(at, "hook_sae_acts_post"), f -> {
            NDArray column = f.getManager().zeros(new Shape(1, sae.dSae()));
            column.set(new NDIndex("0, " + latent), 1f);
            // f·(1 − e_j) + value·e_j, with tensors only (no Number arguments under autograd).
            NDArray keep = column.neg().add(f.getManager().ones(new Shape(1, sae.dSae())));
            return f.mul(keep).add(column.mul(f.getManager().full(new Shape(), value)));
        });
    }

    /** Adds {@code coefficient} × latent {@code latent}'s decoder row at hook {@code at} (steering by an SAE feature). */
    public static Hooks steer(Hooks hooks, SparseAutoencoder sae, String at, int latent, double coefficient) {
        return Interventions.addVector(hooks, at, decoderRow(sae, latent), coefficient);
    }

    /** Latent {@code latent}'s decoder row, the direction it writes ({@code d_in} values). */
    public static float[] decoderRow(SparseAutoencoder sae, int latent) {
        checkLatent(sae, latent);
        return java.util.Arrays.copyOfRange(sae.decoderRows(), latent * sae.dIn(), (latent + 1) * sae.dIn());
    }

    private static void checkLatent(SparseAutoencoder sae, int latent) {
        if (latent < 0 || latent >= sae.dSae()) {
            throw new UserInputException("latent " + latent + " is outside the SAE's " + sae.dSae() + " latents");
        }
    }
}
