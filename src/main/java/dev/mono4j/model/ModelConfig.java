package dev.mono4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.io.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a model, read from a Hugging Face {@code config.json} by its {@link ModelFamily}. One record
 * serves every family; the fields a family does not use keep neutral values (GPT-2: no rotary, no window,
 * no q/k/v bias flag; decoders: no token types; BERT: no rotary, no special tokens).
 *
 * @param family          the family that reads, lays out and runs this config
 * @param activation      "gelu_new" (tanh GELU, GPT-2), "gelu" (erf) or "silu" (SwiGLU families)
 * @param ropeScaling     null unless {@code rope_scaling} is of type llama3
 * @param qkvBias         q/k/v projections carry a bias (Qwen2 always; Llama with attention_bias)
 * @param outputBias      o_proj carries a bias (Llama with attention_bias)
 * @param layerWindows    per layer, 0 for full attention or the sliding window in tokens (a query attends
 *                        the window's keys, itself included)
 * @param typeVocabSize   BERT's token-type (segment) vocabulary; 0 for decoders
 * @param familySettings  what only one family reads (Monet's expert layer), or null
 */
public record ModelConfig(
        ModelFamily family,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        int maxPositions,
        double normEps,
        String activation,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieEmbeddings,
        boolean qkvBias,
        boolean outputBias,
        List<Integer> layerWindows,
        long bosTokenId,
        List<Long> eosTokenIds,
        int typeVocabSize,
        FamilySettings familySettings) {

    /** A family's own fields of config.json, which the shared fields above do not cover (a record per family). */
    public interface FamilySettings {
    }

    /** The family's settings as {@code type}; a config of a family without them is a programming error. */
    public <S extends FamilySettings> S familySettings(Class<S> type) {
        if (!type.isInstance(familySettings)) {
            throw new IllegalArgumentException(family.hfArchitecture() + " has no " + type.getSimpleName());
        }
        return type.cast(familySettings);
    }

    public ModelConfig {
        layerWindows = List.copyOf(layerWindows);
        eosTokenIds = List.copyOf(eosTokenIds);
        if (layerWindows.size() != numLayers) {
            throw new IllegalArgumentException("layerWindows needs one entry per layer");
        }
    }

    /** GPT-2 with HF's defaults, for tests and benchmarks (GPT-2 small is gpt2(50257, 768, 12, 12, 1024)). */
    public static ModelConfig gpt2(int vocab, int hidden, int layers, int heads, int maxPositions) {
        return builder(Gpt2Family.GPT2, vocab, hidden, layers, heads).intermediateSize(4 * hidden)
                .maxPositions(maxPositions).activation("gelu_new").tieEmbeddings(true)
                .specialTokens(vocab - 1, List.of((long) vocab - 1)).build();
    }

    /** A Llama-family decoder (SmolLM-135M is llama(49152, 576, 30, 9, 3, 1536, 2048, true)). */
    public static ModelConfig llama(int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate,
            int maxPositions, boolean tied) {
        return builder(LlamaFamily.LLAMA, vocab, hidden, layers, heads).numKvHeads(kvHeads)
                .intermediateSize(intermediate).maxPositions(maxPositions).activation("silu").ropeTheta(10000.0)
                .tieEmbeddings(tied).specialTokens(1, List.of(2L)).build();
    }

    /**
     * A BertModel encoder: absolute positions, erf GELU, biases on every projection; no LM head, so no special
     * tokens (all-MiniLM-L6-v2 is bert(30522, 384, 6, 12, 1536, 512, 2, 1e-12)).
     */
    public static ModelConfig bert(int vocab, int hidden, int layers, int heads, int intermediate, int maxPositions,
            int typeVocab, double normEps) {
        return builder(BertFamily.BERT, vocab, hidden, layers, heads).intermediateSize(intermediate)
                .maxPositions(maxPositions).normEps(normEps).activation("gelu").qkvBias(true).outputBias(true)
                .typeVocabSize(typeVocab).build();
    }

    /**
     * A builder with the required shape; the rest defaults to: kv heads = heads, head_dim = hidden / heads,
     * MLP 4 × hidden, 2048 positions, eps 1e-5, "silu", no rotary, untied, no biases, full attention in every
     * layer, no special tokens, no token types.
     */
    public static Builder builder(ModelFamily family, int vocab, int hidden, int layers, int heads) {
        return new Builder(family, vocab, hidden, layers, heads);
    }

    public Builder toBuilder() {
        return new Builder(family, vocabSize, hiddenSize, numLayers, numHeads).numKvHeads(numKvHeads).headDim(headDim)
                .intermediateSize(intermediateSize).maxPositions(maxPositions).normEps(normEps).activation(activation)
                .ropeTheta(ropeTheta).ropeScaling(ropeScaling).tieEmbeddings(tieEmbeddings).qkvBias(qkvBias)
                .outputBias(outputBias).layerWindows(layerWindows).specialTokens(bosTokenId, eosTokenIds)
                .typeVocabSize(typeVocabSize).familySettings(familySettings);
    }

    /** The same shape with other special-token ids (a tokenizer's, for a model trained from scratch). */
    public ModelConfig withSpecialTokens(long bos, List<Long> eos) {
        return toBuilder().specialTokens(bos, eos).build();
    }

    public static List<Integer> fullAttention(int layers) {
        return java.util.Collections.nCopies(layers, 0);
    }

    /** 0 for full attention, else the layer's sliding window. */
    public int slidingWindow(int layer) {
        return layerWindows.get(layer);
    }

    /** Whether the family's models are causal language models (next-token logits), not encoders. */
    public boolean causal() {
        return family instanceof DecoderFamily;
    }

    /**
     * The longest text to feed the model, at most {@code wanted} tokens and at most the positions it was made
     * for ({@link ModelFamily#positionLimitField()}: learned positions end there, rotary ones leave their
     * trained range).
     */
    public int tokenLimit(int wanted) {
        return Math.min(wanted, maxPositions);
    }

    /** Every hook point of this model, in the order the forward pass reaches them. */
    public List<String> hookNames() {
        return family.hookNames(this);
    }

    public static ModelConfig read(Path file) {
        return fromJson(Json.read(file), file);
    }

    /** The config of the family that {@code architectures[0]} (else {@code model_type}) names. */
    public static ModelConfig fromJson(JsonNode c, Path file) {
        ConfigReader r = new ConfigReader(c, file);
        return FamilyRegistry.of(r).readConfig(r);
    }

    /** A config.json that Hugging Face transformers and mono4j both load; weights are saved as float32. */
    public Map<String, Object> toHfJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of(family.hfArchitecture()));
        m.put("model_type", family.modelType());
        m.put("vocab_size", vocabSize);
        family.writeConfig(this, m);
        m.put("torch_dtype", "float32");
        return m;
    }

    /** A decoder's head and special tokens in config.json: tie_word_embeddings, bos and eos ids where set. */
    public void writeHeadAndTokens(Map<String, Object> m) {
        m.put("tie_word_embeddings", tieEmbeddings);
        if (bosTokenId >= 0) {
            m.put("bos_token_id", bosTokenId);
        }
        if (!eosTokenIds.isEmpty()) {
            m.put("eos_token_id", eosTokenIds.size() == 1 ? eosTokenIds.get(0) : eosTokenIds);
        }
    }

    /** Builds a {@link ModelConfig}; each default is stated once, in {@link #builder}. */
    public static final class Builder {
        private ModelFamily family;
        private int vocabSize;
        private int hiddenSize;
        private int numLayers;
        private int numHeads;
        private Integer numKvHeads;
        private Integer headDim;
        private Integer intermediateSize;
        private int maxPositions = 2048;
        private double normEps = 1e-5;
        private String activation = "silu";
        private double ropeTheta;
        private RopeScaling ropeScaling;
        private boolean tieEmbeddings;
        private boolean qkvBias;
        private boolean outputBias;
        private List<Integer> layerWindows;
        private long bosTokenId = -1;
        private List<Long> eosTokenIds = List.of();
        private int typeVocabSize;
        private FamilySettings familySettings;

        private Builder(ModelFamily family, int vocab, int hidden, int layers, int heads) {
            this.family = family;
            this.vocabSize = vocab;
            this.hiddenSize = hidden;
            this.numLayers = layers;
            this.numHeads = heads;
        }

        public Builder family(ModelFamily v) {
            family = v;
            return this;
        }

        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        public Builder hiddenSize(int v) {
            hiddenSize = v;
            return this;
        }

        public Builder numLayers(int v) {
            numLayers = v;
            return this;
        }

        public Builder numHeads(int v) {
            numHeads = v;
            return this;
        }

        public Builder numKvHeads(int v) {
            numKvHeads = v;
            return this;
        }

        public Builder headDim(int v) {
            headDim = v;
            return this;
        }

        public Builder intermediateSize(int v) {
            intermediateSize = v;
            return this;
        }

        public Builder maxPositions(int v) {
            maxPositions = v;
            return this;
        }

        public Builder normEps(double v) {
            normEps = v;
            return this;
        }

        public Builder activation(String v) {
            activation = v;
            return this;
        }

        public Builder ropeTheta(double v) {
            ropeTheta = v;
            return this;
        }

        public Builder ropeScaling(RopeScaling v) {
            ropeScaling = v;
            return this;
        }

        public Builder tieEmbeddings(boolean v) {
            tieEmbeddings = v;
            return this;
        }

        public Builder qkvBias(boolean v) {
            qkvBias = v;
            return this;
        }

        public Builder outputBias(boolean v) {
            outputBias = v;
            return this;
        }

        public Builder layerWindows(List<Integer> v) {
            layerWindows = v;
            return this;
        }

        public Builder specialTokens(long bos, List<Long> eos) {
            bosTokenId = bos;
            eosTokenIds = eos;
            return this;
        }

        public Builder typeVocabSize(int v) {
            typeVocabSize = v;
            return this;
        }

        public Builder familySettings(FamilySettings v) {
            familySettings = v;
            return this;
        }

        public ModelConfig build() {
            return new ModelConfig(family, vocabSize, hiddenSize, numLayers, numHeads,
                    numKvHeads != null ? numKvHeads : numHeads, headDim != null ? headDim : numHeads == 0 ? 0 : hiddenSize / numHeads,
                    intermediateSize != null ? intermediateSize : 4 * hiddenSize, maxPositions, normEps, activation,
                    ropeTheta, ropeScaling, tieEmbeddings, qkvBias, outputBias,
                    layerWindows != null ? layerWindows : fullAttention(numLayers), bosTokenId, eosTokenIds, typeVocabSize,
                    familySettings);
        }
    }
}
