package dev.mono4j.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Hook names are built and parsed in HookPoint alone. */
class HookPointTest {
    @Test
    void parsesTheLayerOfABlockHookAndNoneElsewhere() {
        assertEquals(OptionalInt.of(3), HookPoint.layer(HookPoint.residPost(3)));
        assertEquals(OptionalInt.of(12), HookPoint.layer(HookPoint.mlpPreLinear(12)));
        assertEquals(OptionalInt.empty(), HookPoint.layer(HookPoint.EMBED));
        assertEquals(OptionalInt.empty(), HookPoint.layer(HookPoint.LN_FINAL));
    }

    @Test
    void rewritesTheLayerOfABlockHookOnly() {
        assertEquals("blocks.*.mlp.hook_post", HookPoint.layerGlob(HookPoint.mlpPost(7)));
        assertEquals(HookPoint.attnOut(5), HookPoint.inLayer(HookPoint.attnOut(0), 5));
        assertEquals("blocks.{0..3}.hook_resid_pre", HookPoint.withLayer(HookPoint.residPre(0), "{0..3}"));
        assertEquals(HookPoint.EMBED, HookPoint.layerGlob(HookPoint.EMBED));
    }
}
