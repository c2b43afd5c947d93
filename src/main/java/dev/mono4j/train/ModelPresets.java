package dev.mono4j.train;

import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.MonetFamily;
import dev.mono4j.model.MonetSettings;
import dev.mono4j.model.MonetSettings.Decomposition;
import dev.mono4j.model.ParameterLayout;
import dev.mono4j.model.WorkspaceFamily;
import dev.mono4j.model.WorkspaceSettings;
import dev.mono4j.model.WorkspaceSettings.Workspace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model sizes for pretraining from scratch, a capacity ladder for a vocabulary of about 2,000 words
 * (parameter counts at vocabulary 2,000 and context 128, Llama; GPT-2 adds its 128 learned positions):
 *
 * <pre>
 * preset  d_model  layers  heads   parameters
 * xs           32       4      2      114,464
 * s            64       8      4      530,496
 * m           128       8      4    1,839,232
 * l           256      12      8   10,004,736
 * </pre>
 *
 * Embeddings are tied (at this vocabulary they would otherwise be most of a small model). Llama's SwiGLU
 * width is 8d/3 rounded up to a multiple of 8, so its MLP has as many weights as GPT-2's 4d one and the
 * two architectures are compared at equal size; key/value heads equal query heads (no grouping).
 *
 * <p><b>Monet</b> ("monet-vd", "monet-hd": Llama attention with Monet's expert layer in the MLP's place,
 * {@link MonetFamily}) keeps the preset's d_model, layers and heads; its expert layer follows one rule (our
 * choice, after the small-scale analogue of the fact sheet {@code /work/shared/papers/monet.md} §8): 4 expert
 * heads, 32 experts per side (1,024 experts per layer), top-k 4 (threshold σ* = Φ⁻¹(1 − 4/32) ≈ 1.150), a
 * router every 2 layers, and the expert width moe_dim the even value ≥ 2 whose total parameter count (routers
 * included, BatchNorm buffers not) is closest to the dense Llama's of the same shape, vocabulary and context
 * (the smaller on a tie). VD and HD then have equal counts (both hold √N(2·d·m + m + d) expert weights per
 * layer). At vocabulary 2,000 and context 128:
 *
 * <pre>
 * preset  moe_dim   Monet parameters   vs Llama
 * xs            2            117,792     +2.9%
 * s             6            540,224     +1.8%
 * m            14          1,867,392     +1.5%
 * l            30         10,065,408     +0.6%
 * </pre>
 *
 * <p><b>Workspace</b> ("workspace-hard", "workspace-soft": a shared global workspace in self-attention's place;
 * "str": top-k sparse self-attention, k = 3; {@link WorkspaceFamily}) keeps the preset's d_model, layers and heads
 * and the fact sheet's ({@code /work/shared/papers/workspace.md} §5) setting: 4 slots, top-k 3 (hard write), key
 * size 32, one block shared by every layer (the authors' reproduction shares, §2). Sharing leaves a quarter to a
 * twelfth of the dense Llama's block weights, so the shared block's SwiGLU width is set to the value whose total
 * count is closest to the dense Llama's (our choice: the one free knob that leaves the workspace as specified; the
 * MLP is then far wider than 8d/3). Hard and soft count the same. At vocabulary 2,000 and context 128:
 *
 * <pre>
 * preset  workspace width  workspace parameters  STR width  STR parameters   vs Llama
 * xs                  336               114,466        482         114,464   +0.0%
 * s                 1,725               530,434      2,010         530,496   -0.0%
 * m                 3,475             1,839,106      3,951       1,839,104   -0.0%
 * l                11,073            10,004,994     12,018      10,004,736   +0.0%
 * </pre>
 */
public final class ModelPresets {
    /** A model's shape apart from its vocabulary and context. */
    public record Shape(int dModel, int layers, int heads) {
    }

    /** The Monet architectures, with the vertical and the horizontal decomposition of the experts. */
    public static final List<String> MONET_ARCHS = List.of("monet-vd", "monet-hd");

    /** The shared-workspace architectures (hard and soft write) and top-k sparse self-attention (STR). */
    public static final List<String> WORKSPACE_ARCHS = List.of("workspace-hard", "workspace-soft", "str");

    /**
     * Architectures a model can be trained in: "llama" (RMSNorm, rotary, SwiGLU), "gpt2", the Monet ones and the
     * workspace ones.
     */
    public static final List<String> ARCHS = java.util.stream.Stream.of(List.of("llama", "gpt2"), MONET_ARCHS,
            WORKSPACE_ARCHS).flatMap(List::stream).toList();

    /** STR's k, the fact sheet's §5 small-scale setting (k = 3, as the workspace's write). */
    static final int STR_TOPK = 3;

