package dev.mono4j.hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Hook point names, as TransformerLens names them, and glob matching over them. */
public final class HookPoint {
    public static final String EMBED = "hook_embed";
    public static final String POS_EMBED = "hook_pos_embed";
    public static final String LN_FINAL = "ln_final.hook_normalized";

    private HookPoint() {
    }

    public static String residPre(int l) {
        return "blocks." + l + ".hook_resid_pre";
    }

    public static String attnOut(int l) {
        return "blocks." + l + ".hook_attn_out";
    }

    public static String residMid(int l) {
        return "blocks." + l + ".hook_resid_mid";
    }

    /** MLP pre-activation: GPT-2's c_fc output, the gate_proj output of gated MLPs. */
    public static String mlpPre(int l) {
        return "blocks." + l + ".mlp.hook_pre";
    }

    /** Gated MLPs only: the up_proj output (the activation DecPO regularises). */
    public static String mlpPreLinear(int l) {
        return "blocks." + l + ".mlp.hook_pre_linear";
    }

    /** What enters the MLP's down/out projection. */
    public static String mlpPost(int l) {
        return "blocks." + l + ".mlp.hook_post";
    }

    public static String mlpOut(int l) {
        return "blocks." + l + ".hook_mlp_out";
    }

    public static String residPost(int l) {
        return "blocks." + l + ".hook_resid_post";
    }

    /**
     * Every hook point of a model, in the order the forward pass reaches them. Encoders (BERT) have no final
     * norm; their post-LN blocks place resid_mid and resid_post after the blocks' LayerNorms.
     */
    public static List<String> all(int layers, boolean learnedPositions, boolean gatedMlp, boolean finalNorm) {
        List<String> names = new ArrayList<>();
        names.add(EMBED);
        if (learnedPositions) {
            names.add(POS_EMBED);
        }
        for (int l = 0; l < layers; l++) {
            names.add(residPre(l));
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
