package dev.mono4j.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.UserInputException;
import java.util.Arrays;

/**
 * The interventions people steer and ablate with, as {@link Hooks} interventions: add a vector at a hook (activation
 * addition, Turner et al. 2023, "Activation Addition: Steering Language Models Without Optimization", §3) and zero an
 * attention head (TransformerLens' head ablation on {@code hook_z}). They act at every position of every pass the
 * hooks serve, prompt and generated tokens alike, as TransformerLens' hooks do during {@code generate}.
 */
public final class Interventions {
    private Interventions() {
    }

    /** Adds {@code coefficient · vector} along the last axis of every hook matching {@code glob}. */
    public static Hooks addVector(Hooks hooks, String glob, float[] vector, double coefficient) {
        float[] scaled = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            scaled[i] = (float) (coefficient * vector[i]);
        }
        return hooks.intervene(glob, (name, x) -> {
            long width = x.getShape().get(x.getShape().dimension() - 1);
            if (width != vector.length) {
                throw new UserInputException("a steering vector of " + vector.length + " values at " + name
                        + ", whose last axis is " + width);
            }
            return x.add(x.getManager().create(scaled));
        });
    }

    /** Zeroes head {@code head} of layer {@code layer}: its {@code hook_z} slice, so it adds nothing to the residual. */
    public static Hooks ablateHead(Hooks hooks, int layer, int head) {
        return hooks.intervene(HookPoint.attnZ(layer), (name, z) -> {
            int heads = Math.toIntExact(z.getShape().get(2));
            if (head < 0 || head >= heads) {
                throw new UserInputException("head " + head + " of layer " + layer + ": the layer has " + heads + " heads");
            }
            float[] keep = new float[heads];
            Arrays.fill(keep, 1f);
            keep[head] = 0f;
            return z.mul(z.getManager().create(keep, new Shape(1, 1, heads, 1)));
        });
    }
}
