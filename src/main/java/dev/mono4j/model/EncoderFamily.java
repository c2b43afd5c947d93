package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/** A family of bidirectional encoders: no causal mask, no LM head; the forward pass ends at the last hidden state. */
public interface EncoderFamily extends ModelFamily {
    @Override
    default TransformerEncoder newModel(ModelConfig c, NDManager manager, Map<String, NDArray> params) {
        return new TransformerEncoder(c, manager, params);
    }
}
