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
        Map<SaeCompare.Knob, List<Double>> sweep = new LinkedHashMap<>();
        sweep.put(SaeCompare.Knob.K, List.of(8.0, 16.0));
        sweep.put(SaeCompare.Knob.HTF, List.of(0.05, 0.5));
        List<SaeCompare.Run> runs = SaeCompare.plan(List.of(SaeArchitecture.BATCHTOPK, SaeArchitecture.RELU,
                SaeArchitecture.BA), BASE, sweep);
        assertEquals(List.of("batchtopk-k=8", "batchtopk-k=16", "relu", "ba-htf=0.05", "ba-htf=0.5"),
                runs.stream().map(SaeCompare.Run::name).toList());
        assertEquals(16, runs.get(1).config().k());
        assertEquals(SaeArchitecture.BATCHTOPK, runs.get(1).config().architecture());
        assertEquals(BASE.l1Coefficient(), runs.get(2).setting(), "an unswept knob keeps the flag's value");
        // BA narrows to one group at the new target, even below the base's HTF.
        GbaConfig ba = runs.get(3).config().gba();
        assertEquals(List.of(1, 0.05, 0.05), List.of(ba.groups(), ba.htf(), ba.ltf()));
        assertEquals(BASE.withArchitecture(SaeArchitecture.RELU), runs.get(2).config(), "everything else is shared");
    }

    @Test
    void builderChangesOnlyWhatItIsTold() {
        assertEquals(BASE, BASE.toBuilder().build());
        SaeConfig c = BASE.toBuilder().architecture(SaeArchitecture.GBA).dSae(96).k(3).steps(7).lr(0.5).batchSize(9)
                .seed(4).logEvery(2).checkpointEvery(3).sparseDecode(false).build();
        assertEquals(List.of(SaeArchitecture.GBA, 96, 3, 7, 0.5, 9, 4L, 2, 3, false), List.of(c.architecture(), c.dSae(),
                c.k(), c.steps(), c.lr(), c.batchSize(), c.seed(), c.logEvery(), c.checkpointEvery(), c.sparseDecode()));
        assertEquals(List.of(BASE.expansion(), BASE.auxK(), BASE.gba(), BASE.warmupSteps(), BASE.decoderBiasInit()),
                List.of(c.expansion(), c.auxK(), c.gba(), c.warmupSteps(), c.decoderBiasInit()));
        assertThrows(IllegalArgumentException.class, () -> BASE.toBuilder().steps(0).build(), "the record's checks run");
    }

    @Test
    void refusesSweepsThatTrainNothingOrTwice() {
        List<SaeArchitecture> relu = List.of(SaeArchitecture.RELU);
        assertThrows(IllegalArgumentException.class, () -> SaeCompare.plan(relu, BASE,
                Map.of(SaeCompare.Knob.K, List.of(8.0))));
        assertThrows(IllegalArgumentException.class, () -> SaeCompare.plan(relu, BASE,
                Map.of(SaeCompare.Knob.L1, List.of(1.0, 1.0))));
        assertThrows(IllegalArgumentException.class, () -> SaeCompare.plan(List.of(), BASE, Map.of()));
        assertEquals("0.0001", SaeCompare.format(1e-4));
        assertEquals("8", SaeCompare.format(8.0));
    }
}