    /** The Monet expert layer's fixed part (see the class comment; our choice, after the fact sheet's §8). */
    static final int MOE_HEADS = 4;
    static final int MOE_EXPERTS = 32;
    static final int MOE_TOPK = 4;
    static final int MOE_GROUPS = 2;

    private static final Map<String, Shape> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("xs", new Shape(32, 4, 2));
        PRESETS.put("s", new Shape(64, 8, 4));
        PRESETS.put("m", new Shape(128, 8, 4));
        PRESETS.put("l", new Shape(256, 12, 8));
    }

    private ModelPresets() {
    }

    /** Preset names, smallest first. */
    public static java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(PRESETS.keySet());
    }

    public static Shape shape(String preset) {
        Shape s = PRESETS.get(preset);
        if (s == null) {
            throw new IllegalArgumentException("unknown preset '" + preset + "' (known: " + String.join(", ", names()) + ")");
        }
        return s;
    }

    /** The preset's model for an architecture of {@link #ARCHS}, a vocabulary and a context length. */
    public static ModelConfig presetConfig(String preset, String arch, int vocab, int seqLen) {
        Shape s = shape(preset);
        return config(arch, s.dModel(), s.layers(), s.heads(), vocab, seqLen);
    }

    /** A model of any shape, built as the presets are; its context ({@code max_position_embeddings}) is seqLen. */
    public static ModelConfig config(String arch, int dModel, int layers, int heads, int vocab, int seqLen) {
        return switch (arch) {
            case "llama" -> ModelConfig.llama(vocab, dModel, layers, heads, heads, swigluWidth(dModel), seqLen, true);
            case "gpt2" -> ModelConfig.gpt2(vocab, dModel, layers, heads, seqLen);
            case "monet-vd" -> monet(Decomposition.VERTICAL, dModel, layers, heads, vocab, seqLen);
            case "monet-hd" -> monet(Decomposition.HORIZONTAL, dModel, layers, heads, vocab, seqLen);
            case "workspace-hard" -> workspace(WorkspaceSettings.of(Workspace.HARD, 0), dModel, layers, heads, vocab,
                    seqLen);
            case "workspace-soft" -> workspace(WorkspaceSettings.of(Workspace.SOFT, 0), dModel, layers, heads, vocab,
                    seqLen);
            case "str" -> workspace(WorkspaceSettings.of(Workspace.NONE, STR_TOPK), dModel, layers, heads, vocab, seqLen);
            default -> throw new IllegalArgumentException("unknown arch '" + arch + "' (known: " + String.join(", ", ARCHS)
                    + ")");
        };
    }

    /**
     * A Monet of the shape with tied embeddings and key/value heads equal to query heads (as the dense presets),
     * its moe_dim the even value ≥ 2 that brings its parameter count closest to the dense Llama's (class comment).
     */
    private static ModelConfig monet(Decomposition d, int dModel, int layers, int heads, int vocab, int seqLen) {
        long dense = ParameterLayout.count(config("llama", dModel, layers, heads, vocab, seqLen));
        ModelConfig best = null;
        long bestGap = Long.MAX_VALUE;
        // The count grows with moe_dim, so the gap falls to its least and then rises.
        for (int dim = 2; ; dim += 2) {
            ModelConfig c = MonetFamily.config(vocab, dModel, layers, heads, heads, seqLen, true,
                    new MonetSettings(dim, MOE_HEADS, MOE_EXPERTS, MOE_TOPK, MOE_GROUPS, d));
            long gap = Math.abs(ParameterLayout.count(c) - dense);
            if (gap >= bestGap) {
                return best;
            }
            best = c;
            bestGap = gap;
        }
    }

    /**
     * A {@link WorkspaceFamily} model of the shape with tied embeddings, its one shared block's SwiGLU width the
     * value ≥ 1 whose parameter count is closest to the dense Llama's (class comment). The count grows by 3·d per
     * unit of width, so the width is solved for directly (the smaller on a tie).
     */
    private static ModelConfig workspace(WorkspaceSettings s, int dModel, int layers, int heads, int vocab, int seqLen) {
        long dense = ParameterLayout.count(config("llama", dModel, layers, heads, vocab, seqLen));
        long withoutMlp = ParameterLayout.count(WorkspaceFamily.config(vocab, dModel, layers, heads, 0, seqLen, true, s));
        long perWidth = 3L * dModel * (s.shareLayers() ? 1 : layers);
        long width = Math.max(1, Math.floorDiv(2 * (dense - withoutMlp) + perWidth - 1, 2 * perWidth));
        return WorkspaceFamily.config(vocab, dModel, layers, heads, Math.toIntExact(width), seqLen, true, s);
    }

    /** 8d/3 rounded up to a multiple of 8: three d×w matrices hold as many weights as GPT-2's two d×4d. */
    static int swigluWidth(int dModel) {
        return (8 * dModel + 23) / 24 * 8;
    }
}
