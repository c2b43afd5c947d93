package dev.mono4j.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void progressShowsAStatusAfterTheRate() {
        var bytes = new ByteArrayOutputStream();
        Progress p = new Progress("pretrain", 100, "tokens", new PrintStream(bytes, true), false);
        p.step(100, "loss 1.234");
        assertTrue(bytes.toString().strip().endsWith("ETA 0s loss 1.234"), bytes.toString());
    }

    @Test
    void longEtasReadInMinutesAndHours() {
        assertEquals("59s", Progress.formatSeconds(59));
        assertEquals("1m05s", Progress.formatSeconds(65));
        assertEquals("2h03m", Progress.formatSeconds(2 * 3600 + 3 * 60 + 10));
    }
}
