package dev.mono4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScaleTest {
    private static List<String> labels(Scale s) {
        return s.ticks().stream().map(s::label).toList();
    }

    @Test
    void linearTicksUseNiceStepsAndEncloseTheData() {
        Scale s = Scale.linear(0.13, 0.97);
        assertEquals(List.of("0", "0.2", "0.4", "0.6", "0.8", "1"), labels(s));
        assertEquals(List.of(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), s.ticks()); // the doubles nearest the decimals
        assertEquals(List.of("0", "200", "400", "600", "800", "1k", "1.2k", "1.4k"), labels(Scale.linear(0, 1234)));
        assertEquals(List.of("-4", "-2", "0", "2", "4", "6", "8"), labels(Scale.linear(-3, 7)));
        assertEquals(List.of("1k", "1.0005k", "1.001k", "1.0015k", "1.002k"), labels(Scale.linear(1000, 1002)));
    }

    @Test
    void linearTicksSurviveDegenerateRanges() {
        assertEquals(List.of("0", "0.2", "0.4", "0.6", "0.8", "1"), labels(Scale.linear(Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY))); // no data
        assertEquals(List.of("4.4", "4.6", "4.8", "5", "5.2", "5.4", "5.6"), labels(Scale.linear(5, 5))); // ±10%
        assertEquals(List.of("-1", "-0.5", "0", "0.5", "1"), labels(Scale.linear(0, 0)));
    }

    @Test
    void logTicksAreDecades() {
        assertEquals(List.of("0.001", "0.01", "0.1", "1", "10"), labels(Scale.log(1e-3, 10)));
        assertEquals(List.of("0.001", "0.01", "0.1", "1", "10"), labels(Scale.log(2e-3, 7)));
        assertEquals(List.of("1e-8", "1e-6", "1e-4", "0.01", "1", "100", "10k", "1M", "100M"),
                labels(Scale.log(1e-8, 1e8)));
        assertEquals(List.of("1", "2", "5", "10", "20", "50", "100"), labels(Scale.log(1.5, 80)));
        Scale s = Scale.log(1e-3, 10);
        assertEquals(0.25, s.frac(1e-2), 1e-12);
    }

    @Test
    void numbersAreCompact() {
        assertEquals("1.2k", Scale.compact(1200, 3));
        assertEquals("1.23k", Scale.compact(1234, 3));
        assertEquals("3.4e-5", Scale.compact(0.000034, 3));
        assertEquals("1M", Scale.compact(999_999, 3));
        assertEquals("-0.5", Scale.compact(-0.5, 3));
        assertEquals("0.001", Scale.compact(0.001, 3));
        assertEquals("1.5e20", Scale.compact(1.5e20, 3));
        assertEquals("2.346", Scale.compact(2.34567, 4));
        assertEquals("NaN", Scale.compact(Double.NaN, 3));
    }
}
