package dev.mono4j.select;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.data.LabelledText;
import java.util.List;

/**
 * One vector per sample, compared with the targets' prototype by a {@link VectorScorer}: pooled SAE codes or
 * activations ({@link ActivationVectors}), or a sentence encoder's embedding ({@link EmbeddingVectors}).
 */
interface SampleVectors extends AutoCloseable {
    /** The batch's vectors {@code [B, D]}, owned by {@code step}. */
    NDArray vectors(NDManager step, List<LabelledText> batch);

    /** The manager a scorer's per-batch managers come from (the model's). */
    NDManager manager();

    /** The hook point read, or null (an encoder's last hidden state). */
    String hook();

    /** What the vectors depend on besides the texts, to tell whether a {@link VectorCache} holds them. */
    ObjectNode key();

    @Override
    void close();
}
