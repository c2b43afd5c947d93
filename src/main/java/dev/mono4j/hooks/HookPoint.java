package dev.mono4j.hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hook point names, as TransformerLens names them, and glob matching over them. This is the one place that
 * builds and parses them: a block's hook is {@code blocks.<layer>.<kind>}.
 */
public final class HookPoint {
    private static final String BLOCKS = "blocks.";
    /** A block's hook: group 1 the layer, group 2 the kind (e.g. "mlp.hook_post"). */
    private static final Pattern BLOCK_HOOK = Pattern.compile("blocks\\.(\\d+)\\.(.*)");

    public static final String EMBED = "hook_embed";
    public static final String POS_EMBED = "hook_pos_embed";
    public static final String LN_FINAL = "ln_final.hook_normalized";

    private HookPoint() {
    }

    /** The layer of a block's hook ("blocks.3.hook_resid_post" → 3); empty for hooks outside the blocks. */
    public static OptionalInt layer(String name) {
        Matcher m = BLOCK_HOOK.matcher(name);
        return m.matches() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    /** The same kind of hook in another layer ("blocks.3.x", 5 → "blocks.5.x"); other hooks unchanged. */
    public static String inLayer(String name, int layer) {
        return withLayer(name, String.valueOf(layer));
    }

    /** The glob over every layer's hook of this kind ("blocks.3.x" → "blocks.*.x"); other hooks unchanged. */
    public static String layerGlob(String name) {
        return withLayer(name, "*");
    }

    /** The name with its layer written as {@code layer} (e.g. "{0..5}" for a summary); other hooks unchanged. */
    public static String withLayer(String name, String layer) {
        Matcher m = BLOCK_HOOK.matcher(name);
        return m.matches() ? BLOCKS + layer + "." + m.group(2) : name;
    }

    public static String residPre(int l) {
        return BLOCKS + l + ".hook_resid_pre";
    }

    /** An attention hook of layer {@code l} by its TransformerLens name, {@code blocks.l.attn.hook_<kind>}. */
    private static String attn(int l, String kind) {
        return BLOCKS + l + ".attn.hook_" + kind;
    }

    /** Queries {@code [batch, pos, head, d_head]}, before rotary (TransformerLens' {@code hook_q}). */
    public static String attnQ(int l) {
        return attn(l, "q");
    }

    /** Keys {@code [batch, pos, kv_head, d_head]} (one per key/value head under GQA), before rotary. */
    public static String attnK(int l) {
        return attn(l, "k");
    }

    /** Values {@code [batch, pos, kv_head, d_head]}. */
    public static String attnV(int l) {
        return attn(l, "v");
    }

    /** Rotary models only: queries after rotary, {@code [batch, pos, head, d_head]}. */
    public static String attnRotQ(int l) {
        return attn(l, "rot_q");
    }

    /** Rotary models only: keys after rotary, {@code [batch, pos, kv_head, d_head]}. */
    public static String attnRotK(int l) {
        return attn(l, "rot_k");
    }

    /** Scaled (and, for Gemma-2, soft-capped), masked scores before the softmax, {@code [batch, head, query, key]}. */
    public static String attnScores(int l) {
        return attn(l, "attn_scores");
    }

    /** Attention probabilities, {@code [batch, head, query, key]}. */
    public static String attnPattern(int l) {
        return attn(l, "pattern");
    }

    /** Each head's weighted values before the output projection, {@code [batch, pos, head, d_head]}. */
    public static String attnZ(int l) {
        return attn(l, "z");
    }

    /**
     * Each head's output projected into the residual stream, {@code [batch, pos, head, d_model]}, without the output
     * bias (TransformerLens' {@code hook_result}; they sum with the bias to {@code hook_attn_out}). Computed only when
     * a pass captures or replaces it: it costs {@code heads} times the output projection.
     */
    public static String attnResult(int l) {
        return attn(l, "result");
    }

    /**
     * The hook points of an SAE spliced in at {@code at} (SAELens' names, sae_lens/saes/sae.py@62dca28), in the order
     * the splice reaches them: its input {@code [rows, d_in]}, pre-activations and latents {@code [rows, d_sae]}, the
     * reconstruction in the SAE's normalised space, the error term, and the output that replaces the hook's tensor.
     * Each is {@code [batch, pos, ...]}, per-head hooks flattened to {@code [batch, pos, head·d_head]}.
     */
    public static final List<String> SAE_HOOKS = List.of("hook_sae_input", "hook_sae_acts_pre", "hook_sae_acts_post",
            "hook_sae_recons", "hook_sae_error", "hook_sae_output");

    /** The SAE hook {@code kind} (one of {@link #SAE_HOOKS}) of an SAE spliced in at {@code at}. */
    public static String sae(String at, String kind) {
        if (!SAE_HOOKS.contains(kind)) {
            throw new IllegalArgumentException(kind + " is not an SAE hook (" + SAE_HOOKS + ")");
        }
        return at + "." + kind;
    }

    /** Whether a hook's tensor is {@code [batch, pos, ...]} (every hook but the attention scores and pattern). */
    public static boolean positionwise(String name) {
        return !name.endsWith(".attn.hook_attn_scores") && !name.endsWith(".attn.hook_pattern");
    }

    /** The attention hooks of layer {@code l} in the order the forward pass reaches them. */
    public static List<String> attention(int l, boolean rotary) {
        List<String> names = new ArrayList<>(List.of(attnQ(l), attnK(l), attnV(l)));
        if (rotary) {
            names.addAll(List.of(attnRotQ(l), attnRotK(l)));
        }
        names.addAll(List.of(attnScores(l), attnPattern(l), attnZ(l), attnResult(l)));
        return names;
    }

    public static String attnOut(int l) {
        return BLOCKS + l + ".hook_attn_out";
    }

    public static String residMid(int l) {
        return BLOCKS + l + ".hook_resid_mid";
    }

    /** MLP pre-activation: GPT-2's c_fc output, the gate_proj output of gated MLPs. */
    public static String mlpPre(int l) {
        return BLOCKS + l + ".mlp.hook_pre";
    }

    /** Gated MLPs only: the up_proj output (the activation DecPO regularises). */
    public static String mlpPreLinear(int l) {
        return BLOCKS + l + ".mlp.hook_pre_linear";
    }

    /** What enters the MLP's down/out projection. */
    public static String mlpPost(int l) {
        return BLOCKS + l + ".mlp.hook_post";
    }

    public static String mlpOut(int l) {
        return BLOCKS + l + ".hook_mlp_out";
    }

    /**
     * Monet's routing probabilities of layer {@code l}, side 1 or 2 of the expert grid: {@code [B, T, heads,
     * √N]}, as the authors' {@code router_probs[l][side - 1]}; layers that reuse a group's routing show it again.
     */
    public static String moeRoute(int l, int side) {
        return BLOCKS + l + ".moe.hook_route" + side;
    }

    /**
     * Monet's expert scores of layer {@code l}, g_ij = Σ_h g¹_hi g²_hj, {@code [B, T, √N, √N]}: materialised
     * only when a pass captures or replaces it (zeroing cells there removes those experts).
     */
    public static String moeExpertScores(int l) {
        return BLOCKS + l + ".moe.hook_expert_scores";
    }

    /**
     * The shared workspace's write attention of layer {@code l} ({@code WorkspaceFamily}), {@code [batch, pos,
     * head, slot, token]}: at each position, how much each slot took from each token at or before it, after the
     * hard variant's top-k (zeros for tokens a slot did not select).
     */
    public static String workspaceWritePattern(int l) {
        return BLOCKS + l + ".workspace.hook_write_pattern";
    }

    /** The workspace's slots after layer {@code l}'s gated update, {@code [batch, pos, slot, d]}. */
    public static String workspaceSlots(int l) {
        return BLOCKS + l + ".workspace.hook_slots";
    }

    /** The broadcast of layer {@code l}: each token's attention over the slots, {@code [batch, pos, head, slot]}. */
    public static String workspaceReadPattern(int l) {
        return BLOCKS + l + ".workspace.hook_read_pattern";
    }

    public static String residPost(int l) {
        return BLOCKS + l + ".hook_resid_post";
    }

    /**
     * Every hook point of a model, in the order the forward pass reaches them. Encoders (BERT) have no final
     * norm; their post-LN blocks place resid_mid and resid_post after the blocks' LayerNorms.
     */
    public static List<String> all(int layers, boolean learnedPositions, boolean rotary, boolean gatedMlp,
            boolean finalNorm) {
        List<String> names = new ArrayList<>();
        names.add(EMBED);
        if (learnedPositions) {
            names.add(POS_EMBED);
        }
        for (int l = 0; l < layers; l++) {
            names.add(residPre(l));
            names.addAll(attention(l, rotary));
            names.add(attnOut(l));
            names.add(residMid(l));
            names.add(mlpPre(l));
            if (gatedMlp) {
                names.add(mlpPreLinear(l));
            }
            names.add(mlpPost(l));
            names.add(mlpOut(l));
            names.add(residPost(l));
        }
        if (finalNorm) {
            names.add(LN_FINAL);
        }
        return names;
    }

    /**
     * A glob over hook names: {@code *} matches any run of characters (dots included), {@code ?} one.
     * Several globs may be given separated by commas.
     */
    public static Pattern glob(String globs) {
        StringBuilder re = new StringBuilder();
        for (String g : globs.split(",")) {
            if (re.length() > 0) {
                re.append('|');
            }
            re.append('(');
            for (char ch : g.trim().toCharArray()) {
                switch (ch) {
                    case '*' -> re.append(".*");
                    case '?' -> re.append('.');
                    default -> re.append(Pattern.quote(String.valueOf(ch)));
                }
            }
            re.append(')');
        }
        return Pattern.compile(re.toString());
    }
}
