package dev.sluice.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class OrcaTextTest {

    @Test
    void readsTheTextForm() {
        LoadReport r = new LoadReport();
        assertTrue(OrcaText.parse("TEXT cpu_utilization=0.3, rps_fractional=120, eps=2, named_metrics.rif=4, "
                + "named_metrics.latency_ms=12.5, named_metrics.queue=4", r, 7));
        assertEquals(0.3, r.utilization(), 1e-12);
        assertEquals(120, r.rps(), 1e-12);
        assertEquals(2, r.eps(), 1e-12);
        assertEquals(4, r.inFlight(), 1e-12);
        assertEquals(12.5, r.latencyMs(), 1e-12);
        assertEquals(7, r.lastNanos());
    }

    @Test
    void applicationUtilizationWinsOverCpu() {
        LoadReport r = new LoadReport();
        assertTrue(OrcaText.parse("TEXT cpu_utilization=0.9,application_utilization=0.25", r, 1));
        assertEquals(0.25, r.utilization(), 1e-12);
    }

    @Test
    void somethingElseLeavesTheReportAlone() {
        LoadReport r = new LoadReport();
        assertFalse(OrcaText.parse("JSON {\"cpu_utilization\": 0.3}", r, 1));
        assertFalse(OrcaText.parse("TEXT cpu_utilization=high", r, 1));
        assertFalse(OrcaText.parse("TEXT cpu_utilization", r, 1));
        assertFalse(OrcaText.parse("TEXT rps_fractional=-3", r, 1));
        assertFalse(OrcaText.parse("TEXTcpu_utilization=1", r, 1));
        assertFalse(OrcaText.parse("TEXT rps_fractional=1234567890123456", r, 1));
        assertEquals(LoadReport.NEVER, r.lastNanos());
    }

    @Test
    void takeStripsTheHeaderWhateverItHolds() {
        HttpHeaders h = new DefaultHttpHeaders().add("Endpoint-Load-Metrics", "garbage").add("x-other", "1");
        LoadReport r = new LoadReport();
        assertFalse(OrcaText.take(h, r, 1));
        assertNull(h.get("endpoint-load-metrics"));
        assertEquals("1", h.get("x-other"));
    }
}
