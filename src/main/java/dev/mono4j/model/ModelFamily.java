package dev.mono4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one model family owns: its Hugging Face {@code config.json}, its parameter names and shapes, its
 * block's forward pass, its hook points and its LoRA target names. Shared pieces (attention, rotary, norms,
 * embeddings, the projection that adapters hook into) are in {@link ForwardPass}; a family composes them.
 * A family is a {@link DecoderFamily} (its models are {@link TransformerLM}s) or an {@link EncoderFamily}
 * ({@link TransformerEncoder}s). To add one: implement it in one file and {@link FamilyRegistry#register} it.
 */
public interface ModelFamily {
    /** Hugging Face's {@code model_type}, e.g. "gpt2". */
    String modelType();

    /** Hugging Face's {@code architectures[0]}, e.g. "GPT2LMHeadModel". */
    String hfArchitecture();

    /** Reads the family's {@code config.json}; fields the family does not run are refused, not ignored. */
    ModelConfig readConfig(ConfigReader r);

    /**
     * The family's fields of a config.json that Hugging Face transformers and mono4j both load, added to
     * {@code json} (which already holds architectures, model_type and vocab_size).
     */
    void writeConfig(ModelConfig c, Map<String, Object> json);

    /** Every weight a checkpoint must hold, under its Hugging Face key, with its shape, in checkpoint order. */
    Map<String, long[]> parameters(ModelConfig c);

    /** Where the blocks' weights start, e.g. "transformer.h."; block {@code l}'s are under this + l + ".". */
    String blocksPrefix();

    default String layerPrefix(int layer) {
        return blocksPrefix() + layer + ".";
    }

    /**
     * Whether the block projections store their weight {@code [in, out]} (GPT-2's Conv1D: y = x W + b)
     * instead of PyTorch Linear's {@code [out, in]} (y = x Wᵀ + b).
     */
    default boolean conv1dWeights() {
        return false;
    }

    /** Keys a checkpoint may hold that are not loaded (buffers, recomputed tables, a duplicate tied head). */
    default boolean isIgnorable(ModelConfig c, String key) {
        return c.tieEmbeddings() && key.equals("lm_head.weight");
    }

    /**
     * Whether a key is a buffer, not a weight: loaded and saved with the weights, changed by the forward pass
     * in training mode (Monet's BatchNorm running statistics), never by the optimizer, not counted as a parameter.
     */
    default boolean isBuffer(String key) {
        return false;
    }

    /**
     * The value every entry of {@code key} starts at in a randomly initialised model, or null for the shared
     * rule of {@code Transformer.random} (norm scales 1, biases 0, other weights N(0, 0.02)).
     */
    default Float initialValue(String key) {
        return null;
    }

    /**
     * The loss a model of this config adds to the language-modelling loss when trained from scratch (Monet's
     * routing losses), or none (the default: every other family trains on the LM loss alone).
     */
    default Optional<AuxiliaryLoss> auxiliaryLoss(ModelConfig c) {
        return Optional.empty();
    }

    /** What {@code inspect} shows of the family's own structure beyond the shared shape (name → one line). */
    default Map<String, String> details(ModelConfig c) {
        return Map.of();
    }

    /** The keys under which a file may store a canonical key, first match wins. */
    default List<String> fileKeys(String canonical) {
        return List.of(canonical);
    }

    /**
     * The config.json field that caps a sequence's length (the model's maxPositions). Transformers' configs
     * describe it as "the maximum sequence length that this model might ever be used with" (GPT2Config's
     * n_positions, LlamaConfig's and BertConfig's max_position_embeddings). Learned positions have no
     * embedding beyond it; rotary models run past it but outside the positions they were trained on, so
     * mono4j refuses both (our choice for rotary: a silent run out of range gives numbers no one can trust).
     */
    default String positionLimitField() {
        return "max_position_embeddings";
    }

    /**
     * How many leading dimensions of each rotary head the rotary embedding rotates (and whose frequencies it
     * spreads over); the rest pass through unrotated. All of them by default; GPT-NeoX rotates
     * {@code int(head_dim * rotary_pct)} (HF {@code modeling_gpt_neox.py}@006bd23, {@code rotary_ndims}).
     */
    default int rotaryDim(ModelConfig c) {
        return c.headDim();
    }

    /**
     * The factor on q·k before the softmax: 1/√d_head ("Attention Is All You Need", Eq. 1) unless the family
     * says otherwise (Gemma-2: query_pre_attn_scalar^-1/2).
     */
    default double attentionScale(ModelConfig c) {
        return 1 / Math.sqrt(c.headDim());
    }

    /**
     * The soft cap on attention scores, cap · tanh(scores / cap), applied after the scale and before the mask
     * ({@link ForwardPass#softcap}); 0 for none (every family but Gemma-2).
     */
    default double attentionSoftcap(ModelConfig c) {
        return 0;
    }

    /**
     * How many attention probabilities per query and head are kept, the rest zeroed without renormalising
     * (top-k sparse self-attention, STR: {@link ForwardPass#keepTopk}); 0 keeps them all (every family but a
     * workspace model set to STR).
     */
    default int attentionTopk(ModelConfig c) {
        return 0;
    }

    /** Whether positions are learned embeddings (GPT-2, BERT: a hook_pos_embed), not rotary. */
    default boolean learnedPositions() {
        return false;
    }

    /** Every hook point of a model of this config, in the order the forward pass reaches them. */
    List<String> hookNames(ModelConfig c);

    /** Layer {@code l}'s MLP activation, which DecPO regularises and measure reads by default. */
    String mlpActivationHook(int layer);

    /** The block projections LoRA adapts when none are named (PEFT module names). */
    List<String> defaultLoraTargets();

    /** The embeddings (with hook_embed and, where there is one, hook_pos_embed): the residual stream's start. */
    NDArray embed(ForwardPass f);

    /** Block {@code layer}, from {@code hook_resid_pre} to {@code hook_resid_post}. */
    NDArray block(ForwardPass f, int layer, NDArray h);

    /** A model of this family over {@code params} (owned by {@code manager}). */
    Transformer newModel(ModelConfig c, NDManager manager, Map<String, NDArray> params);
}
