package dev.mono4j.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The model families mono4j runs, named as Hugging Face's {@code architectures} field names them: decoders
 * (causal language models) and BERT, a bidirectional encoder without an LM head.
 */
public enum Architecture {
    GPT2("GPT2LMHeadModel", "gpt2"),
    LLAMA("LlamaForCausalLM", "llama"),
    QWEN2("Qwen2ForCausalLM", "qwen2"),
    MISTRAL("MistralForCausalLM", "mistral"),
    BERT("BertModel", "bert");

    public final String hfName;
    public final String modelType;

    Architecture(String hfName, String modelType) {
        this.hfName = hfName;
        this.modelType = modelType;
    }

    /** GPT-2: Conv1D weights stored {@code [in, out]}, a fused q/k/v projection and {@code transformer.*} names. */
    public boolean isGpt2() {
        return this == GPT2;
    }

    /**
     * BERT: bidirectional attention, post-LayerNorm blocks and no LM head; its forward pass returns the last
     * hidden state, so generation, next-token losses and training refuse it.
     */
    public boolean isEncoder() {
        return this == BERT;
    }

    /** Learned absolute position embeddings with a hard length limit (GPT-2, BERT); the others are rotary. */
    public boolean learnedPositions() {
        return this == GPT2 || this == BERT;
    }

    /** LayerNorm with a bias (GPT-2, BERT); the others use RMSNorm. */
    public boolean layerNorm() {
        return this == GPT2 || this == BERT;
    }

    /** SwiGLU MLP with gate and up projections (the Llama family); GPT-2 and BERT have fc → GELU → out. */
    public boolean gatedMlp() {
        return this == LLAMA || this == QWEN2 || this == MISTRAL;
    }

    public static Architecture fromHfName(String name) {
        for (Architecture a : values()) {
            if (a.hfName.equals(name) || a.modelType.equals(name)) {
                return a;
            }
        }
        return null;
    }

    public static String supported() {
        return Arrays.stream(values()).map(a -> a.hfName).collect(Collectors.joining(", "));
    }
}
