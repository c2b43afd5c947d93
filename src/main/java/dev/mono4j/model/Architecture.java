package dev.mono4j.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The decoder families mono4j runs, named as Hugging Face's {@code architectures} field names them. */
public enum Architecture {
    GPT2("GPT2LMHeadModel", "gpt2"),
    LLAMA("LlamaForCausalLM", "llama"),
    QWEN2("Qwen2ForCausalLM", "qwen2"),
    MISTRAL("MistralForCausalLM", "mistral");

    public final String hfName;
    public final String modelType;

    Architecture(String hfName, String modelType) {
        this.hfName = hfName;
        this.modelType = modelType;
    }

    /** GPT-2 uses LayerNorm, learned positions and a plain MLP; the others RMSNorm, rotary and SwiGLU. */
    public boolean isGpt2() {
        return this == GPT2;
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
