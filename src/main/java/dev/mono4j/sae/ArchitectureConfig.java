package dev.mono4j.sae;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.annotation.JsonTypeIdResolver;

/**
 * One SAE architecture's own settings (an immutable record per architecture, holding only its knobs), and the
 * training SAE they make. {@link SaeArchitectures} maps each {@code --architecture} name to its defaults; the
 * trainer only ever sees this interface and {@link TrainableSae}. In JSON the record is written with its name,
 * {@code {"name": "topk", "k": 32, ...}}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CUSTOM, include = JsonTypeInfo.As.PROPERTY, property = "name")
@JsonTypeIdResolver(SaeArchitectures.NameResolver.class)
public interface ArchitectureConfig {
    /** The name it is registered under: the {@code --architecture} value (relu, topk, ...). */
    String architecture();

    /** The sparsity setting {@code sae compare --sweep} varies, by its flag without dashes (k, l1, l0, htf). */
    String knob();

    /** The knob's value in these settings. */
    double knobValue();

    /** These settings with the knob at {@code v}; the record's own checks refuse a value out of range. */
    ArchitectureConfig withKnob(double v);

    /**
     * The SAE these settings train, not yet requiring gradients: call {@link TrainableSae#create} instead.
     * {@code inputNorm} is the mean norm of the (normalised) training rows.
     */
    TrainableSae newSae(SaeConfig run, int dIn, double inputNorm, float[] decoderBias, NDManager parent);
}
