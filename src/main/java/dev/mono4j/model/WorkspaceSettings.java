package dev.mono4j.model;

import java.util.Locale;

/**
 * The shared global workspace's settings (Goyal et al., arXiv 2103.01197; code anirudh9119/shared_workspace
 * @caf1798, fact sheet {@code /work/shared/papers/workspace.md} §2), as {@link WorkspaceFamily}'s config.json
 * fields.
 *
 * @param workspace     HARD (HSW: each slot writes from its top-k tokens), SOFT (SSW: from all tokens), or NONE
 *                      (no workspace: Llama's self-attention, which {@code attentionTopk} may sparsify: STR)
 * @param slots         m, the memory slots (default 4: {@code multihead_attention.py} L57 and {@code run.py}'s
 *                      default {@code mem_slots}; the fact sheet's §5 m = 4)
 * @param writeTopk     k, the tokens each slot and head keeps in the hard write (default 3: {@code run.py}'s
 *                      default {@code topk}, §5 k = 3); unused by the other variants
 * @param keySize       the query/key width per head of the workspace's attention (default 32:
 *                      {@code multihead_attention.py} L136 {@code key_size=32}); values are head_dim wide
 * @param attentionTopk STR's k: self-attention probabilities kept per query and head, 0 for all (default 0);
 *                      only without a workspace, which replaces self-attention
 * @param shareLayers   one set of block weights used by every layer, and one workspace carried from layer to
 *                      layer (default true: the README's reproduction settings share parameters,
 *                      {@code transformers.py} L108–109, L160–171; §5 too); false gives every layer its own
 *                      weights and its own workspace, reset at each layer (as the authors' unshared layers keep
 *                      one memory per layer module)
 */
public record WorkspaceSettings(Workspace workspace, int slots, int writeTopk, int keySize, int attentionTopk,
        boolean shareLayers) implements ModelConfig.FamilySettings {

    /** The variants of the authors' README table (fact sheet §2): hard, soft, or none. */
    public enum Workspace {
        HARD, SOFT, NONE;

        /** As config.json's {@code workspace} writes it. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final int DEFAULT_SLOTS = 4;
    public static final int DEFAULT_WRITE_TOPK = 3;
    public static final int DEFAULT_KEY_SIZE = 32;
    public static final int DEFAULT_ATTENTION_TOPK = 0;
    public static final boolean DEFAULT_SHARE_LAYERS = true;

    public WorkspaceSettings {
        if (slots < 1 || writeTopk < 1 || keySize < 1 || attentionTopk < 0) {
            throw new IllegalArgumentException("workspace_slots, workspace_topk and workspace_key_size must be at"
                    + " least 1, attention_topk at least 0");
        }
        if (workspace != Workspace.NONE && attentionTopk != 0) {
            throw new IllegalArgumentException("attention_topk " + attentionTopk + " needs workspace none: the "
                    + workspace.configName() + " workspace replaces self-attention");
        }
    }

    /** A variant with the defaults. */
    public static WorkspaceSettings of(Workspace workspace, int attentionTopk) {
        return new WorkspaceSettings(workspace, DEFAULT_SLOTS, DEFAULT_WRITE_TOPK, DEFAULT_KEY_SIZE, attentionTopk,
                DEFAULT_SHARE_LAYERS);
    }

    /** The same settings with other layer sharing. */
    public WorkspaceSettings withShareLayers(boolean share) {
        return new WorkspaceSettings(workspace, slots, writeTopk, keySize, attentionTopk, share);
    }
}
