package dev.mono4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Monet checkpoint from the command line: the authors' logits, routing hooks in their shape, the expert layout. */
class MonetCliTest {
    @TempDir
    Path tmp;

    @Test
    void forwardMatchesTheAuthorsLogitsAndSavesRoutingInItsShape() {
        Path fixture = Fixtures.dir("monet-vd-tiny");
        Path out = tmp.resolve("acts.safetensors");
        CliTest.Run r = CliTest.cli("forward", fixture, "--input", fixture.resolve("expected.safetensors"), "--hooks",
                "blocks.*.moe.hook_route*,blocks.1.hook_mlp_out", "--out", out, "--batch-size", 1);
        assertEquals(0, r.code(), r.err());
        try (SafetensorsReader acts = SafetensorsReader.open(out);
                SafetensorsReader expected = SafetensorsReader.open(fixture.resolve("expected.safetensors"))) {
            assertTrue(Fixtures.maxAbsDiff(expected.readFloats("logits"), acts.readFloats("logits")) < 1e-4);
            // [batch, seq, moe_heads, moe_experts], as the authors' router_probs
            assertArrayEquals(new long[] {2, 16, 2, 16}, acts.info("blocks.0.moe.hook_route1").shape());
            assertArrayEquals(new long[] {2, 16, 64}, acts.info("blocks.1.hook_mlp_out").shape());
            assertTrue(!acts.tensors().containsKey("blocks.0.moe.hook_expert_scores"));
        }
    }

    @Test
    void inspectShowsTheExpertLayout() {
        CliTest.Run r = CliTest.cli("inspect", Fixtures.dir("monet-vd-tiny"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("vertical decomposition, 16 x 16 = 256 experts"), r.out());
        assertTrue(r.out().contains("routers       on layers [0], each used by 2 layer(s)"), r.out());
        assertTrue(r.out().contains("blocks.{0..1}.moe.hook_route1"), r.out());
    }
}
