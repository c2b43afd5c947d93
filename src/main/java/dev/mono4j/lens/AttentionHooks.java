package dev.mono4j.lens;

/**
 * The per-head attention hooks the lens reads, in TransformerLens' names. They are built here only until
 * {@code hooks.HookPoint} gains the attention hooks (a parallel change); the lens uses them only when the model
 * lists them in {@code hookNames()}.
 */
final class AttentionHooks {
    private AttentionHooks() {
    }

    /** Each head's attention-weighted values, {@code [batch, pos, head, d_head]}, before the output projection. */
    static String z(int layer) {
        return "blocks." + layer + ".attn.hook_z";
    }

    /** Each head's output in the residual stream, {@code [batch, pos, head, d_model]}, the output bias excluded. */
    static String result(int layer) {
        return "blocks." + layer + ".attn.hook_result";
    }
}
