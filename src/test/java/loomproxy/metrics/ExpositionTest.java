package loomproxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import loomproxy.testkit.PromText;
import org.junit.jupiter.api.Test;

/** The text format's escaping and number forms (prometheus.io, "Exposition formats", text format 0.0.4). */
class ExpositionTest {
    @Test
    void labelValuesEscapeBackslashQuoteAndLineFeedOnly() {
        String out = new Exposition().family("x_total", "counter", "help with \\ and\nline")
                .sample("x_total", 1L, "subject", "CN=a\\b \"q\"\nnext\ttab, é").toString();
        assertEquals("""
                # HELP x_total help with \\\\ and\\nline
                # TYPE x_total counter
                x_total{subject="CN=a\\\\b \\"q\\"\\nnext\ttab, é"} 1
                """, out);
        PromText parsed = PromText.parse(out);
        assertEquals("CN=a\\b \"q\"\nnext\ttab, é", parsed.samples().get(0).labels().get("subject"));
    }

    @Test
    void numbersInTheirShortestForm() {
        assertEquals("0", Exposition.number(0));
        assertEquals("1796624316", Exposition.number(1796624316.0));
        assertEquals("1796624316.485", Exposition.number(1796624316.485));
        assertEquals("0.0005", Exposition.number(.0005));
        assertEquals("2.5", Exposition.number(2.5));
        assertEquals("+Inf", Exposition.number(Double.POSITIVE_INFINITY));
        assertEquals("NaN", Exposition.number(Double.NaN));
    }

    @Test
    void histogramBucketsAreCumulativeAndEndWithInf() {
        Histogram h = new Histogram();
        for (long nanos : new long[] {100_000, 500_000, 500_001, 3_000_000, 20_000_000_000L}) {
            h.observe(nanos);
        }
        PromText m = PromText.parse(new Exposition().family("t_seconds", "histogram", "t")
                .histogram("t_seconds", h.snapshot(), "peer", "a:1").toString());
        assertEquals(2, m.value("t_seconds_bucket", "peer", "a:1", "le", "0.0005"), "le is inclusive");
        assertEquals(3, m.value("t_seconds_bucket", "peer", "a:1", "le", "0.001"));
        assertEquals(4, m.value("t_seconds_bucket", "peer", "a:1", "le", "0.005"));
        assertEquals(4, m.value("t_seconds_bucket", "peer", "a:1", "le", "10"));
        assertEquals(5, m.value("t_seconds_bucket", "peer", "a:1", "le", "+Inf"));
        assertEquals(5, m.value("t_seconds_count", "peer", "a:1"));
        assertEquals(20.004100001, m.value("t_seconds_sum", "peer", "a:1"), 1e-12);
        assertEquals(List.of("0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
                "2.5", "5", "10", "+Inf"), m.samples("t_seconds_bucket").stream().map(s -> s.labels().get("le")).toList());
    }
}
