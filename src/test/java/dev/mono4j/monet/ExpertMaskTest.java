package dev.mono4j.monet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mono4j.data.LabelledText;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.io.TensorInfo;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.Fixtures;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Expert masking and routing statistics on the authors'-parity fixture monet-vd-tiny (√N 16, H 2, groups of 2). */
class ExpertMaskTest {
    private static final Path DIR = Fixtures.dir("monet-vd-tiny");

    private static TokenBatch batch(SafetensorsReader expected) {
        TensorInfo info = expected.info("input_ids");
        return TokenBatch.of((int) info.shape()[0], (int) info.shape()[1], expected.readLongs("input_ids"));
    }

    /** Fact sheet §8: with nothing masked the masked (materialised) path equals the factorised one. */
    @Test
    void anEmptyMaskGivesThePlainLogits() {
        try (TransformerLM model = Checkpoint.loadCausal(DIR, "this test");
                SafetensorsReader expected = SafetensorsReader.open(DIR.resolve("expected.safetensors"));
                NDManager step = model.manager().newSubManager()) {
            Ablation none = ExpertMask.none(model.config());
            assertEquals(model.config().numLayers(), none.hooks().size(), "every layer's grid is hooked");
            float[] plain = model.forward(step, batch(expected), Hooks.none()).toFloatArray();
            float[] masked = model.forward(step, batch(expected), none.interventions()).toFloatArray();
            assertTrue(Fixtures.maxAbsDiff(plain, masked) < 1e-5, "max |diff| " + Fixtures.maxAbsDiff(plain, masked));
        }
    }

    /**
     * Every term of the expert layer is weighted by a score (VD: r_i, c_j and the mixed sums; the V projections have
     * no bias), so masking every cell of a group makes the expert output of each of its layers exactly 0, while one
     * masked cell changes it.
     */
    @Test
    void maskingEveryCellOfAGroupZeroesItsLayersExpertOutput() {
        try (TransformerLM model = Checkpoint.loadCausal(DIR, "this test");
                SafetensorsReader expected = SafetensorsReader.open(DIR.resolve("expected.safetensors"));
                NDManager step = model.manager().newSubManager()) {
            assertEquals(List.of(0), ExpertMask.routers(model.config()));
            List<Integer> all = IntStream.range(0, 16 * 16).boxed().toList();
            Hooks h = ExpertMask.of(model.config(), Map.of(0, all)).interventions()
                    .alsoCapture("blocks.*.hook_mlp_out");
            model.forward(step, batch(expected), h);
            for (int l = 0; l < 2; l++) {
                float[] out = h.get(HookPoint.mlpOut(l)).toFloatArray();
                for (float v : out) {
                    assertEquals(0f, v);
                }
            }
            Hooks one = ExpertMask.of(model.config(), Map.of(0, List.of(5))).interventions().alsoCapture("blocks.*.hook_mlp_out");
            model.forward(step, batch(expected), one);
            Hooks plain = Hooks.capture("blocks.*.hook_mlp_out");
            model.forward(step, batch(expected), plain);
            assertTrue(Fixtures.maxAbsDiff(plain.get(HookPoint.mlpOut(0)).toFloatArray(),
                    one.get(HookPoint.mlpOut(0)).toFloatArray()) > 0);
        }
    }
}
