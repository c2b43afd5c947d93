package dev.mono4j.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SaeCompare#plan}: which runs a comparison trains, their names and the knob each one sets. */
class SaeComparePlanTest {
    private static final SaeConfig BASE = SaeConfig.DEFAULT;

    @Test
    void sweptKnobsGiveOneNamedRunPerValue() {
        Map<String, List<Double>> sweep = new LinkedHashMap<>();
        sweep.put("k", List.of(8.0, 16.0));
        sweep.put("htf", List.of(0.05, 0.5));
        List<SaeCompare.Run> runs = SaeCompare.plan(List.of(BatchTopKConfig.DEFAULT, ReluConfig.DEFAULT,
                BaConfig.DEFAULT), BASE, sweep);
        assertEquals(List.of("batchtopk-k=8", "batchtopk-k=16", "relu", "ba-htf=0.05", "ba-htf=0.5"),
                runs.stream().map(SaeCompare.Run::name).toList());
        assertEquals(16, ((BatchTopKConfig) runs.get(1).config().architecture()).k());
        assertEquals("batchtopk", runs.get(1).config().architecture().architecture());
        assertEquals(ReluConfig.DEFAULT.l1Coefficient(), runs.get(2).setting(), "an unswept knob keeps the flag's value");
        // BA narrows to one group at the new target, even below the base's HTF.
        GbaConfig ba = ((BaConfig) runs.get(3).config().architecture()).asGba();
        assertEquals(List.of(1, 0.05, 0.05), List.of(ba.groups(), ba.htf(), ba.ltf()));
        assertEquals(BASE.withArchitecture(ReluConfig.DEFAULT), runs.get(2).config(), "everything else is shared");
    }

    @Test
    void builderChangesOnlyWhatItIsTold() {
        assertEquals(BASE, BASE.toBuilder().build());
        // k and the sparse path are TopK's own settings now (TopKConfig), no longer the run's.
        TopKConfig topK = new TopKConfig(3, TopKConfig.DEFAULT.auxK(), TopKConfig.DEFAULT.auxCoefficient(), false);
        SaeConfig c = BASE.toBuilder().architecture(topK).dSae(96).steps(7).lr(0.5).batchSize(9)
                .seed(4).logEvery(2).checkpointEvery(3).build();
        assertEquals(List.of(topK, 96, 3, 7, 0.5, 9, 4L, 2, 3, false), List.of(c.architecture(), c.dSae(),
                topK.k(), c.steps(), c.lr(), c.batchSize(), c.seed(), c.logEvery(), c.checkpointEvery(), topK.sparseDecode()));
        assertEquals(List.of(BASE.expansion(), BASE.warmupSteps(), BASE.decoderBiasInit()),
                List.of(c.expansion(), c.warmupSteps(), c.decoderBiasInit()));
        assertThrows(IllegalArgumentException.class, () -> BASE.toBuilder().steps(0).build(), "the record's checks run");
    }

    @Test
    void refusesSweepsThatTrainNothingOrTwice() {
        List<ArchitectureConfig> relu = List.of(ReluConfig.DEFAULT);
        assertThrows(IllegalArgumentException.class, () -> SaeCompare.plan(relu, BASE,
                Map.of("k", List.of(8.0))));
        assertThrows(IllegalArgumentException.class, () -> SaeCompare.plan(relu, BASE,
                Map.of("l1", List.of(1.0, 1.0))));
        assertThrows(IllegalArgumentException.class, () -> SaeCompare.plan(List.of(), BASE, Map.of()));
        assertEquals("0.0001", SaeCompare.format(1e-4));
        assertEquals("8", SaeCompare.format(8.0));
    }
}
