package dev.sluice.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.perf.SimRun.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulation on shorter traces: the orderings the committed report relies on must hold. */
class BalancerSimulationTest {

    @Test
    void reportOrderingsHold() {
        Map<BalancerSimulation.Scenario, List<Outcome>> all = BalancerSimulation.runAll(0.1, 7L);
        List<List<Outcome>> s = new ArrayList<>(all.values());

        List<Outcome> heterogeneous = s.get(0);
        Outcome roundRobin = SimReport.find(heterogeneous, "round robin");
        Outcome lc = SimReport.find(heterogeneous, "least-connections");
        assertEquals(0.10, roundRobin.slowestShare(), 0.005, "round robin ignores speed");
        assertTrue(lc.slowestShare() < 0.03, lc.toString());
        assertTrue(SimReport.find(heterogeneous, "peak-ewma").p99Ms() < SimReport.find(heterogeneous, "drr").p99Ms(), "latency-aware");
        Outcome plain = SimReport.find(heterogeneous, "consistent-hash, plain");
        Outcome bounded = SimReport.find(heterogeneous, "consistent-hash, bounded 1.25");
        assertTrue(bounded.p99Ms() < plain.p99Ms() / 10, bounded + " vs " + plain);
        assertTrue(bounded.keysMoved() > 0.07 && bounded.keysMoved() < 0.13, bounded.toString());

        List<Outcome> stall = s.get(1);
        for (String name : List.of("peak-ewma", "prequal", "least-connections")) {
            assertTrue(SimReport.find(stall, name).success() >= 0.999, SimReport.find(stall, name).toString());
        }
        assertTrue(SimReport.find(stall, "round robin").success() < 0.999, "round robin keeps feeding the stalled node");

        List<Outcome> hot = s.get(2);
        assertTrue(SimReport.find(hot, "consistent-hash, plain").peakToMeanRequests() > 3, hot.toString());
        Outcome split = SimReport.find(hot, "consistent-hash, plain + hot-key split (5 nodes)");
        assertTrue(split.peakToMeanRequests() <= 1.5, split.toString());
        assertTrue(split.otherKeysOnOwner() >= 0.95, split.toString());

        String md = SimReport.markdown(all, 0.1);
        assertTrue(md.contains("| consistent-hash, bounded 1.25 |") && md.contains("## Targets"), md);
    }
}
