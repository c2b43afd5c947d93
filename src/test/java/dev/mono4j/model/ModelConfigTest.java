package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mono4j.UserInputException;
import dev.mono4j.io.Json;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.SafetensorsWriter;
import dev.mono4j.testing.Fixtures;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real config.json files parse to the right shapes; parameter counts match the published ones. */
class ModelConfigTest {

    static Path config(String name) {
        try {
            return Path.of(ModelConfigTest.class.getResource("/configs/" + name + ".json").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @CsvSource({"gpt2, 124439808", "smollm-135m, 134515008", "qwen2-0.5b, 494032768",
        "mistral-7b-v0.1, 7241732096", "llama-3.2-1b, 1235814400"})
    void parameterCountsMatchPublishedOnes(String name, long params) {
        ModelConfig c = ModelConfig.read(config(name));
        assertEquals(params, ParameterLayout.count(c), name);
    }

    @Test
    void familySpecificFieldsAreRead() {
        ModelConfig qwen = ModelConfig.read(config("qwen2-0.5b"));
        assertTrue(qwen.qkvBias());
        assertEquals(0, qwen.slidingWindow(23), "use_sliding_window=false: full attention everywhere");
        assertEquals(1e6, qwen.ropeTheta());
        assertEquals(64, qwen.headDim());

        ModelConfig mistral = ModelConfig.read(config("mistral-7b-v0.1"));
        assertEquals(4096, mistral.slidingWindow(0));
        assertEquals(8, mistral.numKvHeads());

        ModelConfig llama = ModelConfig.read(config("llama-3.2-1b"));
        assertEquals(new RopeScaling(32, 1, 4, 8192), llama.ropeScaling());
        assertTrue(llama.tieEmbeddings());
        assertEquals(List.of(128001L), llama.eosTokenIds());

        ModelConfig smol = ModelConfig.read(config("smollm-135m"));
        assertNull(smol.ropeScaling());
        assertEquals(64, smol.headDim());
        assertEquals(ModelConfig.llama(49152, 576, 30, 9, 3, 1536, 2048, true).numKvHeads(), smol.numKvHeads());

        ModelConfig gpt2 = ModelConfig.read(config("gpt2"));
        assertEquals(3072, gpt2.intermediateSize(), "n_inner absent: 4 × n_embd");
        assertEquals("gelu_new", gpt2.activation());
    }

    /** Llama's attention_bias puts a bias on o_proj too (HF LlamaAttention); Qwen2 has none there. */
    @Test
    void attentionBiasCoversTheOutputProjection(@TempDir Path tmp) {
        ObjectNode c = (ObjectNode) Json.read(config("smollm-135m"));
        c.put("attention_bias", true);
        ModelConfig llama = ModelConfig.fromJson(c, tmp.resolve("config.json"));
        assertTrue(ParameterLayout.expected(llama).containsKey("model.layers.0.self_attn.o_proj.bias"));
        assertTrue(ParameterLayout.expected(llama).containsKey("model.layers.0.self_attn.q_proj.bias"));
        ModelConfig qwen = ModelConfig.read(config("qwen2-0.5b"));
        assertTrue(!ParameterLayout.expected(qwen).containsKey("model.layers.0.self_attn.o_proj.bias"));
    }

    /** HF defaults: Mistral windows 4096 when the field is absent, none when it is null. */
    @Test
    void mistralWindowDefaults(@TempDir Path tmp) {
        ObjectNode c = (ObjectNode) Json.read(config("mistral-7b-v0.1"));
        c.remove("sliding_window");
        assertEquals(4096, ModelConfig.fromJson(c, tmp.resolve("a.json")).slidingWindow(31));
        c.putNull("sliding_window");
        assertEquals(0, ModelConfig.fromJson(c, tmp.resolve("b.json")).slidingWindow(31));
    }

    /** Qwen2 with use_sliding_window: layers from max_window_layers on use the window, as in HF. */
    @Test
    void qwen2SlidingWindowStartsAtMaxWindowLayers(@TempDir Path tmp) throws Exception {
        ObjectNode c = (ObjectNode) Json.read(config("qwen2-0.5b"));
        c.put("use_sliding_window", true).put("sliding_window", 4096).put("max_window_layers", 20);
        ModelConfig q = ModelConfig.fromJson(c, tmp.resolve("config.json"));
        assertEquals(0, q.slidingWindow(19));
        assertEquals(4096, q.slidingWindow(20));
        ModelConfig back = ModelConfig.fromJson(Json.MAPPER.valueToTree(q.toHfJson()), tmp.resolve("saved.json"));
        assertEquals(q, back, "toHfJson round-trips");
        c.remove("max_window_layers");
        assertEquals(0, ModelConfig.fromJson(c, tmp.resolve("d.json")).slidingWindow(23),
                "HF's default max_window_layers is 28: none of the 24 layers slides");
        c.set("layer_types", Json.MAPPER.valueToTree(java.util.Collections.nCopies(24, "sliding_attention")));
        assertEquals(4096, ModelConfig.fromJson(c, tmp.resolve("e.json")).slidingWindow(0), "layer_types decides");
    }

    @Test
    void unsupportedSettingsAreRefusedWithTheFileName(@TempDir Path tmp) throws Exception {
        ObjectNode c = (ObjectNode) Json.read(config("llama-3.2-1b"));
        ((ObjectNode) c.get("rope_scaling")).put("rope_type", "yarn");
        Path file = tmp.resolve("config.json");
        Files.writeString(file, c.toString());
        UserInputException e = assertThrows(UserInputException.class, () -> ModelConfig.read(file));
        assertTrue(e.getMessage().startsWith(file + ": rope_scaling type 'yarn'"), e.getMessage());

        c.remove("hidden_size");
        c.remove("rope_scaling");
        Files.writeString(file, c.toString());
        e = assertThrows(UserInputException.class, () -> ModelConfig.read(file));
        assertTrue(e.getMessage().contains("missing field \"hidden_size\""), e.getMessage());

        ObjectNode badHeads = (ObjectNode) Json.read(config("mistral-7b-v0.1"));
        badHeads.put("num_key_value_heads", 5);
        Files.writeString(file, badHeads.toString());
        e = assertThrows(UserInputException.class, () -> ModelConfig.read(file));
        assertTrue(e.getMessage().startsWith(file + ": num_attention_heads = 32 and num_key_value_heads = 5"), e.getMessage());

        Files.writeString(file, "{\"architectures\": [\"GemmaForCausalLM\"]}");
        e = assertThrows(UserInputException.class, () -> ModelConfig.read(file));
        assertTrue(e.getMessage().contains("GemmaForCausalLM") && e.getMessage().contains("Qwen2ForCausalLM"));
    }

    @Test
    void stopTokensIncludeGenerationConfig(@TempDir Path tmp) throws Exception {
        ModelConfig qwen = ModelConfig.read(config("qwen2-0.5b"));
        assertEquals(java.util.Set.of(151643L), Checkpoint.defaultStopTokens(tmp, qwen));
        Files.writeString(tmp.resolve("generation_config.json"), "{\"eos_token_id\": [151645, 151643]}");
        assertEquals(java.util.Set.of(151643L, 151645L), Checkpoint.defaultStopTokens(tmp, qwen));
    }

    /** A tensor inside the blocks that config.json does not account for means they disagree: an error. */
    @Test
    void unusedBlockTensorsStopLoading(@TempDir Path tmp) throws Exception {
        SafetensorsWriter w = copyOfGpt2Tiny(tmp, name -> name);
        w.addF32("transformer.h.1.mlp.c_fc.extra", new long[] {1}, new float[] {1});
        w.write(tmp.resolve("model.safetensors"));
        UserInputException e = assertThrows(UserInputException.class, () -> Checkpoint.load(tmp));
        assertTrue(e.getMessage().contains("'transformer.h.1.mlp.c_fc.extra' is not used"), e.getMessage());
    }

    /** Tensors the model does not use are reported; GPT-2's attention-mask buffers are not. */
    @Test
    void unusedTensorsAreReported(@TempDir Path tmp) throws Exception {
        SafetensorsWriter w = copyOfGpt2Tiny(tmp, name -> name.substring("transformer.".length()));
        w.addF32("h.0.attn.bias", new long[] {1}, new float[] {1});
        w.addF32("score.weight", new long[] {2}, new float[] {1, 2});
        w.write(tmp.resolve("model.safetensors"));
        Checkpoint.Contents contents = Checkpoint.inspect(tmp);
        assertEquals(List.of("score.weight"), contents.unused());
        Checkpoint.load(tmp).close(); // tensors outside the blocks (a value head, say) only warn
        assertEquals("wte.weight", contents.fileKeys().get("transformer.wte.weight"), "keys without the prefix load");
    }

    /** The gpt2-tiny fixture's config in {@code dir}, and a writer holding its tensors under renamed keys. */
    private static SafetensorsWriter copyOfGpt2Tiny(Path dir, java.util.function.UnaryOperator<String> rename)
            throws Exception {
        Path src = Fixtures.dir("gpt2-tiny");
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsReader r = SafetensorsReader.open(src.resolve("model.safetensors"))) {
            for (String name : r.tensors().keySet()) {
                w.addF32(rename.apply(name), r.info(name).shape(), r.readFloats(name));
            }
        }
        return w;
    }
}
